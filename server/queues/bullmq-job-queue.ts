/**
 * The kit's `JobQueue` on BullMQ and Redis: the real engine beside the
 * background-jobs pattern's embedded one on SQLite. Both pass one contract
 * suite (`patterns/background-jobs/queue.contract.ts`), so a learner can swap
 * one for the other and see what a broker changes and what it does not.
 *
 * BullMQ is driven by hand (its "manual job processing"): the queue's caller
 * claims a job, works on it, and completes or fails it by the lock token it
 * got, which is what `JobQueue` asks for. How each call maps:
 *
 * - enqueue → `Queue.add`, the idempotency key as the `jobId` (BullMQ ignores
 *   an add whose id exists). To tell whether this add created the job, the
 *   stored data carries the add's own nonce.
 * - claim → `Worker.getNextJob(token)` on a worker named after the caller,
 *   whose `lockDuration` is the lease (one worker per caller and lease length).
 * - extend / complete → `job.extendLock` / `job.moveToCompleted`, by token.
 * - fail → `job.moveToFailed`: BullMQ counts the attempt and, with attempts
 *   left, waits the delay its backoff strategy gives. That strategy is ours
 *   and returns the delay the caller chose (`Failure.retryInMs`), so the
 *   backoff policy stays the worker's, as on SQLite.
 * - recoverExpired → every active job whose lock key is gone is failed as
 *   a lost attempt (token "0": there is no lock left to present). BullMQ's
 *   own stalled-job check counts stalls apart from attempts and fails a job
 *   after `maxStalledCount` of them, whatever attempts it has left; the
 *   contract counts a lost lease as an attempt, so that check is not used.
 *
 * Times are the client's `Date.now()`, as BullMQ stamps them; only the
 * lock's expiry is Redis's (a TTL). A lease's expiry is known to the
 * instance that granted or extended it.
 *
 * States: BullMQ's waiting, prioritized and delayed are `queued` before the
 * first attempt and `retrying` after; failed is `dead`.
 */
import { randomUUID } from 'node:crypto';
import { Job as BullJob, Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  JOB_STATES,
  LeaseLostError,
  type ClaimedJob,
  type Enqueued,
  type EnqueueOptions,
  type FailOutcome,
  type Failure,
  type Job,
  type JobData,
  type JobQueue,
  type JobState,
  type Lease,
  type RecoveredJob,
} from '../../patterns/kit/index.ts';

/** The caller name of the sweeps that take expired jobs back. */
const RECOVERY = '(recovery)';

/** BullMQ's largest priority. */
const MAX_PRIORITY = 2_097_152;
/** The backoff type whose delay the failing caller chose. */
const CALLERS_DELAY = 'callers-delay';

/** What a completed job stores: the handler's result, if it gave one (`null` is a result). */
type StoredResult = { value?: JobData };

/** What is stored as the job's data: the caller's, and the nonce of the add that created it. */
interface Stored {
  data: JobData;
  nonce: string;
}

/** A failed attempt as moveToFailed sees it: the delay travels with the error to our backoff strategy. */
class AttemptFailed extends Error {
  constructor(
    message: string,
    readonly retryInMs: number,
  ) {
    super(message);
  }
}

export interface BullMqJobQueueOptions {
  /** The queue's name in Redis (jobs live under `bull:<name>:…`). */
  name: string;
  /** Where Redis is: `redis://host:port`, or ioredis options. */
  connection: string | ConnectionOptions;
  /**
   * Connection errors (Redis gone, refused, reconnecting), as BullMQ reports
   * them apart from any call. Default: ignored; the calls waiting on Redis fail
   * or wait on their own.
   */
  onError?: (error: Error) => void;
}

/**
 * BullMQ workers kept open when idle, all callers and lease lengths together:
 * each holds two connections to Redis. Past it, the idle worker least recently
 * used is closed (a later call of its caller makes it again), so workers that
 * die and are replaced under new names, or a caller that asks for a new lease
 * length each time, leave no connections behind. Workers in use are never
 * closed under their call: how many those are is the caller's to bound (the
 * broker host bounds calls in flight).
 */
const MAX_IDLE_WORKERS = 16;

/** A BullMQ worker for one caller and one lock duration, and the calls using it now. */
interface PooledWorker {
  worker: Worker;
  workerId: string;
  lockDuration: number;
  inUse: number;
}

