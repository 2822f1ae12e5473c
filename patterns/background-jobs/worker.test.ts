import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom, VirtualClock, type JobData } from '../kit/index.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import { retryDelay } from './backoff.ts';
import { SqliteJobQueue } from './sqlite-queue.ts';
import { type JobHandler, type JobTransition, Worker, type WorkerOptions } from './worker.ts';

const opened: RunDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

const setUp = async () => {
  const clock = new VirtualClock();
  const db = new RunDatabase({ connection: memoryDatabase(), clock, emit: () => undefined });
  opened.push(db);
  const queue = await SqliteJobQueue.open({ db, clock, random: new SeededRandom(3) });
  const moves: JobTransition[] = [];
  const workers: Worker[] = [];
  const worker = (id: string, handler: JobHandler, options: Partial<WorkerOptions> = {}) => {
    const w = new Worker({ id, queue, clock, random: new SeededRandom(5), handlers: { work: handler }, leaseMs: 1_000, pollMs: 50, ...options });
    w.onTransition((move) => moves.push(move));
    workers.push(w);
    w.start();
    return w;
  };
  return { clock, db, queue, moves, worker, workers };
};

describe('retryDelay', () => {
  it('doubles per failed attempt up to the cap, waiting between half and all of it', () => {
    const random = new SeededRandom(1);
    const policy = { baseMs: 1_000, maxMs: 10_000 };
    for (const [attempt, ceiling] of [[1, 1_000], [2, 2_000], [3, 4_000], [4, 8_000], [5, 10_000], [30, 10_000]] as const) {
      for (let i = 0; i < 50; i++) {
        const delay = retryDelay(attempt, policy, random);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('spreads jobs that failed together: their delays differ', () => {
    const random = new SeededRandom(2);
    const delays = Array.from({ length: 100 }, () => retryDelay(3, { baseMs: 1_000, maxMs: 60_000 }, random));
    expect(new Set(delays).size).toBeGreaterThan(90);
  });

  it('refuses an attempt number below 1 and a policy whose cap is under its base', () => {
    const random = new SeededRandom(1);
    expect(() => retryDelay(0, { baseMs: 1, maxMs: 2 }, random)).toThrow(/from 1/);
    expect(() => retryDelay(1, { baseMs: 5, maxMs: 2 }, random)).toThrow(/baseMs <= maxMs/);
  });
});

describe('Worker', () => {
  it('runs at most `concurrency` jobs at once, and completes them all', async () => {
    const { clock, queue, worker, moves } = await setUp();
    let inFlight = 0;
    let peak = 0;
    worker(
      'w1',
      async (job) => {
        peak = Math.max(peak, ++inFlight);
        await clock.sleep(100);
        inFlight--;
        return { done: job.id };
      },
      { concurrency: 3 },
    );
    for (let n = 0; n < 10; n++) await queue.enqueue('work', { n });
    await clock.advance(1_000);
    expect(peak).toBe(3);
    expect(await queue.counts()).toMatchObject({ completed: 10 });
    expect(moves.filter((m) => m.to === 'completed')).toHaveLength(10);
    expect((await queue.get('1'))!.result).toEqual({ done: '1' });
  });

  it('keeps extending the lease of a job that runs longer than it, so no other worker takes it', async () => {
    const { clock, queue, worker } = await setUp();
    const ranOn: string[] = [];
    const slow: JobHandler = async (_job, { workerId }) => {
      ranOn.push(workerId);
      await clock.sleep(3_500);
    };
    worker('w1', slow);
    await queue.enqueue('work', {});
    await clock.advance(200);
    worker('w2', slow);
    await clock.advance(5_000);
    expect(ranOn).toEqual(['w1']);
    expect(await queue.counts()).toMatchObject({ completed: 1 });
  });

  it('retries a failed attempt after a jittered backoff, then lets the job die with its error', async () => {
    const { clock, queue, worker, moves } = await setUp();
    worker('w1', async () => {
      throw new Error('smtp refused');
    }, { backoff: { baseMs: 1_000, maxMs: 10_000 } });
    await queue.enqueue('work', {}, { attempts: 3 });
    await clock.advance(10_000);
    expect(moves.map((m) => `${m.from}→${m.to}`)).toEqual(['queued→active', 'active→retrying', 'retrying→active', 'active→retrying', 'retrying→active', 'active→dead']);
    const [first, second] = moves.filter((m) => m.to === 'retrying');
    expect(first!.retryInMs).toBeGreaterThanOrEqual(500);
    expect(first!.retryInMs).toBeLessThanOrEqual(1_000);
    expect(second!.retryInMs).toBeGreaterThanOrEqual(1_000);
    expect(second!.retryInMs).toBeLessThanOrEqual(2_000);
    expect(await queue.get('1')).toMatchObject({ state: 'dead', lastError: 'smtp refused', attemptsMade: 3 });
  });

  it('aborts the signal at the soft limit, and gives up on a handler that ignores it at the hard limit', async () => {
    const { clock, queue, worker, moves } = await setUp();
    let aborted: unknown;
    worker(
      'w1',
      async (_job, { signal }) => {
        signal.addEventListener('abort', () => (aborted = signal.reason));
        await clock.sleep(10_000); // ignores the signal
      },
      { softLimitMs: 1_000, hardLimitMs: 2_000 },
    );
    await queue.enqueue('work', {}, { attempts: 1 });
    await clock.advance(1_500);
    expect(aborted).toMatchObject({ name: 'SoftTimeLimitError' });
    expect(moves.at(-1)!.to).toBe('active');
    await clock.advance(1_000);
    expect(moves.at(-1)).toMatchObject({ to: 'dead', error: 'hard time limit of 2000 ms exceeded' });
    await clock.advance(10_000);
  });

  it('fails a job nobody has a handler for, saying so', async () => {
    const { clock, queue, worker } = await setUp();
    worker('w1', async () => null);
    await queue.enqueue('resize-image', {}, { attempts: 1 });
    await clock.advance(500);
    expect(await queue.get('1')).toMatchObject({ state: 'dead', lastError: "no handler for jobs named 'resize-image' on worker w1" });
  });

  it('loses no job when a worker is killed mid-job: another takes it once the lease expires, and it runs again', async () => {
    const { clock, queue, worker, moves } = await setUp();
    const runs: Array<{ jobId: string; workerId: string }> = [];
    const handler: JobHandler = async (job, { workerId, signal }) => {
      runs.push({ jobId: job.id, workerId });
      await clock.sleep(300, signal);
      return 'done' as JobData;
    };
    const doomed = worker('w1', handler, { concurrency: 2 });
    for (let n = 0; n < 4; n++) await queue.enqueue('work', { n });
    await clock.advance(100);
    expect(doomed.jobs).toEqual(['1', '2']);
    doomed.kill();
    worker('w2', handler);
    await clock.advance(5_000);
    expect(await queue.counts()).toMatchObject({ completed: 4, active: 0 });
    const recovered = moves.filter((m) => m.lostBy === 'w1');
    expect(recovered.map((m) => m.jobId)).toEqual(['1', '2']);
    // At least once: the job the dead worker held ran again, on the worker that took it back.
    expect(runs.filter((r) => r.jobId === '1').map((r) => r.workerId)).toEqual(['w1', 'w2']);
  });

  it('drops the outcome of a job whose lease it lost, instead of overwriting the worker that took it over', async () => {
    const { clock, queue, worker, moves } = await setUp();
    const lost: string[] = [];
    // A stalled worker: its database calls to extend fail, so its lease lapses while the job still runs.
    const stalled = worker('w1', async () => {
      await clock.sleep(2_500);
      return 'late';
    });
    stalled.onLeaseLost(({ jobId }) => lost.push(jobId));
    const extend = queue.extend.bind(queue);
    queue.extend = async (lease, ms) => (lease.workerId === 'w1' ? Promise.reject(new Error('database is locked')) : extend(lease, ms));
    await queue.enqueue('work', {});
    await clock.advance(100);
    worker('w2', async () => 'on time');
    await clock.advance(5_000);
    expect(lost).toEqual(['1']);
    expect(await queue.get('1')).toMatchObject({ state: 'completed', result: 'on time' });
    expect(moves.filter((m) => m.to === 'completed').map((m) => m.workerId)).toEqual(['w2']);
  });

  it('stops gracefully: takes no new job, and finishes and records the ones it runs', async () => {
    const { clock, queue, worker } = await setUp();
    const w = worker('w1', async () => clock.sleep(500));
    await queue.enqueue('work', {});
    await queue.enqueue('work', {});
    await clock.advance(100);
    const stopped = w.stop();
    await clock.advance(1_000);
    await stopped;
    expect(await queue.counts()).toMatchObject({ completed: 1, queued: 1 });
    expect(clock.pending).toBe(0);
  });

  it('stops gracefully while a claim is in flight: runs the job the claim brings, and resolves only after it', async () => {
    const { clock, queue, worker } = await setUp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const claim = queue.claim.bind(queue);
    const gated = Object.assign(Object.create(queue) as SqliteJobQueue, {
      claim: async (workerId: string, leaseMs: number) => {
        await gate;
        return claim(workerId, leaseMs);
      },
    });
    const w = worker('w1', async () => clock.sleep(500), { queue: gated });
    await queue.enqueue('work', {});
    await clock.advance(60); // the first poll's claim is now waiting at the gate
    let resolved = false;
    const stopped = w.stop().then(() => (resolved = true));
    await clock.advance(10);
    expect(resolved).toBe(false);
    release();
    await clock.advance(1_000);
    await stopped;
    // Not dropped (left active until its lease expired, an attempt lost): run and recorded.
    expect(await queue.get('1')).toMatchObject({ state: 'completed', attemptsMade: 1 });
    expect(clock.pending).toBe(0);
  });

  it('leaves no timer behind when killed', async () => {
    const { clock, queue, worker } = await setUp();
    const w = worker('w1', async (_job, { signal }) => clock.sleep(5_000, signal), { concurrency: 2 });
    await queue.enqueue('work', {});
    await clock.advance(100);
    w.kill();
    await clock.advance(0);
    expect(clock.pending).toBe(0);
  });
});
