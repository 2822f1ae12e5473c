import { afterEach, describe, expect, it } from 'vitest';
import type { FaultDecision, LabInstance, Params } from '../kit/index.ts';
import { VirtualClock } from '../kit/index.ts';
import { eventsOf, makeTestLabContext, type Recorded } from '../kit/testing.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import { editsIn } from './lab-support.ts';
import { start } from './lab.ts';
import { PAGE_SIZE, SEEDED_USERS, storeParams, type StoreSettings } from './params.ts';
import { pattern } from './pattern.ts';

const opened: RunDatabase[] = [];
const started: LabInstance[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((lab) => lab.dispose()));
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

/**
 * The lab on virtual time over the engine's ctx.db (SQLite in memory). `decide`
 * is the `database` fault point: what happens to the next statement.
 */
const makeLab = async (params: Partial<StoreSettings> = {}, shared?: { clock: VirtualClock; db: RunDatabase }) => {
  let decide: () => FaultDecision = () => ({ latencyMs: 0 });
  let database: RunDatabase | undefined = shared?.db;
  const harness = makeTestLabContext({
    params: { ...storeParams.defaults, ...params } as Params,
    lab: pattern.labs[0],
    ...(shared && { clock: shared.clock }),
    db: ({ clock, emit, requestId }) => {
      database ??= new RunDatabase({ connection: memoryDatabase(), clock, emit, requestId, faults: { point: 'database', next: () => decide() } });
      opened.push(database);
      return database;
    },
  });
  const lab = await start(harness.ctx);
  started.push(lab);
  return {
    ...harness,
    lab,
    db: database!,
    setDatabaseFault: (next: () => FaultDecision) => (decide = next),
    drive: (rate: number, untilMs: number) => harness.drive(lab, { rate, untilMs, settleMs: 500 }),
  };
};

const outcomes = (results: Array<{ outcome: string }>) =>
  results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [r.outcome]: (counts[r.outcome] ?? 0) + 1 }), {});

/** The statements each request sent, by request id. */
const statementsPerRequest = (events: Recorded[]) => {
  const counts = new Map<string, string[]>();
  for (const e of eventsOf(events, 'sql')) if (e.requestId) counts.set(e.requestId, [...(counts.get(e.requestId) ?? []), e.statement]);
  return counts;
};

