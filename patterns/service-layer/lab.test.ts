import { afterEach, describe, expect, it } from 'vitest';
import type { FaultDecision, LabInstance, LabResult, Params } from '../kit/index.ts';
import { eventsOf, makeTestLabContext } from '../kit/testing.ts';
import { TestLabDatabase } from '../../server/runs/testing.ts';
import { start } from './lab.ts';
import { signupParams } from './params.ts';
import { pattern } from './pattern.ts';
import { USERS_SCHEMA } from './repository.ts';

const lab = pattern.labs[0]!;
const databases: TestLabDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close()));
});

/** The lab on virtual time over a fresh in-memory database (the engine's own), kept across restarts like a run's. */
const makeLab = (params: Params = {}) => {
  const database = new TestLabDatabase();
  databases.push(database);
  const harness = makeTestLabContext({ params: { ...signupParams.defaults, ...params }, lab, db: database.open });
  return {
    ...harness,
    db: () => database.current,
    setDatabaseFault: (fault: () => FaultDecision) => database.setFault(fault),
    drive: (instance: LabInstance, rate: number, untilMs: number) =>
      harness.drive(instance, { rate, untilMs, clients: 4, id: (n) => `load-${n}`, settleMs: 500 }),
  };
};

const statuses = (results: LabResult[]) =>
  results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [String(r.status)]: (counts[String(r.status)] ?? 0) + 1 }), {});

describe('signup lab', () => {
  it('serves the default load: new people signed up (201), known ones looked up (200), each traced through every layer', async () => {
    const { ctx, clock, events, drive, violations } = makeLab();
    const instance = await start(ctx);
    const results = await drive(instance, 20, 3_000);
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    const counts = statuses(results);
    expect(counts['201']).toBeGreaterThan(40);
    expect(counts['200']).toBeGreaterThan(5);
    // One sign-up's trace: route → service → repository (and the email check) → SQL.
    const signUp = results.find((r) => r.status === 201)!;
    const spans = eventsOf(events, 'service-layer.span').filter((s) => s.requestId === signUp.id);
    expect(spans.map((s) => `${s.layer} ${s.name}`)).toEqual([
      'repository findByEmail',
      'collaborator emailCheck',
      'repository add',
      'service signUp',
      'route POST /users',
    ]);
    const check = spans.find((s) => s.name === 'emailCheck')!;
    expect(check.durationMs).toBeGreaterThanOrEqual(30);
    expect(check.durationMs).toBeLessThanOrEqual(70);
    expect(spans.at(-1)!.durationMs).toBeGreaterThanOrEqual(check.durationMs);
    const sql = eventsOf(events, 'sql').filter((e) => e.requestId === signUp.id);
    expect(sql.map((e) => e.statement.split(' ')[0])).toEqual(['SELECT', 'BEGIN', 'INSERT', 'COMMIT']);
    expect(violations).toEqual([]);
    await instance.dispose();
    expect(clock.pending).toBe(0);
  });

  it('answers colliding sign-ups with 409s, and lets no duplicate in: the unique constraint catches the ones the look-up misses', async () => {
    const { ctx, events, drive, violations, db } = makeLab({ distinctEmails: 2 });
    const instance = await start(ctx);
    const results = await drive(instance, 40, 5_000);
    const counts = statuses(results);
    expect(counts['409']).toBeGreaterThan(80);
    // Some sign-ups passed findByEmail and were refused by the constraint at add, as EmailTaken.
    const refusedAtAdd = eventsOf(events, 'service-layer.span').filter((s) => s.name === 'add' && s.error === 'EmailTaken');
    expect(refusedAtAdd.length).toBeGreaterThan(5);
    expect(results.filter((r) => r.status === 409).every((r) => r.outcome === 'rejected' && /is already registered$/.test(r.error!))).toBe(true);
    const shared = await db().get<{ n: number }>('SELECT COUNT(*) - COUNT(DISTINCT lower(email)) AS n FROM users');
    expect(shared!.n).toBe(0);
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('answers a busy database with a 503 and a Retry-After, never with SQLite’s message', async () => {
    const { ctx, drive, violations, setDatabaseFault } = makeLab();
    const instance = await start(ctx);
    let n = 0;
    // Every third statement fails as SQLite does when another connection holds the lock.
    setDatabaseFault(() => (++n % 3 === 0 ? { latencyMs: 0, error: { kind: 'busy' } } : { latencyMs: 0 }));
    const results = await drive(instance, 20, 2_000);
    const busy = results.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(5);
    expect(busy.every((r) => r.outcome === 'error' && r.error === 'the service is busy, try again in a moment')).toBe(true);
    expect(results.every((r) => r.status === 201 || r.status === 200 || r.status === 503)).toBe(true);
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('re-creates the table from the schema on start, keeping its users: a new UNIQUE takes hold over earlier duplicates', async () => {
    const { ctx, events, db, drive, violations } = makeLab({ distinctEmails: 1 });
    // What a deploy without the constraint left behind: the same email twice, and another user.
    await db().exec(USERS_SCHEMA.replace('email TEXT NOT NULL UNIQUE', 'email TEXT NOT NULL'));
    for (const email of ['ada@example.com', 'ada@example.com', 'grace@example.com']) {
      await db().run('INSERT INTO users (email, name, version, created_at) VALUES (?, ?, 1, 0)', email, 'x');
    }
    const instance = await start(ctx);
    expect(eventsOf(events, 'service-layer.schema')).toMatchObject([{ created: false, kept: 2, dropped: 1 }]);
    expect(eventsOf(events, 'log').some((l) => l.level === 'warn' && l.msg.includes('2 users kept, 1 dropped'))).toBe(true);
    expect(await db().all('SELECT id, email FROM users ORDER BY id')).toEqual([
      { id: 1, email: 'ada@example.com' },
      { id: 3, email: 'grace@example.com' },
    ]);
    await expect(db().run("INSERT INTO users (email, name, version, created_at) VALUES ('ada@example.com', 'y', 1, 0)")).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    // And the same load that let duplicates in now meets the constraint.
    const results = await drive(instance, 40, 2_000);
    expect(results.some((r) => r.status === 409)).toBe(true);
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('turns an exception in the email check into a plain 500 naming the request id', async () => {
    const { ctx, drive, events, setFault, violations } = makeLab();
    const instance = await start(ctx);
    setFault('email-check', 'exception');
    const results = await drive(instance, 20, 1_000);
    const failed = results.filter((r) => r.status === 500);
    expect(failed.length).toBeGreaterThan(10);
    expect(failed.every((r) => r.outcome === 'error' && r.error === 'internal error')).toBe(true);
    const logged = eventsOf(events, 'log').filter((l) => l.msg === 'unhandled error');
    expect(logged[0]!.fields).toMatchObject({ requestId: expect.stringMatching(/^load-/), error: 'Error: injected fault at email-check (exception)' });
    expect(violations).toEqual([]);
    await instance.dispose();
  });
});
