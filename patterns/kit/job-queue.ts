/**
 * A durable job queue, as workers see it: pull-based, with a lease per active
 * job. One interface, two engines: the background-jobs pattern's embedded
 * queue on the run's SQLite database, and a queue on BullMQ and Redis. One
 * contract suite (`patterns/background-jobs/queue.contract.ts`) runs against
 * both, so they cannot drift apart.
 *
 * It is written to be implementable with BullMQ's manual job processing:
 *
 * | here                      | BullMQ                                                             |
 * |---------------------------|--------------------------------------------------------------------|
 * | `enqueue(name, data, o)`  | `Queue.add(name, data, { jobId: o.key, priority, delay, attempts })` |
 * | `claim(workerId, ms)`     | `Worker.getNextJob(token)`, the worker's `lockDuration` = `ms`      |
 * | `extend(lease, ms)`       | `job.extendLock(token, ms)`                                         |
 * | `complete(lease, r)`      | `job.moveToCompleted(r, token, false)`                              |
 * | `fail(lease, f)`          | `job.moveToFailed(error, token)`, with a backoff strategy that returns `f.retryInMs` |
 * | `recoverExpired()`        | each active job whose lock key is gone: `moveToFailed`, a lost attempt |
 * | `get(id)`, `counts()`     | `Queue.getJob(id)`, `Queue.getJobCounts()`                          |
 *
 * Three choices follow from that:
 * - The idempotency key *is* the job id (BullMQ's `jobId`): enqueueing a key
 *   that exists returns the job that has it and runs nothing twice. As in
 *   BullMQ, a key is never all digits (generated ids are), and has no `:`.
 * - Every call on an active job carries the lease's token (BullMQ's lock
 *   token). A token the queue no longer honours — the lease expired and the
 *   job went back, or another worker holds it now — is refused with
 *   `LeaseLostError`: a worker that was presumed dead cannot overwrite the
 *   work of the one that took its job over.
 * - The retry delay is decided by the caller (the worker's backoff policy,
 *   with jitter), not by the queue: `fail` says how long to wait; the queue
 *   only decides whether attempts are left.
 *
 * Recovery is not BullMQ's own stalled-jobs check: that one counts stalls
 * apart from attempts and, past `maxStalledCount`, fails a job whatever
 * attempts it has left. Here a lost lease costs one attempt, like a failure.
 *
 * Times (`runAt`, `createdAt`, `expiresAt`, …) are epoch milliseconds on a
 * wall clock (the SQLite queue's `wallNow()`; for BullMQ, the client's
 * `Date.now()`, as BullMQ stamps its jobs: only the lock's TTL runs on
 * Redis's clock): the jobs outlive any one process, so their times must mean
 * something to every worker that reads them.
 *
 * Delivery is at least once: a job whose worker dies mid-job runs again on
 * another worker once its lease expires, so a handler must be idempotent.
 *
 * Pure types and two error classes.
 */

/**
 * Where a job is. `queued` (waiting for a worker; a delayed job waits here
 * until its `runAt`) → `active` (a worker holds its lease) → `completed`; or an
 * attempt fails → `retrying` (waiting out its backoff until `runAt`) → `active`
 * again → … → `dead` after the last attempt. `completed` and `dead` are final.
 * (Bull Board's "failed" column is `dead` here: a failed *attempt* is a move
 * from `active` to `retrying` or `dead`, with its error.)
 */
export type JobState = 'queued' | 'active' | 'retrying' | 'completed' | 'dead';

export const JOB_STATES: readonly JobState[] = ['queued', 'active', 'retrying', 'completed', 'dead'];

/** The states a job never leaves. */
export const isFinalJobState = (state: JobState): boolean => state === 'completed' || state === 'dead';

/** What a job carries: anything JSON can hold (it is stored, and may cross machines). */
export type JobData = null | boolean | number | string | JobData[] | { [key: string]: JobData };

export interface EnqueueOptions {
  /**
   * The idempotency key, which becomes the job's id. Enqueueing a key that
   * exists (in any state) returns that job and creates none. Not all digits,
   * and no `:` (BullMQ refuses a job id with one): refused with a TypeError.
   */
  key?: string;
  /** Smaller runs first: 0 (the default) is the highest, as in BullMQ; at most 2_097_152. */
  priority?: number;
  /** Not before this many ms from now: a delayed job. Default 0. */
  delayMs?: number;
  /** How many times it may run in all, the first included. Default 3. */
  attempts?: number;
}

