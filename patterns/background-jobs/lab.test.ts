import { afterEach, describe, expect, it } from 'vitest';
import type { FaultDecision, HttpClient, LabContext, LabInstance, Params, ServiceDefinition } from '../kit/index.ts';
import { eventsOf, makeTestLabContext, type TestFault } from '../kit/testing.ts';
import { TestLabDatabase } from '../../server/runs/testing.ts';
import { start } from './lab.ts';
import { jobsParams } from './params.ts';
import { pattern } from './pattern.ts';

const lab = pattern.labs[0]!;
const databases: TestLabDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close()));
});

/** The lab on virtual time over a fresh in-memory database (the engine's own), kept across restarts like a run's. */
const makeLab = (params: Params = {}) => {
  const database = new TestLabDatabase();
  databases.push(database);
  const harness = makeTestLabContext({ params: { ...jobsParams.defaults, ...params }, lab, db: database.open });
  return {
    ...harness,
    db: () => database.current,
    setDatabaseFault: (fault: () => FaultDecision) => database.setFault(fault),
    drive: (instance: LabInstance, untilMs: number, rate = 10) =>
      harness.drive(instance, { rate, untilMs, clients: 4, id: (n) => `load-${n}`, settleMs: 100 }),
  };
};

/** The ids of the jobs the API accepted with a 202, from the board's events. */
const accepted = (events: ReturnType<typeof makeLab>['events']) =>
  eventsOf(events, 'background-jobs.job')
    .filter((e) => e.from === undefined)
    .map((e) => e.jobId);

/** Every n-th call fails (kills its worker), the others pass. */
const everyNth = (n: number): (() => TestFault) => {
  let calls = 0;
  return () => (++calls % n === 0 ? 'exception' : undefined);
};

/**
 * The lab with its API at hand and a handler that ignores its signal: the job-handler fault point's
 * calls numbered in `hang` wait `ms` first, as the run engine's fault latency does (nothing aborts it).
 */
const withHangingHandler = (ctx: LabContext, hang: ReadonlySet<number>, ms: number) => {
  let calls = 0;
  let api: HttpClient | undefined;
  const spy: LabContext = Object.create(ctx, {
    server: { value: (name: string, definition: ServiceDefinition) => (api = ctx.server(name, definition)) },
    fault: {
      value: (point: string) => {
        const fault = ctx.fault(point);
        if (point !== 'job-handler') return fault;
        return { hit: async () => (hang.has(++calls) ? ctx.clock.sleep(ms) : fault.hit()) };
      },
    },
  });
  const post = (key: string) => api!.request({ method: 'POST', path: '/process', body: { customer: 'c1', points: 5 }, headers: { 'idempotency-key': key } });
  return { spy, post };
};

