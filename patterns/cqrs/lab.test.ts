import { afterEach, describe, expect, it } from 'vitest';
import type { LabInstance, Params } from '../kit/index.ts';
import { eventsOf, makeTestLabContext } from '../kit/testing.ts';
import { TestLabDatabase } from '../../server/runs/testing.ts';
import { start } from './lab.ts';
import { ordersParams } from './params.ts';
import { pattern } from './pattern.ts';

const lab = pattern.labs[0]!;
const databases: TestLabDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close()));
});

/** The lab on virtual time over a fresh in-memory database, kept across restarts like a run's. */
const makeLab = (params: Params = {}) => {
  /** The `database` fault point: a latency for every statement from now on, and the statement `failIn` from now fails (SQLITE_LOCKED). */
  const database = { latencyMs: 0, failIn: 0 };
  const store = new TestLabDatabase();
  databases.push(store);
  store.setFault(() => (database.failIn > 0 && --database.failIn === 0 ? { latencyMs: 0, error: { kind: 'locked' } } : { latencyMs: database.latencyMs }));
  const harness = makeTestLabContext({ params: { ...ordersParams.defaults, ...params }, lab, db: store.open });
  return {
    ...harness,
    db: () => store.current,
    database,
    drive: (instance: LabInstance, untilMs: number, rate = 20) =>
      harness.drive(instance, { rate, untilMs, clients: 2, id: (n) => `load-${n}`, settleMs: 500 }),
  };
};

const stale = (events: ReturnType<typeof makeLab>['events']) => eventsOf(events, 'cqrs.query').filter((q) => q.stale);

