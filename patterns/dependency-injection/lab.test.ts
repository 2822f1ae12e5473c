import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FaultDecision } from '../kit/index.ts';
import { eventsOf, makeTestLabContext } from '../kit/testing.ts';
import { TestLabDatabase, virtualRun } from '../../server/runs/testing.ts';
import { VirtualClock, type TelemetryEvent } from '../kit/index.ts';
import * as labModule from './lab.ts';
import { start } from './lab.ts';
import { signupParams } from './params.ts';
import { pattern } from './pattern.ts';

type Values = typeof signupParams.defaults;

const databases: TestLabDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close()));
});

/**
 * The signup lab on the kit's virtual-time LabContext, with its invariants and these params (defaults
 * otherwise), over the engine's own database in memory with its `database` fault point (none until a test sets one).
 */
const startLab = async (params: Partial<Values> = {}) => {
  const database = new TestLabDatabase();
  databases.push(database);
  const harness = makeTestLabContext({ params: { ...signupParams.defaults, ...params }, lab: pattern.labs[0], db: database.open });
  return {
    ...harness,
    db: () => database.current,
    setDatabaseFault: (fault: () => FaultDecision) => database.setFault(fault),
    lab: await start(harness.ctx),
  };
};

const statuses = (results: Array<{ status?: number }>) =>
  results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [String(r.status)]: (counts[String(r.status)] ?? 0) + 1 }), {});