const connectionOf = (connection: string | ConnectionOptions): ConnectionOptions => {
  if (typeof connection !== 'string') return connection;
  const url = new URL(connection);
  if (url.protocol !== 'redis:') throw new TypeError(`a Redis URL starts with redis:// (got ${JSON.stringify(connection)})`);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    ...(url.pathname.length > 1 && { db: Number(url.pathname.slice(1)) }),
    // A Worker's blocking connection must not give up on a command (BullMQ requires it).
    maxRetriesPerRequest: null,
  };
};

const checkOptions = (name: string, options: EnqueueOptions): void => {
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('a job needs a name: what kind of work it is');
  const { key, priority = 0, delayMs = 0, attempts = 3 } = options;
  if (key !== undefined && (typeof key !== 'string' || key === '' || /^\d+$/.test(key) || key.includes(':'))) {
    throw new TypeError(`the key ${JSON.stringify(key)} cannot be a job id: use a non-empty string, not all digits, without ':'`);
  }
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) throw new RangeError(`priority must be a whole number from 0 to ${MAX_PRIORITY} (got ${priority})`);
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be 0 or more (got ${delayMs})`);
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a whole number, at least 1 (got ${attempts})`);
};

/** BullMQ's refusal of a token that is not the job's lock: the lease is lost. */
const isLockRefusal = (error: unknown): boolean => error instanceof Error && /lock|not in the active state/i.test(error.message);

export class BullMqJobQueue implements JobQueue {
  private readonly connection: ConnectionOptions;
  private readonly queue: Queue;
  /** Workers by caller and lock duration (a BullMQ worker has one), least recently used first. */
  private readonly workers = new Map<string, PooledWorker>();
  private closed = false;
  /** When the leases this instance granted expire, by job id. */
  private readonly leases = new Map<string, number>();

  constructor(private readonly options: BullMqJobQueueOptions) {
    this.connection = connectionOf(options.connection);
    this.queue = new Queue(options.name, { connection: this.connection });
    this.queue.on('error', this.onError);
  }

  private readonly onError = (error: Error): void => this.options.onError?.(error);

  async enqueue<T extends JobData>(name: string, data: T, options: EnqueueOptions = {}): Promise<Enqueued> {
    checkOptions(name, options);
    const nonce = randomUUID();
    const added = await this.queue.add(name, { data, nonce } satisfies Stored, {
      ...(options.key !== undefined && { jobId: options.key }),
      ...(options.priority && { priority: options.priority }),
      ...(options.delayMs && { delay: options.delayMs }),
      attempts: options.attempts ?? 3,
      backoff: { type: CALLERS_DELAY },
      // Finished jobs stay: their ids are what makes an enqueue idempotent, and `get` answers for them.
      removeOnComplete: false,
      removeOnFail: false,
    });
    // The job as stored: this add's, or the one that had the key already.
    const stored = (await BullJob.fromId<Stored>(this.queue, added.id!))!;
    return { id: stored.id!, created: stored.data.nonce === nonce, state: this.stateOf(await stored.getState(), stored.attemptsStarted) };
  }

  async claim(workerId: string, leaseMs: number): Promise<ClaimedJob | undefined> {
    if (!Number.isInteger(leaseMs) || leaseMs <= 0) throw new RangeError(`a lease must last a whole number of ms above 0 (got ${leaseMs})`);
    const token = randomUUID();
    const before = Date.now();
    const next = await this.withWorker(workerId, leaseMs, (worker) => worker.getNextJob(token, { block: false }));
    if (!next) return undefined;
    this.leases.set(next.id!, before + leaseMs);
    const job = (await this.get(next.id!))!;
    return { job, lease: { jobId: job.id, token, workerId, attempt: job.attemptsMade, expiresAt: before + leaseMs } };
  }

  async extend(lease: Lease, leaseMs: number): Promise<Lease> {
    return this.withLeasedJob(lease, async (job) => {
      const before = Date.now();
      if (!(await job.extendLock(lease.token, leaseMs))) throw new LeaseLostError(lease.jobId, lease.token);
      this.leases.set(lease.jobId, before + leaseMs);
      return { ...lease, expiresAt: before + leaseMs };
    });
  }