export interface Job<T extends JobData = JobData> {
  id: string;
  /** What kind of work it is (the handler's name). */
  name: string;
  data: T;
  state: JobState;
  priority: number;
  /** Attempts started so far (an attempt whose worker died counts). */
  attemptsMade: number;
  maxAttempts: number;
  createdAt: number;
  /** The earliest time a worker may claim it (queued or retrying). */
  runAt: number;
  /** When it became completed or dead. */
  finishedAt?: number;
  /** The error of its latest failed attempt. */
  lastError?: string;
  /** What the handler returned, once completed; absent when it returned nothing. */
  result?: JobData;
  /** While active: the worker holding the lease, and when the lease expires. */
  workerId?: string;
  leaseExpiresAt?: number;
}

/** The right to work on one active job, until `expiresAt`. */
export interface Lease {
  jobId: string;
  /** Unique per claim (BullMQ's lock token): what `extend`, `complete` and `fail` present. */
  token: string;
  workerId: string;
  /** Which attempt this is, from 1. */
  attempt: number;
  expiresAt: number;
}

export interface ClaimedJob<T extends JobData = JobData> {
  job: Job<T>;
  lease: Lease;
}

export interface Enqueued {
  id: string;
  /** False when the key named a job that existed: nothing new will run. */
  created: boolean;
  state: JobState;
}

export interface Failure {
  error: string;
  /** How long to wait before the next attempt (the worker's backoff); ignored on the last attempt. */
  retryInMs: number;
}

/** Where a failed attempt left the job. */
export type FailOutcome = { state: 'retrying'; runAt: number } | { state: 'dead' };

/** A job taken back from a worker whose lease expired (it died, hung or lost its connection). */
export interface RecoveredJob {
  jobId: string;
  /** The worker that held it. */
  workerId: string;
  attempt: number;
  /** `retrying` when attempts are left, `dead` when the lost one was the last. */
  state: 'retrying' | 'dead';
}

export interface JobQueue {
  /** Stores a job and returns its id at once; the work happens later, on a worker. */
  enqueue<T extends JobData>(name: string, data: T, options?: EnqueueOptions): Promise<Enqueued>;
  /**
   * Takes the next job that may run now (smallest priority, then earliest
   * `runAt`, then first enqueued) and leases it to `workerId` for `leaseMs`;
   * `undefined` when none may run. Two claims never get the same job while
   * its lease holds.
   */
  claim(workerId: string, leaseMs: number): Promise<ClaimedJob | undefined>;
  /** Pushes the lease's expiry to `leaseMs` from now; `LeaseLostError` when the token is stale. */
  extend(lease: Lease, leaseMs: number): Promise<Lease>;
  /** The job is done: `completed`, final, with `result` if one is given. `LeaseLostError` when the token is stale. */
  complete(lease: Lease, result?: JobData): Promise<void>;
  /** The attempt failed: `retrying` after `retryInMs`, or `dead` on the last attempt. `LeaseLostError` when the token is stale. */
  fail(lease: Lease, failure: Failure): Promise<FailOutcome>;
  /**
   * Takes back every active job whose lease has expired: to `retrying` (runs
   * again at once) when attempts are left, else to `dead`. Call it
   * periodically, from any worker: it is how a job outlives its worker.
   */
  recoverExpired(): Promise<RecoveredJob[]>;
  get(id: string): Promise<Job | undefined>;
  /** How many jobs are in each state. */
  counts(): Promise<Record<JobState, number>>;
}

/** The lease presented is no longer honoured: it expired and the job was taken back, or finished. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';

  constructor(
    readonly jobId: string,
    readonly token: string,
  ) {
    super(`job ${jobId}: the lease ${token} is no longer held (it expired and the job was taken back, or finished)`);
  }
}

export const isLeaseLostError = (error: unknown): error is LeaseLostError => error instanceof LeaseLostError;

/**
 * A message broker a job queue can live on, outside the run: the workbench's
 * Redis (`--redis`), with BullMQ as the engine. The run asks for queues by
 * name; the server keeps them (the sandbox reaches no network), names them
 * after the run so two runs never share jobs, and removes them when the run
 * stops.
 */
export interface Broker {
  /** What and where, for the learner: "BullMQ on redis://127.0.0.1:6379". */
  readonly description: string;
  /** The run's job queue `name` (lowercase letters, digits and dashes), made on first use. */
  jobQueue(name: string): JobQueue;
}

/** The broker failed a call: it could not be reached, did not answer in time, or refused it. */
export class BrokerError extends Error {
  override readonly name = 'BrokerError';
}

export const isBrokerError = (error: unknown): error is BrokerError => error instanceof BrokerError;