describe('signup lab', () => {
  it('signs everyone up, each request in its own scope that gives its connection back', async () => {
    const { lab, drive, events, violations, clock, calls } = await startLab();
    const results = await drive(lab, { rate: 10, untilMs: 2_000, settleMs: 200 });
    expect(statuses(results)).toEqual({ 201: 20 });
    expect(calls.filter((c) => c.point === 'email')).toHaveLength(20);
    const scopes = eventsOf(events, 'di.scope');
    expect(scopes).toHaveLength(20);
    // SignupHandler, UserService, UserRepository, DbConnection (scoped) and one IdGenerator (transient).
    expect(scopes.every((s) => s.created === 5 && s.disposed === 5 && s.undisposed === '')).toBe(true);
    const pool = eventsOf(events, 'pool.connection');
    expect(pool.filter((e) => e.kind === 'leased')).toHaveLength(20);
    expect(pool.at(-1)).toMatchObject({ kind: 'released', inUse: 0 });
    expect(violations).toEqual([]);
    await lab.dispose();
    expect(clock.pending).toBe(0);
  });

  it('creates the scoped services once per request, reuses the singletons, and makes a new transient every time', async () => {
    const { lab, send, events, clock } = await startLab();
    for (const id of ['first', 'second']) {
      const answered = send(lab, id);
      await clock.advance(100);
      expect(await answered).toMatchObject({ outcome: 'ok', status: 201 });
    }
    const second = eventsOf(events, 'di.resolved').filter((e) => e.requestId === 'second');
    expect(second.map((e) => `${e.node}: ${e.reused ? 'reused' : 'created'}`)).toEqual([
      'ConnectionPool · singleton: reused',
      'DbConnection · scoped: created',
      'UserRepository · scoped: created',
      'EmailSender · singleton: reused',
      'IdGenerator · transient: created',
      'UserService · scoped: created',
      'SignupHandler · scoped: created',
    ]);
    // The graph: who asked for whom.
    expect(second.map((e) => `${e.depth} ${e.parent ?? '-'} → ${e.token}`)).toContain('3 UserRepository → DbConnection');
    // The singletons were built once, by the root, whichever request asked first.
    const singletons = eventsOf(events, 'di.created').filter((e) => e.lifetime === 'singleton');
    expect(singletons.map((e) => `${e.token} ${e.scopeId}`)).toEqual(['Database root', 'ConnectionPool root', 'EmailSender root']);
    await lab.dispose();
  });

  it('swaps the email sender live: no consumer changes, and faults at the email service stop mattering', async () => {
    const { lab, drive, events, calls, changeParams, setFault, violations } = await startLab();
    setFault('email', { status: 503 });
    const before = await drive(lab, { rate: 10, untilMs: 1_000, settleMs: 100 });
    expect(statuses(before)).toEqual({ 502: 10 });
    lab.updateParams!({ ...signupParams.defaults, emailSender: 'fake' });
    changeParams({ emailSender: 'fake' });
    const emailCalls = calls.filter((c) => c.point === 'email').length;
    const after = await drive(lab, { rate: 10, untilMs: 2_100, settleMs: 100, id: (n) => `after-${n}` });
    expect(statuses(after)).toEqual({ 201: 10 });
    expect(calls.filter((c) => c.point === 'email')).toHaveLength(emailCalls);
    expect(eventsOf(events, 'di.registered').filter((e) => e.replaced).map((e) => e.token)).toEqual(['EmailSender']);
    const senders = eventsOf(events, 'di.resolved').filter((e) => e.token === 'EmailSender');
    expect(senders.at(0)!.implementation).toBe('HttpEmailSender');
    expect(senders.at(-1)!.implementation).toBe('FakeEmailSender');
    // Failed sign-ups disposed their scopes too.
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('gives the connection back when a request fails: failures never drain the pool', async () => {
    const { lab, drive, events, setFault, violations } = await startLab({ poolSize: 2 });
    let n = 0;
    setFault('email', () => (n++ % 2 === 0 ? { status: 500 } : undefined));
    const results = await drive(lab, { rate: 20, untilMs: 3_000, settleMs: 200 });
    expect(statuses(results)).toEqual({ 201: 30, 502: 30 });
    expect(eventsOf(events, 'pool.connection').filter((e) => e.kind === 'exhausted')).toEqual([]);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('fails requests with "connection pool exhausted" when slow emails hold every connection, and recovers', async () => {
    const { lab, drive, events, setFault, violations } = await startLab({ poolSize: 2, acquireTimeoutMs: 100 });
    // A request keeps its connection until its scope ends, the email included: 400 ms each.
    setFault('email', { status: 202, latencyMs: 400 });
    const slow = await drive(lab, { rate: 20, untilMs: 1_000, settleMs: 1_000 });
    const counts = statuses(slow);
    expect(counts[201]).toBeLessThanOrEqual(6);
    expect(counts[503]).toBeGreaterThanOrEqual(14);
    expect(slow.find((r) => r.status === 503)!.error).toBe('connection pool exhausted: all 2 connections in use, none returned within 100 ms');
    expect(eventsOf(events, 'pool.connection').filter((e) => e.kind === 'exhausted')).toHaveLength(counts[503]!);
    // Every scope still disposed what it created: once the email is fast again, so is every sign-up.
    setFault('email', undefined);
    const healthy = await drive(lab, { rate: 20, untilMs: 3_000, settleMs: 200, id: (n) => `healthy-${n}` });
    expect(statuses(healthy)).toEqual({ 201: 20 });
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('attributes a connection handed to a queued request to that request, not to the one that released it', async () => {
    const { lab, send, events, clock, violations } = await startLab({ poolSize: 1 });
    const first = send(lab, 'first');
    const second = send(lab, 'second');
    await clock.advance(200);
    expect(await first).toMatchObject({ status: 201 });
    expect(await second).toMatchObject({ status: 201 });
    const pool = eventsOf(events, 'pool.connection').map((e) => `${e.kind} ${e.connectionId} ${e.requestId}`);
    expect(pool).toEqual(['leased conn-1 first', 'released conn-1 first', 'leased conn-2 second', 'released conn-2 second']);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('checks at the pool that each request gave its connection back, whatever the container reports', async () => {
    const { ConnectionPool } = await import('./app.ts');
    // A DbConnection whose dispose never reaches the pool: the container still reports it disposed.
    const release = vi.spyOn(ConnectionPool.prototype, 'release').mockImplementation(() => {});
    try {
      const { lab, send, events, clock, violations } = await startLab({ poolSize: 2 });
      const answered = send(lab, 'first');
      await clock.advance(100);
      await answered;
      expect(eventsOf(events, 'di.scope')[0]).toMatchObject({ undisposed: '' });
      expect(violations.map((v) => v.detail)).toEqual([
        'first ended (ok) and its scope scope-1 reports everything disposed, but the pool never got its connection conn-1 back (1 of 2 connections in use)',
      ]);
      await lab.dispose();
    } finally {
      release.mockRestore();
    }
  });

  it('keeps its users in the run\'s database, as rows of the users table, each statement a sql event', async () => {
    const { lab, drive, events, db, violations } = await startLab();
    await drive(lab, { rate: 10, untilMs: 1_000, settleMs: 100 });
    expect(await db().all('SELECT id, email, version FROM users ORDER BY id LIMIT 2')).toEqual([
      { id: 1, email: 'req-0@example.test', version: 1 },
      { id: 2, email: 'req-1@example.test', version: 1 },
    ]);
    const statements = eventsOf(events, 'sql').map((e) => e.statement.trim().split(/\s/)[0]);
    // The schema once, then a look-up and an insert per sign-up.
    expect(statements.filter((s) => s === 'CREATE')).toHaveLength(1);
    expect(statements.filter((s) => s === 'INSERT')).toHaveLength(10);
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('answers a busy or locked database with 503, never SQL, and still gives the connection back', async () => {
    const { lab, drive, events, setDatabaseFault, violations } = await startLab();
    let n = 0;
    setDatabaseFault(() => ({ latencyMs: 0, ...(n++ % 3 === 1 && { error: { kind: n % 2 === 0 ? 'busy' : 'locked' } }) }));
    const results = await drive(lab, { rate: 20, untilMs: 2_000, settleMs: 200 });
    const busy = results.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(5);
    expect(new Set(busy.map((r) => `${r.outcome}: ${r.error}`))).toEqual(new Set(['error: the database is busy: try again in a moment']));
    expect(results.every((r) => r.status === 201 || r.status === 503)).toBe(true);
    expect(eventsOf(events, 'sql').some((e) => e.error?.includes('SQLITE_BUSY'))).toBe(true);
    expect(eventsOf(events, 'pool.connection').at(-1)).toMatchObject({ kind: 'released', inUse: 0 });
    expect(violations).toEqual([]);
    await lab.dispose();
  });

  it('answers a sign-up for an email already in the database with 409, a rejection, not a failure', async () => {
    const { lab, send, clock, db } = await startLab();
    await db().exec('CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL)');
    await db().run('INSERT INTO users (email, name, version, created_at) VALUES (?, ?, 1, 0)', 'taken@example.test', 'Ada');
    const answered = send(lab, 'taken');
    await clock.advance(100);
    expect(await answered).toEqual({ outcome: 'rejected', status: 409, error: 'taken@example.test is already signed up', route: 'POST /signup' });
    await lab.dispose();
  });

  it('keeps the users across a redeploy, and the sign-ups after it never collide with those before', async () => {
    const clock = new VirtualClock();
    const events: TelemetryEvent[] = [];
    const run = virtualRun(pattern.labs[0]!, clock, events);
    await run.deploy(labModule);
    run.setLoad({ model: 'open', rate: 10 });
    await clock.advance(1_000);
    // The redeploy builds a new container, a new Database and a new pool, over the same run's database.
    await run.deploy({ start: (ctx) => labModule.start(ctx) });
    await clock.advance(1_000);
    await run.stop();
    const inbound = events.flatMap((e) => (e.type === 'request' && e.direction === 'inbound' ? [e.status] : []));
    expect(inbound.length).toBeGreaterThan(15);
    expect(new Set(inbound)).toEqual(new Set([201]));
    // Every insert went through: no second row for an email (a request the stop cut off may have inserted too).
    const sql = events.flatMap((e) => (e.type === 'sql' ? [e] : []));
    expect(sql.filter((e) => e.error !== undefined)).toEqual([]);
    expect(sql.filter((e) => e.statement.startsWith('INSERT')).length).toBeGreaterThanOrEqual(inbound.length);
    // The schema's CREATE ran once per deploy, and changed nothing the second time.
    expect(sql.filter((e) => e.statement.startsWith('CREATE'))).toHaveLength(2);
    expect(events.filter((e) => e.type === 'invariant.violated')).toEqual([]);
  });

  it('refuses a pool size that is not a whole number', async () => {
    const { ConnectionPool, Database } = await import('./app.ts');
    const { clock, ctx } = makeTestLabContext();
    expect(() => new ConnectionPool({ clock, database: new Database(ctx.db), size: 0, acquireTimeoutMs: 100 })).toThrow(
      'pool size must be a whole number ≥ 1, got 0',
    );
  });
});