  async complete(lease: Lease, result?: JobData): Promise<void> {
    await this.withLeasedJob(lease, async (job) => {
      try {
        await job.moveToCompleted((result === undefined ? {} : { value: result }) satisfies StoredResult, lease.token, false);
        this.leases.delete(lease.jobId);
      } catch (error) {
        if (isLockRefusal(error)) throw new LeaseLostError(lease.jobId, lease.token);
        throw error;
      }
    });
  }

  async fail(lease: Lease, failure: Failure): Promise<FailOutcome> {
    return this.withLeasedJob(lease, async (job) => {
      const before = Date.now();
      try {
        await job.moveToFailed(new AttemptFailed(failure.error, failure.retryInMs), lease.token, false);
        this.leases.delete(lease.jobId);
      } catch (error) {
        if (isLockRefusal(error)) throw new LeaseLostError(lease.jobId, lease.token);
        throw error;
      }
      return (await job.getState()) === 'failed' ? { state: 'dead' } : { state: 'retrying', runAt: before + failure.retryInMs };
    });
  }

  async recoverExpired(): Promise<RecoveredJob[]> {
    const client = await this.queue.backend.client;
    const expired: string[] = [];
    for (const active of await this.queue.getActive()) {
      if ((await client.get(`${this.queue.toKey(active.id!)}:lock`)) === null) expired.push(active.id!);
    }
    if (expired.length === 0) return [];
    // Loaded again through a worker of ours (named apart from any caller's): moveToFailed takes
    // the backoff strategy from what loaded the job.
    return this.withWorker(RECOVERY, undefined, async (worker) => {
      const recovered: RecoveredJob[] = [];
      for (const id of expired) {
        const job = await BullJob.fromId<Stored>(worker, id);
        if (!job) continue;
        const workerId = job.processedBy ?? 'unknown';
        this.leases.delete(id);
        try {
          // Token "0": no lock to check, there is none. The lost attempt counts.
          await job.moveToFailed(new AttemptFailed(`the lease of worker ${workerId} expired: it died, hung or lost Redis`, 0), '0', false);
        } catch (error) {
          // Another sweep took it back first (it is not active any more): nothing to do here.
          if (isLockRefusal(error)) continue;
          throw error;
        }
        recovered.push({ jobId: id, workerId, attempt: job.attemptsStarted, state: (await job.getState()) === 'failed' ? 'dead' : 'retrying' });
      }
      return recovered;
    });
  }

  async get(id: string): Promise<Job | undefined> {
    const job = await BullJob.fromId<Stored>(this.queue, id);
    if (!job) return undefined;
    const bullState = await job.getState();
    const state = this.stateOf(bullState, job.attemptsStarted);
    if (state !== 'active') this.leases.delete(id);
    const completed = state === 'completed' ? ((job.returnvalue ?? {}) as StoredResult) : undefined;
    const client = await this.queue.backend.client;
    // A delayed job (a retry's wait too) runs at its score in the delayed set: the time × 0x1000, plus a counter.
    const delayedScore = bullState === 'delayed' ? await client.zscore(this.queue.toKey('delayed'), id) : null;
    return {
      id: job.id!,
      name: job.name,
      data: job.data.data,
      state,
      priority: job.opts.priority ?? 0,
      attemptsMade: job.attemptsStarted,
      maxAttempts: job.opts.attempts ?? 1,
      createdAt: job.timestamp,
      // A waiting job may run now: BullMQ keeps no time for it but its creation.
      runAt: delayedScore !== null ? Math.floor(Number(delayedScore) / 0x1000) : job.timestamp,
      ...(job.finishedOn !== undefined && (state === 'completed' || state === 'dead') && { finishedAt: job.finishedOn }),
      ...(job.failedReason && { lastError: job.failedReason }),
      ...(completed && 'value' in completed && { result: completed.value }),
      // The lease's expiry is known where it was granted or extended (Redis keeps only a TTL on the lock).
      ...(state === 'active' && { workerId: job.processedBy ?? 'unknown', ...(this.leases.has(id) && { leaseExpiresAt: this.leases.get(id)! }) }),
    };
  }