describe('orders lab', () => {
  it('serves both lanes; under eventual consistency clients read summaries without their own latest order, and the read model catches up', async () => {
    const { ctx, clock, events, drive, violations, db } = makeLab();
    const instance = await start(ctx);
    const results = await drive(instance, 5_000);
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    const commands = eventsOf(events, 'cqrs.command');
    const queries = eventsOf(events, 'cqrs.query');
    expect(commands.length).toBeGreaterThan(30);
    expect(queries.length).toBeGreaterThan(30);
    // Stale reads happen (the projection polls every 200 ms) but are no break of a promise never made.
    expect(stale(events).length).toBeGreaterThan(5);
    expect(violations).toEqual([]);
    // They happen because the read model lags: each poll finds the events written since the last one.
    const lag = eventsOf(events, 'cqrs.projection');
    expect(lag.filter((p) => p.eventsBehind > 0 && p.msBehind > 0).length).toBeGreaterThan(10);
    expect(Math.max(...lag.map((p) => p.msBehind))).toBeLessThanOrEqual(250);
    // After the load, the projection has applied every event: no lag left.
    await clock.advance(1_000);
    const last = eventsOf(events, 'cqrs.projection').at(-1)!;
    expect(last).toMatchObject({ caughtUp: true, eventsBehind: 0, msBehind: 0, ok: true });
    const head = await db().get<{ n: number }>('SELECT MAX(position) AS n FROM events');
    expect(last.position).toBe(head!.n);
    await instance.dispose();
    await clock.advance(1_000);
    expect(clock.pending).toBe(0);
  });

  it('reports the lag in events and milliseconds while the projection is slow', async () => {
    const { ctx, events, drive } = makeLab({ projectionDelayMs: 1_000, batchSize: 5 });
    const instance = await start(ctx);
    await drive(instance, 5_000);
    const lag = eventsOf(events, 'cqrs.projection');
    expect(Math.max(...lag.map((p) => p.eventsBehind))).toBeGreaterThan(20);
    expect(Math.max(...lag.map((p) => p.msBehind))).toBeGreaterThan(1_000);
    expect(stale(events).length / eventsOf(events, 'cqrs.query').length).toBeGreaterThan(0.5);
    await instance.dispose();
  });

  it('waits for the position the command returned: no stale read, at the price of waiting', async () => {
    const { ctx, events, drive, violations } = makeLab({ consistency: 'wait-for-position' });
    const instance = await start(ctx);
    const results = await drive(instance, 5_000);
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    expect(stale(events)).toEqual([]);
    const waited = eventsOf(events, 'cqrs.query').filter((q) => q.waitedMs > 0);
    expect(waited.length).toBeGreaterThan(5);
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('answers 503 when the read model does not reach the position in time, never a stale summary', async () => {
    const { ctx, events, drive, violations } = makeLab({ consistency: 'wait-for-position', projectionDelayMs: 2_000, waitTimeoutMs: 300 });
    const instance = await start(ctx);
    const results = await drive(instance, 4_000);
    const behind = results.filter((r) => r.status === 503);
    expect(behind.length).toBeGreaterThan(5);
    expect(behind.every((r) => r.error!.startsWith('ReadModelBehind'))).toBe(true);
    expect(stale(events)).toEqual([]);
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('reads own writes from the write side while the read model is behind', async () => {
    const { ctx, events, drive, violations } = makeLab({ consistency: 'write-side', projectionDelayMs: 500 });
    const instance = await start(ctx);
    await drive(instance, 4_000);
    const fromWriteSide = eventsOf(events, 'cqrs.query').filter((q) => q.source === 'write-side');
    expect(fromWriteSide.length).toBeGreaterThan(10);
    expect(stale(events)).toEqual([]);
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('skips what it applied when batches are delivered twice, and a rebuild from zero finds nothing to correct', async () => {
    const { ctx, clock, events, drive, violations } = makeLab({ redeliveryShare: 0.5 });
    const instance = await start(ctx);
    await drive(instance, 4_000);
    const again = eventsOf(events, 'cqrs.projection').filter((p) => p.redelivered);
    expect(again.length).toBeGreaterThan(3);
    expect(again.reduce((sum, p) => sum + p.skipped, 0)).toBeGreaterThan(10);
    expect(violations).toEqual([]);
    instance.updateParams!({ ...ordersParams.defaults, redeliveryShare: 0.5, readModelVersion: 2 });
    await clock.advance(1_000);
    const [rebuild] = eventsOf(events, 'cqrs.rebuild');
    expect(rebuild).toMatchObject({ version: 2, reason: 'read model version 1 → 2' });
    expect(rebuild!.ordersAfter).toBe(rebuild!.ordersBefore);
    expect(rebuild!.ordersAfter).toBeGreaterThan(20);
    await instance.dispose();
  });

  it('keeps its data across a restart, and rebuilds when the read model version changed meanwhile', async () => {
    const { ctx, clock, events, drive, violations, db } = makeLab();
    const first = await start(ctx);
    await drive(first, 2_000);
    await first.dispose();
    const before = (await db().get<{ n: number }>('SELECT COUNT(*) AS n FROM events'))!.n;
    // The run restarts the lab with new params (as a deploy does): same database.
    const second = await start({ ...ctx, params: { ...ordersParams.defaults, readModelVersion: 3 } });
    await clock.advance(1_000);
    expect((await db().get<{ n: number }>('SELECT COUNT(*) AS n FROM events'))!.n).toBe(before);
    expect(eventsOf(events, 'cqrs.rebuild')).toMatchObject([{ version: 3, reason: 'read model version 1 → 3' }]);
    await second.dispose();
    // A deploy whose projection.ts has another read model schema than the one the rows were built with.
    await db().run("UPDATE lab_read_model SET schema = 'CREATE TABLE user_summaries (user_id INTEGER PRIMARY KEY)'");
    const third = await start({ ...ctx, params: { ...ordersParams.defaults, readModelVersion: 3 } });
    await clock.advance(1_000);
    expect(eventsOf(events, 'cqrs.rebuild').at(-1)).toMatchObject({ reason: 'the read model schema in projection.ts changed' });
    expect(violations).toEqual([]);
    await third.dispose();
  });

  it('a projection stopped mid-rebuild writes nothing more: the next deploy rebuilds the read model without a hole', async () => {
    const { ctx, clock, events, drive, violations, db, database } = makeLab({ batchSize: 1 });
    const first = await start(ctx);
    await drive(first, 3_000);
    // A slow database and a new read model version: the first instance's next poll rebuilds it, one event at a time.
    database.latencyMs = 5;
    first.updateParams!({ ...ordersParams.defaults, batchSize: 1, readModelVersion: 2 });
    await clock.advance(250);
    expect(eventsOf(events, 'cqrs.rebuild')).toEqual([]);
    await first.dispose();
    // Deployed again while that rebuild replays: the new instance rebuilds too, from zero.
    const starting = start({ ...ctx, params: { ...ordersParams.defaults, readModelVersion: 3 } });
    await clock.advance(100);
    const second = await starting;
    await clock.advance(3_000);
    // The read model holds every order of the events up to its position, each once.
    database.latencyMs = 0;
    const { position } = (await db().get<{ position: number }>("SELECT position FROM projection_positions WHERE projection = 'user-summaries'"))!;
    const model = await db().get<{ users: number; orders: number }>('SELECT COUNT(*) AS users, SUM(order_count) AS orders FROM user_summaries');
    const log = await db().get<{ users: number; orders: number }>(
      "SELECT SUM(type = 'UserRegistered') AS users, SUM(type = 'OrderPlaced') AS orders FROM events WHERE position <= ?",
      position,
    );
    expect(position).toBe((await db().get<{ n: number }>('SELECT MAX(position) AS n FROM events'))!.n);
    expect(model).toEqual(log);
    expect(violations).toEqual([]);
    // The first instance's rebuild stopped with it: only the second's was completed.
    expect(eventsOf(events, 'cqrs.rebuild')).toMatchObject([{ version: 3 }]);
    await second.dispose();
  });

  it('a rebuild that fails half-way starts again, and still compares with the read model as it was before it', async () => {
    const { ctx, clock, events, drive, violations, db, database } = makeLab({ batchSize: 5 });
    const instance = await start(ctx);
    await drive(instance, 2_000);
    const position = (await db().get<{ position: number }>("SELECT position FROM projection_positions WHERE projection = 'user-summaries'"))!.position;
    const { orders } = (await db().get<{ orders: number }>('SELECT SUM(order_count) AS orders FROM user_summaries'))!;
    instance.updateParams!({ ...ordersParams.defaults, batchSize: 5, readModelVersion: 2 });
    // A statement of the rebuild's replay, some batches in, fails: the poll fails, the next one rebuilds again.
    database.failIn = 20;
    await clock.advance(1_000);
    expect(database.failIn).toBe(0);
    const failed = eventsOf(events, 'cqrs.projection').filter((p) => !p.ok);
    expect(failed).toHaveLength(1);
    const rebuilds = eventsOf(events, 'cqrs.rebuild');
    expect(rebuilds).toHaveLength(1);
    expect(rebuilds[0]!.t).toBeGreaterThan(failed[0]!.t);
    expect(rebuilds[0]).toMatchObject({ position, ordersBefore: orders, ordersAfter: orders });
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('retries a failed batch from its stored position: the lag grows while the projection fails, and goes once it recovers', async () => {
    const { ctx, clock, events, drive, setFault, violations } = makeLab();
    const instance = await start(ctx);
    setFault('projection', 'exception');
    await drive(instance, 2_000);
    const failing = eventsOf(events, 'cqrs.projection');
    expect(failing.every((p) => !p.ok && p.applied === 0)).toBe(true);
    expect(failing.at(-1)!.eventsBehind).toBeGreaterThan(15);
    setFault('projection', undefined);
    await clock.advance(1_000);
    expect(eventsOf(events, 'cqrs.projection').at(-1)).toMatchObject({ ok: true, caughtUp: true });
    expect(violations).toEqual([]);
    await instance.dispose();
  });
});