describe('the jobs lab', () => {
  it('says it runs on the embedded SQLite queue by default', async () => {
    const { ctx, events } = makeLab();
    const instance = await start(ctx);
    expect(eventsOf(events, 'background-jobs.engine')).toEqual([
      expect.objectContaining({ engine: 'sqlite', description: "the embedded queue on the run's SQLite database" }),
    ]);
    await instance.dispose();
  });

  it('refuses to start on BullMQ when the workbench has no broker, saying how to get one', async () => {
    const { ctx } = makeLab({ engine: 'bullmq' });
    await expect(start(ctx)).rejects.toThrow(/The BullMQ engine needs Redis, .* start it with --redis redis:\/\/127\.0\.0\.1:6379 \(or set WORKBENCH_REDIS\)/);
  });

  it('answers 202 at once and completes every job, with no invariant broken and no timer left', async () => {
    const { ctx, clock, drive, events, violations, db } = makeLab();
    const instance = await start(ctx);
    const results = await drive(instance, 3_000);
    expect(results.filter((r) => r.outcome !== 'ok')).toEqual([]);
    expect(results.some((r) => r.status === 202) && results.some((r) => r.route === 'GET /task/:id')).toBe(true);
    // A retried order (same idempotency key) is answered 200 with the same job, and runs nothing new.
    expect(results.some((r) => r.route === 'POST /process' && r.status === 200)).toBe(true);
    await clock.advance(4_000);
    const ids = accepted(events);
    const states = await db().all<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state');
    expect(states).toEqual([{ state: 'completed', n: ids.length }]);
    expect(eventsOf(events, 'background-jobs.counts').length).toBeGreaterThan(3);
    expect(violations).toEqual([]);
    await instance.dispose();
    expect(clock.pending).toBe(0);
  });

  it('kills a worker mid-job, and every accepted job still ends completed or dead, its points credited once', async () => {
    const { ctx, clock, drive, events, violations, db, setFault } = makeLab();
    const instance = await start(ctx);
    setFault('worker-crash', everyNth(7));
    await drive(instance, 6_000);
    setFault('worker-crash', undefined);
    // Long enough for the last lease to expire, the job to be taken back and run again.
    await clock.advance(10_000);

    const killed = eventsOf(events, 'background-jobs.worker').filter((e) => e.event === 'killed');
    expect(killed.length).toBeGreaterThan(3);
    expect(killed.some((e) => (e.jobs?.length ?? 0) > 1)).toBe(true);
    const recovered = eventsOf(events, 'background-jobs.job').filter((e) => e.lostBy !== undefined);
    expect(recovered.length).toBeGreaterThan(3);

    const ids = accepted(events);
    const rows = await db().all<{ id: string; state: string }>('SELECT id, state FROM jobs');
    const stateOf = new Map(rows.map((r) => [r.id, r.state]));
    expect(ids.filter((id) => stateOf.get(id) !== 'completed' && stateOf.get(id) !== 'dead')).toEqual([]);
    // At least once, and yet once: the jobs run twice credited nothing the second time.
    expect(eventsOf(events, 'background-jobs.credit').some((e) => !e.credited)).toBe(true);
    const credited = await db().get<{ jobs: number; points: number }>('SELECT COUNT(*) AS jobs, SUM(points) AS points FROM credited_jobs');
    const balances = await db().get<{ points: number }>('SELECT SUM(points) AS points FROM balances');
    expect(balances!.points).toBe(credited!.points);
    expect(violations).toEqual([]);
    await instance.dispose();
    expect(clock.pending).toBe(0);
  });

  it('retries a failing job after a backoff with jitter, and lets it die after its last attempt', async () => {
    const { ctx, clock, drive, events, setFault, violations } = makeLab({ attempts: 3 });
    const instance = await start(ctx);
    setFault('job-handler', 'exception');
    await drive(instance, 1_000);
    await clock.advance(10_000);
    const moves = eventsOf(events, 'background-jobs.job');
    const retries = moves.filter((e) => e.to === 'retrying');
    // After the first failure: 250–500 ms; after the second, 500–1000 ms. Spread, not lock-step.
    const first = retries.filter((e) => e.attempt === 1).map((e) => e.retryInMs!);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...first)).toBeLessThanOrEqual(500);
    expect(new Set(first).size).toBeGreaterThan(first.length / 2);
    expect(retries.filter((e) => e.attempt === 2).every((e) => e.retryInMs! >= 500 && e.retryInMs! <= 1_000)).toBe(true);
    const dead = moves.filter((e) => e.to === 'dead');
    expect(dead.length).toBe(accepted(events).length);
    expect(dead.every((e) => e.attempt === 3 && /injected/.test(e.error!))).toBe(true);
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('aborts a slow job at its soft limit: a handler that honours its signal fails there', async () => {
    const { ctx, clock, send, events } = makeLab({ jobMs: 5_000, softLimitMs: 1_000, hardLimitMs: 2_000, attempts: 1 });
    const instance = await start(ctx);
    await send(instance, 'load-1');
    await clock.advance(3_000);
    expect(eventsOf(events, 'background-jobs.time-limit').map((e) => e.limit)).toEqual(['soft']);
    // The job's sleep honours its signal: the attempt fails at the soft limit.
    expect(eventsOf(events, 'background-jobs.job').at(-1)).toMatchObject({ to: 'dead', error: 'soft time limit of 1000 ms exceeded' });
    await instance.dispose();
  });

  it('fails the attempt at the hard limit when the handler ignores its signal', async () => {
    const { ctx, clock, events } = makeLab({ jobMs: 500, softLimitMs: 1_000, hardLimitMs: 2_000, attempts: 1 });
    const { spy, post } = withHangingHandler(ctx, new Set([1]), 10_000);
    const instance = await start(spy);
    await post('order-1');
    await clock.advance(3_000);
    expect(eventsOf(events, 'background-jobs.time-limit').map((e) => e.limit)).toEqual(['soft', 'hard']);
    expect(eventsOf(events, 'background-jobs.job').at(-1)).toMatchObject({ to: 'dead', error: 'hard time limit of 2000 ms exceeded' });
    await instance.dispose();
  });

  it('sees no break when a handler past its hard limit overlaps its own retry on another worker', async () => {
    const { ctx, clock, events, violations } = makeLab({ workers: 2, concurrency: 1, jobMs: 2_000, softLimitMs: 2_500, hardLimitMs: 3_000, attempts: 2 });
    // Job a's first run ignores its signal for 10 s: the attempt fails at its hard limit (3.2 s) and the lease goes.
    const { spy, post } = withHangingHandler(ctx, new Set([1]), 10_000);
    const instance = await start(spy);
    await post('a'); // worker-1 at 0.2 s
    await clock.advance(1_300);
    await post('b'); // worker-2 at 1.4 s, busy until 3.4 s
    await clock.advance(1_700);
    await post('c'); // worker-1 takes it at 3.2 s, when a's attempt fails
    await clock.advance(3_000);
    const runsOfA = eventsOf(events, 'background-jobs.job').filter((e) => e.jobId === 'a' && e.to === 'active');
    // a's retry runs on worker-2 while its first run still hangs on worker-1, whose lease was released.
    expect(runsOfA.map((e) => [e.attempt, e.workerId])).toEqual([[1, 'worker-1'], [2, 'worker-2']]);
    expect(eventsOf(events, 'background-jobs.job').filter((e) => e.jobId === 'a').at(-1)).toMatchObject({ to: 'completed', attempt: 2 });
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('sees no break when two runs overlap after the lease of the first one expired', async () => {
    const { ctx, clock, events, db, setDatabaseFault, violations } = makeLab({
      workers: 2, concurrency: 1, leaseMs: 1_000, softLimitMs: 20_000, hardLimitMs: 20_000,
    });
    // The first run hangs, and the database refuses its lease extensions: the lease expires under it.
    const { spy, post } = withHangingHandler(ctx, new Set([1]), 10_000);
    const instance = await start(spy);
    await post('a');
    await clock.advance(300);
    expect(eventsOf(events, 'background-jobs.job').filter((e) => e.to === 'active')).toHaveLength(1);
    setDatabaseFault(() => ({ latencyMs: 0, error: { kind: 'busy' } }));
    await clock.advance(2_000);
    setDatabaseFault(() => ({ latencyMs: 0 }));
    // A sweeper outside the lab (another deployment's worker) takes the expired job back first.
    const { changes } = await db().run(
      `UPDATE jobs SET state = 'retrying', run_at = 0, worker_id = NULL, lease_token = NULL, lease_expires_at = NULL
       WHERE state = 'active' AND lease_expires_at <= ?`,
      clock.wallNow(),
    );
    expect(changes).toBe(1);
    await clock.advance(1_000);
    const runs = eventsOf(events, 'background-jobs.job').filter((e) => e.to === 'active');
    expect(runs.map((e) => [e.attempt, e.workerId])).toEqual([[1, 'worker-1'], [2, 'worker-2']]);
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('breaks one-worker-per-job when a second run starts while the lease of the first one holds', async () => {
    const { ctx, clock, send, events, db, violations } = makeLab({ workers: 2, concurrency: 1, jobMs: 5_000, leaseMs: 1_000, softLimitMs: 20_000, hardLimitMs: 20_000 });
    const instance = await start(ctx);
    await send(instance, 'load-1');
    await clock.advance(1_900);
    // A queue that hands out a leased job: the row goes back to ready while its worker still extends the lease.
    await db().run(`UPDATE jobs SET state = 'retrying', run_at = 0 WHERE state = 'active'`);
    await clock.advance(150); // worker-2 polls at 2 s, before worker-1's next extension
    expect(eventsOf(events, 'background-jobs.job').filter((e) => e.to === 'active').map((e) => e.workerId)).toEqual(['worker-1', 'worker-2']);
    expect(violations.map((v) => v.invariant)).toEqual(['one-worker-per-job']);
    await instance.dispose();
  });

  it('gives no no-job-lost verdict while the sweeps that take jobs back are themselves refused', async () => {
    const { ctx, clock, drive, setFault, events, violations } = makeLab({ leaseMs: 1_000 });
    // A database fault heavy enough that every sweep (recoverExpired, the one transaction) fails, while the lab's reads pass.
    let refuseSweeps = false;
    const real = ctx.db;
    const db = new Proxy(real, {
      get: (target, name) => {
        if (name === 'transaction' && refuseSweeps) return () => Promise.reject(new Error('database is locked (SQLITE_BUSY)'));
        const value = Reflect.get(target, name) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const instance = await start(Object.create(ctx, { db: { value: db } }) as LabContext);
    setFault('worker-crash', everyNth(3));
    await drive(instance, 1_000);
    setFault('worker-crash', undefined);
    refuseSweeps = true;
    await clock.advance(10_000);
    expect(eventsOf(events, 'background-jobs.queue-error').some((e) => e.during === 'recover')).toBe(true);
    expect(violations).toEqual([]);
    refuseSweeps = false;
    await clock.advance(10_000);
    expect(violations).toEqual([]);
    await instance.dispose();
  });

  it('keeps the jobs across a redeploy: the jobs the old workers held complete on the new ones', async () => {
    const { ctx, clock, drive, events, violations, db } = makeLab();
    const first = await start(ctx);
    await drive(first, 1_000, 20);
    await first.dispose();
    const held = await db().get<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE state IN ('active', 'queued')");
    expect(held!.n).toBeGreaterThan(0);
    const second = await start(ctx);
    await clock.advance(10_000);
    const left = await db().get<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE state NOT IN ('completed', 'dead')");
    expect(left!.n).toBe(0);
    expect(eventsOf(events, 'background-jobs.job').some((e) => e.lostBy !== undefined)).toBe(true);
    expect(violations).toEqual([]);
    await second.dispose();
  });

  it('answers bad input with a 400 saying what is wrong, and an unknown job with a 404', async () => {
    const { ctx } = makeLab();
    // The lab's own server, reached as the load reaches it: keep the client ctx.server returns.
    let api: HttpClient | undefined;
    const spy: LabContext = Object.create(ctx, {
      server: { value: (name: string, definition: ServiceDefinition) => (api = ctx.server(name, definition)) },
    });
    const instance = await start(spy);
    const post = (body: unknown, headers: Record<string, string> = {}) => api!.request({ method: 'POST', path: '/process', body, headers });
    expect(await post({ customer: 'c1' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/points/) } });
    expect(await post({ customer: 'c1', points: 5, priority: -2 })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/priority/) } });
    expect(await post({ customer: 'c1', points: 5 }, { 'idempotency-key': '42' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/key/) } });
    const created = await post({ customer: 'c1', points: 5 }, { 'idempotency-key': 'order-1' });
    expect(created).toMatchObject({ status: 202, body: { id: 'order-1', created: true, state: 'queued', status: '/task/order-1' } });
    expect(await post({ customer: 'c1', points: 5 }, { 'idempotency-key': 'order-1' })).toMatchObject({ status: 200, body: { id: 'order-1', created: false } });
    expect(await api!.request({ method: 'GET', path: '/task/order-1' })).toMatchObject({ status: 200, body: { id: 'order-1', name: 'credit-points' } });
    expect(await api!.request({ method: 'GET', path: '/task/nope' })).toMatchObject({ status: 404, body: { error: 'no job nope' } });
    await instance.dispose();
  });
});