  async counts(): Promise<Record<JobState, number>> {
    const bull = await this.queue.getJobCounts('active', 'completed', 'failed');
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    counts.active = bull.active ?? 0;
    counts.completed = bull.completed ?? 0;
    counts.dead = bull.failed ?? 0;
    // Queued or retrying is a job's own story (has it started before?): read just that field of
    // each waiting job (`ats`, BullMQ's attempts started), not the jobs with their data.
    const waiting = await this.queue.getRanges(['waiting', 'prioritized', 'delayed'], 0, -1);
    // An ioredis client (the connection this queue was given is ioredis options).
    const client = (await this.queue.backend.client) as unknown as Redis;
    for (let i = 0; i < waiting.length; i += 1000) {
      const pipeline = client.pipeline();
      for (const id of waiting.slice(i, i + 1000)) pipeline.hget(this.queue.toKey(id), 'ats');
      for (const [, started] of (await pipeline.exec()) ?? []) counts[Number(started ?? 0) > 0 ? 'retrying' : 'queued']++;
    }
    return counts;
  }

  /** Closes every connection to Redis; the jobs stay there. Calls after it are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const pooled = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(pooled.map(({ worker }) => worker.close()));
    await this.queue.close();
  }

  /** Drops every connection at once, without waiting for Redis (gone, say) to acknowledge. */
  async disconnect(): Promise<void> {
    this.closed = true;
    const all = [this.queue, ...[...this.workers.values()].map(({ worker }) => worker)];
    this.workers.clear();
    await Promise.all(all.map((each) => each.disconnect().catch(() => undefined)));
  }

  /** Removes this queue and every job of it from Redis. */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  private stateOf(bullState: string, attemptsStarted: number): JobState {
    switch (bullState) {
      case 'active':
        return 'active';
      case 'completed':
        return 'completed';
      case 'failed':
        return 'dead';
      default:
        return attemptsStarted > 0 ? 'retrying' : 'queued';
    }
  }

  /** Runs `work` on the job behind a lease, loaded through a worker of its caller (whose backoff strategy is ours). */
  private withLeasedJob<T>(lease: Lease, work: (job: BullJob<Stored>) => Promise<T>): Promise<T> {
    return this.withWorker(lease.workerId, undefined, async (worker) => {
      const job = await BullJob.fromId<Stored>(worker, lease.jobId);
      if (!job) throw new LeaseLostError(lease.jobId, lease.token);
      return work(job);
    });
  }

  /**
   * Runs `call` on the caller's worker with a lock of `leaseMs`, made on first use (without
   * `leaseMs`, any worker of the caller: completing, failing or extending a lease does not
   * depend on the lock's length). The worker is not closed while the call uses it.
   */
  private async withWorker<T>(workerId: string, leaseMs: number | undefined, call: (worker: Worker) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`the queue ${this.options.name} is closed`);
    const pooled = this.pooledWorker(workerId, leaseMs);
    pooled.inUse++;
    try {
      return await call(pooled.worker);
    } finally {
      pooled.inUse--;
      this.closeIdleBeyondBound();
    }
  }

  private pooledWorker(workerId: string, leaseMs: number | undefined): PooledWorker {
    let key: string | undefined;
    if (leaseMs !== undefined) key = `${leaseMs}@${workerId}`;
    else {
      // The caller's most recently used worker, whatever its lock.
      for (const [k, p] of this.workers) if (p.workerId === workerId) key = k;
    }
    const found = key === undefined ? undefined : this.workers.get(key);
    if (found) {
      // Newest use last: the map's order is the workers' recency.
      this.workers.delete(key!);
      this.workers.set(key!, found);
      return found;
    }
    const lockDuration = leaseMs ?? 30_000;
    const worker = new Worker(this.options.name, null, {
      connection: this.connection,
      name: workerId,
      autorun: false,
      lockDuration,
      settings: { backoffStrategy: (_attempts, _type, error) => (error instanceof AttemptFailed ? error.retryInMs : 0) },
    });
    worker.on('error', this.onError);
    const pooled = { worker, workerId, lockDuration, inUse: 0 };
    this.workers.set(`${lockDuration}@${workerId}`, pooled);
    return pooled;
  }

  /** Closes the least recently used idle workers beyond MAX_IDLE_WORKERS. */
  private closeIdleBeyondBound(): void {
    let idle = 0;
    for (const pooled of this.workers.values()) if (pooled.inUse === 0) idle++;
    for (const [key, pooled] of this.workers) {
      if (idle <= MAX_IDLE_WORKERS) return;
      if (pooled.inUse > 0) continue;
      this.workers.delete(key);
      idle--;
      pooled.worker.close().catch(this.onError);
    }
  }

  /** How many BullMQ workers (two connections each) are open now: for tests and the curious. */
  get openWorkers(): number {
    return this.workers.size;
  }
}