describe('store lab', () => {
  it('fills SQLite with 100,000 users with one statement per table, once per run', async () => {
    const first = await makeLab();
    await first.drive(10, 500);
    const seeded = eventsOf(first.events, 'repository.seeded');
    expect(seeded).toEqual([expect.objectContaining({ storage: 'sqlite', users: SEEDED_USERS, orders: 100_000, alreadyThere: false })]);
    // The schema, BEGIN, two INSERT … SELECTs and COMMIT: not 200,000 INSERTs.
    expect(eventsOf(first.events, 'sql').filter((e) => e.requestId === undefined)).toHaveLength(5);
    expect(await first.db.get('SELECT COUNT(*) AS n FROM users WHERE id <= ?', SEEDED_USERS)).toEqual({ n: SEEDED_USERS });

    // A redeploy: a new lab instance on the run's same database adds nothing.
    const second = await makeLab({}, { clock: first.clock, db: first.db });
    await second.drive(10, 1_000);
    expect(eventsOf(second.events, 'repository.seeded')).toEqual([expect.objectContaining({ storage: 'sqlite', users: 0, orders: 0, alreadyThere: true })]);
  });

  it('serves the default mix from SQLite with a few statements a request, a sign-up in one transaction', async () => {
    const { events, drive, violations } = await makeLab();
    const results = await drive(20, 3_000);
    expect(outcomes(results)).toEqual({ ok: 60 });
    expect(new Set(results.map((r) => r.route))).toEqual(
      new Set(['GET /users/:id', 'GET /users?email=', 'GET /users?after=', 'PATCH /users/:id', 'POST /signups']),
    );
    const perRequest = statementsPerRequest(events);
    expect(Math.max(...[...perRequest.values()].map((s) => s.length))).toBeLessThanOrEqual(4);
    const signUp = results.find((r) => r.route === 'POST /signups')!;
    expect(perRequest.get(signUp.id)!.map((s) => s.split(' ')[0])).toEqual(['BEGIN', 'INSERT', 'INSERT', 'COMMIT']);
    expect(violations).toEqual([]);
  });

  it('shows the N+1 page: 21 statements a request, where the join sends one for the same users and orders', async () => {
    const nPlusOne = await makeLab({ workload: 'orders-n-plus-one' });
    await nPlusOne.drive(10, 1_000);
    const join = await makeLab({ workload: 'orders-join' });
    await join.drive(10, 1_000);
    const listings = (events: Recorded[]) => eventsOf(events, 'repository.listing');
    expect(listings(nPlusOne.events).map((l) => l.statements)).toEqual(Array(10).fill(PAGE_SIZE + 1));
    expect(listings(join.events).map((l) => l.statements)).toEqual(Array(10).fill(1));
    // The same seed picks the same pages: the same users and orders either way.
    expect(listings(join.events).map((l) => [l.users, l.orders])).toEqual(listings(nPlusOne.events).map((l) => [l.users, l.orders]));
    const perRequest = statementsPerRequest(nPlusOne.events);
    expect(perRequest.get('req-0')!.filter((s) => s.includes('FROM orders WHERE user_id = ?'))).toHaveLength(PAGE_SIZE);
    // Injected latency is paid per statement: 21 times for the N+1 page, once for the join.
    nPlusOne.setDatabaseFault(() => ({ latencyMs: 5 }));
    join.setDatabaseFault(() => ({ latencyMs: 5 }));
    await nPlusOne.drive(10, 2_000);
    await join.drive(10, 2_000);
    expect(listings(nPlusOne.events).at(-1)!.durationMs).toBe(5 * (PAGE_SIZE + 1));
    expect(listings(join.events).at(-1)!.durationMs).toBe(5);
  });

  it('reads a deep page by OFFSET, throwing away every row before it, and by key through the primary key', async () => {
    const depth = 90_000;
    const offset = await makeLab({ workload: 'page-offset', pageDepth: depth });
    const byOffset = await offset.drive(10, 500);
    const keyset = await makeLab({ workload: 'page-keyset', pageDepth: depth });
    const byKey = await keyset.drive(10, 500);
    expect(outcomes([...byOffset, ...byKey])).toEqual({ ok: 10 });
    const [offsetPage] = eventsOf(offset.events, 'repository.page');
    const [keysetPage] = eventsOf(keyset.events, 'repository.page');
    expect(offsetPage).toMatchObject({ strategy: 'offset', depth, users: PAGE_SIZE, rowsSkipped: depth, statements: 1 });
    expect(keysetPage).toMatchObject({ strategy: 'keyset', depth, users: PAGE_SIZE, rowsSkipped: 0, statements: 1 });
    const plan = async (lab: Awaited<ReturnType<typeof makeLab>>) => {
      const [statement] = statementsPerRequest(lab.events).get('req-0')!;
      const params = statement!.includes('OFFSET') ? [PAGE_SIZE, depth] : [depth, PAGE_SIZE + 1];
      return (await lab.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${statement}`, ...params)).map((s) => s.detail);
    };
    expect(await plan(offset)).toEqual(['SCAN users']);
    expect(await plan(keyset)).toEqual(['SEARCH users USING INTEGER PRIMARY KEY (rowid>?)']);
  });

  it('turns concurrent edits of one user into version conflicts that are retried: no acknowledged edit is lost', async () => {
    const { events, drive, violations, db } = await makeLab({ workload: 'edits-versioned', hotUsers: 1 });
    const results = await drive(50, 2_000);
    const edits = eventsOf(events, 'repository.edit');
    expect(edits.filter((e) => e.outcome === 'conflict').length).toBeGreaterThan(10);
    expect(violations).toEqual([]);
    // Every acknowledged edit is in the user's edit count, once.
    const acknowledged = results.filter((r) => r.outcome === 'ok').length;
    expect(acknowledged).toBeGreaterThan(20);
    const user = await db.get<{ name: string; version: number }>('SELECT name, version FROM users WHERE id = 1');
    expect(editsIn(user!.name)).toBe(acknowledged);
    expect(user!.version).toBe(acknowledged + 1);
    // Those that lost three times in a row were told so.
    expect(results.filter((r) => r.outcome !== 'ok').every((r) => r.status === 409)).toBe(true);
  });

  it('loses acknowledged edits when the version is read again just before writing, and the invariant says so', async () => {
    const { drive, violations, db } = await makeLab({ workload: 'edits-unchecked', hotUsers: 1 });
    const results = await drive(50, 2_000);
    const acknowledged = results.filter((r) => r.outcome === 'ok').length;
    const user = await db.get<{ name: string }>('SELECT name FROM users WHERE id = 1');
    expect(editsIn(user!.name)).toBeLessThan(acknowledged);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]).toMatchObject({ invariant: 'no-lost-update', detail: expect.stringMatching(/^req-\d+ wrote edit \d+ of user 1 \(sqlite\) on top of edit \d+, after edit \d+ had been acknowledged/) });
  });

  it('breaks no more once the edits are version checked again, even with unchecked edits in flight at the switch', async () => {
    const { lab, drive, violations } = await makeLab({ workload: 'edits-unchecked', hotUsers: 1, storage: 'memory' });
    // Switched the moment a break loses two edits or more: the user's row then holds fewer edits
    // than were acknowledged (A reads 3; B writes 4; C writes 5; A writes 4), and unchecked edits
    // are still in flight.
    let atSwitch = -1;
    const report = violations.push.bind(violations);
    violations.push = (...found) => {
      const count = report(...found);
      if (atSwitch < 0 && found.some((v) => Number(/: (\d+) acknowledged edit\(s\) lost$/.exec(v.detail)?.[1]) >= 2)) {
        atSwitch = count;
        lab.updateParams!({ ...storeParams.defaults, workload: 'edits-versioned', hotUsers: 1, storage: 'memory' });
      }
      return count;
    };
    const results = await drive(200, 2_000);
    expect(atSwitch).toBeGreaterThan(0);
    expect(results.filter((r) => r.outcome === 'ok').length).toBeGreaterThan(50);
    expect(violations.length).toBe(atSwitch);
  });

  it('swaps SQLite and memory live: the same operations, and no statements from memory', async () => {
    const { lab, events, clock, drive } = await makeLab({ workload: 'orders-n-plus-one' });
    await drive(10, 500);
    const sqlBefore = eventsOf(events, 'sql').length;
    lab.updateParams!({ ...storeParams.defaults, workload: 'orders-n-plus-one', storage: 'memory' });
    const inMemory = await drive(10, clock.now() + 1_000);
    expect(outcomes(inMemory)).toEqual({ ok: 10 });
    expect(eventsOf(events, 'sql').length).toBe(sqlBefore);
    expect(eventsOf(events, 'repository.seeded').map((e) => e.storage)).toEqual(['sqlite', 'memory']);
    const memoryListings = eventsOf(events, 'repository.listing').filter((l) => l.storage === 'memory');
    expect(memoryListings).toHaveLength(10);
    expect(memoryListings.every((l) => l.statements === 0 && l.users === PAGE_SIZE)).toBe(true);
  });

  it('answers 503 when the database is busy, and a sign-up that fails halfway leaves nothing behind', async () => {
    const { db, setDatabaseFault, events, clock, drive } = await makeLab();
    await drive(10, 200);
    // Every second statement is refused busy: a sign-up's user goes in, its order does not.
    let n = 0;
    setDatabaseFault(() => (++n % 2 === 0 ? { latencyMs: 0, error: { kind: 'busy' } } : { latencyMs: 0 }));
    const results = await drive(20, clock.now() + 3_000);
    expect(results.filter((r) => r.outcome === 'error').every((r) => r.status === 503 && /SQLITE_BUSY/.test(r.error!))).toBe(true);
    setDatabaseFault(() => ({ latencyMs: 0 }));
    const halfDone = results.flatMap((r) => (r.route === 'POST /signups' && r.outcome === 'error' ? [r.id] : []));
    expect(halfDone.length).toBeGreaterThan(0);
    for (const id of halfDone) {
      expect(await db.get('SELECT id FROM users WHERE email = ?', `signup-${id}@example.com`)).toBeUndefined();
    }
    expect(eventsOf(events, 'sql').some((e) => e.statement === 'ROLLBACK')).toBe(true);
  });

  it('retries its seeding on the next request when a fault failed it', async () => {
    const clock = new VirtualClock();
    let failing = true;
    const db = new RunDatabase({
      connection: memoryDatabase(),
      clock,
      emit: () => undefined,
      faults: { point: 'database', next: () => (failing ? { latencyMs: 0, error: { kind: 'locked' } } : { latencyMs: 0 }) },
    });
    const { lab, send, events } = await makeLab({}, { clock, db });
    expect(await send(lab, 'during-fault')).toMatchObject({ outcome: 'error', status: 503, error: expect.stringContaining('SQLITE_LOCKED') });
    failing = false;
    expect(await send(lab, 'after-fault')).toMatchObject({ outcome: 'ok' });
    expect(eventsOf(events, 'repository.seeded')).toHaveLength(1);
  });
});
