/**
 * The broker host: a run's job queues on BullMQ and Redis, kept in the server
 * on behalf of the run's engine, which lives in the sandbox and reaches no
 * network (see broker-channel.ts). One host per run, made when the workbench
 * was started with `--redis`.
 *
 * It is a trust boundary, so it checks every request whatever the sandbox
 * sends: calls from a closed set, arguments of the right shapes, job data that
 * JSON can hold within MAX_JOB_BYTES; per run at most MAX_QUEUES queues,
 * MAX_JOBS jobs and MAX_RUN_BYTES of their data (a loop in a learner's code
 * cannot fill Redis), and MAX_IN_FLIGHT calls at once (nor the server's
 * memory); every queue named after the run (run ids all have one length, so
 * no run's names are a prefix of another's), so no run reaches another's
 * jobs; and no call waits on Redis for more than `callTimeoutMs`. When the
 * run ends, `close` lets the calls in flight finish and removes its queues
 * from Redis; `sweepStaleQueues` removes those of runs a crash left behind.
 */
import type { Enqueued, EnqueueOptions, Failure, JobData, JobQueue, Lease } from '../../patterns/kit/index.ts';
import { Redis } from 'ioredis';
import { BrokerError } from '../../patterns/kit/index.ts';
import { BullMqJobQueue } from './bullmq-job-queue.ts';
import { checkQueueName, infoFromError, type BrokerReply, type BrokerRequest } from './broker-channel.ts';

/** Queues one run may open. */
export const MAX_QUEUES = 4;
/** Jobs one run may create, all its queues together. */
export const MAX_JOBS = 100_000;
/** A job's data (or result), as JSON. */
export const MAX_JOB_BYTES = 64 * 1024;
/** Job data and results one run may store in Redis, all together, as JSON. */
export const MAX_RUN_BYTES = 32 * 1024 * 1024;
/**
 * Calls of one run waiting for Redis at once. Each holds memory in the server (and, while
 * Redis is away, a command in the client's offline queue); past it a call is refused at once.
 */
export const MAX_IN_FLIGHT = 128;
/** The longest lease a claim may ask for. */
const MAX_LEASE_MS = 10 * 60_000;
/** A failure's error text is cut to this many characters. */
const MAX_ERROR_CHARS = 2_000;
const MAX_ID_CHARS = 200;

export interface BrokerHostOptions {
  /** Where Redis is: `redis://host:port`. */
  url: string;
  /** The run's id: each queue's name in Redis begins with it. */
  runId: string;
  /** How long one call may wait for Redis before it fails with a BrokerError. Default 5 s. */
  callTimeoutMs?: number;
  /** Jobs the run may create (default MAX_JOBS), and bytes of their data and results (default MAX_RUN_BYTES). */
  maxJobs?: number;
  maxBytes?: number;
  /** Where Redis's connection errors are told (at most one every LOG_EVERY_MS). */
  log?: (message: string) => void;
}

/** Redis reconnects every second or so while it is gone: one line per this many ms is enough. */
const LOG_EVERY_MS = 30_000;

/** The URL as it may be shown and logged: without a password. */
export const shownRedisUrl = (url: string): string => {
  const shown = new URL(url);
  shown.password = '';
  shown.username = '';
  return shown.toString().replace(/\/$/, '');
};

/**
 * Asks the Redis at `url` for a PING, within `timeoutMs`: a workbench started with `--redis`
 * says at once when nothing answers there, instead of offering an engine that cannot work.
 */
export const checkRedis = async (url: string, timeoutMs = 3_000): Promise<void> => {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(
      `--redis: nothing answered at ${shownRedisUrl(url)} (${error instanceof Error ? error.message : String(error)}). Start redis-server there, or leave --redis out: the labs need no Redis.`,
    );
  } finally {
    client.disconnect();
  }
};

/** How the broker host names a run's queue in Redis: BullMQ keys it under `bull:<name>:…`. */
export const redisQueueName = (runId: string, name: string): string => `workbench-${runId}-${name}`;
const RUN_OF_KEY = /^bull:workbench-([0-9a-f]{12})-/;

/**
 * Removes from Redis the queues of runs that `isStale` names (runs this workbench's store knows
 * and that no longer run: a crash, or a Redis that was away when they stopped, left them there).
 * Queues of runs it does not know (another workbench's, on the same Redis) are left alone.
 * Resolves with how many keys went.
 */
export const sweepStaleQueues = async (url: string, isStale: (runId: string) => boolean): Promise<number> => {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', 'bull:workbench-*', 'COUNT', 1000);
      cursor = next;
      const stale = keys.filter((key) => {
        const runId = RUN_OF_KEY.exec(key)?.[1];
        return runId !== undefined && isStale(runId);
      });
      if (stale.length > 0) removed += await client.unlink(...stale);
    } while (cursor !== '0');
    return removed;
  } finally {
    client.disconnect();
  }
};

const fail = (message: string): never => {
  throw new TypeError(message);
};

const text = (value: unknown, what: string, max = MAX_ID_CHARS): string =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : fail(`${what} must be a string of 1 to ${max} characters`);

const integer = (value: unknown, what: string, min: number, max: number): number =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
    ? (value as number)
    : fail(`${what} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** Is it what JSON holds, and no more than MAX_JOB_BYTES of it? (A Map or a Date would not survive the trip.) */
const jobData = (value: unknown, what: string): JobData => {
  const isJson = (v: unknown, depth: number): boolean => {
    if (depth > 32) return false;
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return true;
    if (typeof v === 'number') return Number.isFinite(v);
    if (Array.isArray(v)) return v.every((item) => isJson(item, depth + 1));
    return isPlainObject(v) && Object.values(v).every((item) => isJson(item, depth + 1));
  };
  if (!isJson(value, 0)) fail(`${what} must be what JSON can hold (plain objects, arrays, strings, finite numbers, booleans, null)`);
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > MAX_JOB_BYTES) fail(`${what} is ${bytes} bytes as JSON; at most ${MAX_JOB_BYTES} are allowed`);
  return value as JobData;
};

const lease = (value: unknown): Lease => {
  if (!isPlainObject(value)) return fail('a lease must be the object a claim returned');
  return {
    jobId: text(value.jobId, 'lease.jobId'),
    token: text(value.token, 'lease.token'),
    workerId: text(value.workerId, 'lease.workerId'),
    attempt: integer(value.attempt, 'lease.attempt', 0, Number.MAX_SAFE_INTEGER),
    expiresAt: typeof value.expiresAt === 'number' ? value.expiresAt : fail('lease.expiresAt must be a number'),
  };
};

const enqueueOptions = (value: unknown): EnqueueOptions => {
  if (value === undefined) return {};
  if (!isPlainObject(value)) return fail('enqueue options must be an object');
  // Only what EnqueueOptions names; the queue checks the values' ranges and says what is wrong.
  const { key, priority, delayMs, attempts } = value as EnqueueOptions;
  return { ...(key !== undefined && { key }), ...(priority !== undefined && { priority }), ...(delayMs !== undefined && { delayMs }), ...(attempts !== undefined && { attempts }) };
};

const failure = (value: unknown): Failure => {
  if (!isPlainObject(value)) return fail('a failure must be { error, retryInMs }');
  const { error, retryInMs } = value;
  if (typeof error !== 'string') fail('failure.error must be a string');
  if (typeof retryInMs !== 'number' || !Number.isFinite(retryInMs) || retryInMs < 0) fail('failure.retryInMs must be a number of ms, 0 or more');
  return { error: (error as string).slice(0, MAX_ERROR_CHARS), retryInMs: retryInMs as number };
};

/** The call a request names, its arguments checked: what to do with the queue. */
const parseCall = (request: BrokerRequest): ((queue: JobQueue) => Promise<unknown>) => {
  switch (request.op) {
    case 'enqueue': {
      const args = [text(request.name, "a job's name"), jobData(request.data, "a job's data"), enqueueOptions(request.options)] as const;
      return (queue) => queue.enqueue(...args);
    }
    case 'claim': {
      const args = [text(request.workerId, 'workerId'), integer(request.leaseMs, 'leaseMs', 1, MAX_LEASE_MS)] as const;
      return (queue) => queue.claim(...args);
    }
    case 'extend': {
      const args = [lease(request.lease), integer(request.leaseMs, 'leaseMs', 1, MAX_LEASE_MS)] as const;
      return (queue) => queue.extend(...args);
    }
    case 'complete': {
      const args = [lease(request.lease), request.result === undefined ? undefined : jobData(request.result, "a job's result")] as const;
      return (queue) => queue.complete(...args);
    }
    case 'fail': {
      const args = [lease(request.lease), failure(request.failure)] as const;
      return (queue) => queue.fail(...args);
    }
    case 'recoverExpired':
      return (queue) => queue.recoverExpired();
    case 'get': {
      const jobId = text(request.jobId, 'a job id');
      return (queue) => queue.get(jobId);
    }
    case 'counts':
      return (queue) => queue.counts();
    default:
      return fail(`no queue call ${JSON.stringify((request as { op?: unknown }).op)}`);
  }
};

const jsonBytes = (value: unknown): number => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value)));

export class BrokerHost {
  private readonly queues = new Map<string, BullMqJobQueue>();
  /** Jobs created and bytes stored, reserved before each call that may add to them. */
  private created = 0;
  private bytes = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private readonly callTimeoutMs: number;
  private lastLogged = -Infinity;

  constructor(private readonly options: BrokerHostOptions) {
    this.callTimeoutMs = options.callTimeoutMs ?? 5_000;
  }

  private readonly onConnectionError = (error: Error): void => {
    const now = performance.now();
    if (now - this.lastLogged < LOG_EVERY_MS) return;
    this.lastLogged = now;
    this.options.log?.(`run ${this.options.runId}: Redis at ${shownRedisUrl(this.options.url)}: ${error.message}`);
  };

  /** Answers one request: never rejects, a failure is the reply. */
  async handle(request: BrokerRequest): Promise<BrokerReply> {
    const id = Number.isSafeInteger(request?.id) ? request.id : -1;
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      return { id, ok: false, error: { kind: 'broker', message: `this run has ${MAX_IN_FLIGHT} calls waiting for Redis already: wait for their answers` } };
    }
    const work = this.call(request);
    this.inFlight.add(work);
    try {
      return { id, ok: true, value: await this.withinTimeout(work) };
    } catch (error) {
      return { id, ok: false, error: infoFromError(error) };
    } finally {
      // Past its timeout a call may still be running on Redis: it counts until it has ended.
      work.then(
        () => this.inFlight.delete(work),
        () => this.inFlight.delete(work),
      );
    }
  }

  /**
   * Lets the calls in flight end (for at most `callTimeoutMs`), then removes the run's queues
   * and their jobs from Redis and closes the connections. Never rejects, and never waits on
   * Redis for long: a Redis that is gone keeps what it had (told to `log`), and the run ends anyway.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.withinTimeout(Promise.allSettled([...this.inFlight])).catch(() => undefined);
    const queues = [...this.queues.entries()];
    this.queues.clear();
    await Promise.all(
      queues.map(async ([name, queue]) => {
        try {
          await this.withinTimeout(queue.obliterate());
        } catch (error) {
          this.options.log?.(`run ${this.options.runId}: its queue ${name} could not be removed from Redis: ${error instanceof Error ? error.message : String(error)}`);
        }
        // A close that Redis does not acknowledge in time: drop the connections, and do not wait for that either.
        await this.withinTimeout(queue.close()).catch(() => void queue.disconnect());
      }),
    );
  }

  private async call(request: BrokerRequest): Promise<unknown> {
    if (this.closed) throw new BrokerError('the run has ended: its queues are gone');
    if (!isPlainObject(request)) return fail('a broker request must be an object');
    // Every argument is checked before Redis is touched.
    const name = checkQueueName(request.queue);
    const call = parseCall(request);
    const queue = this.queue(name);
    // Reserved before the call (calls run side by side): given back only when nothing was stored.
    const job = request.op === 'enqueue' ? 1 : 0;
    const bytes = request.op === 'enqueue' ? jsonBytes(request.data) : request.op === 'complete' ? jsonBytes(request.result) : 0;
    const maxJobs = this.options.maxJobs ?? MAX_JOBS;
    const maxBytes = this.options.maxBytes ?? MAX_RUN_BYTES;
    if (this.created + job > maxJobs) throw new RangeError(`this run has created ${maxJobs} jobs, as many as a run may`);
    if (this.bytes + bytes > maxBytes) throw new RangeError(`this run's jobs hold ${this.bytes} bytes of data in Redis; a run may store at most ${maxBytes}`);
    this.created += job;
    this.bytes += bytes;
    let stored = false;
    try {
      const value = await call(queue);
      stored = request.op !== 'enqueue' || (value as Enqueued).created;
      return value;
    } finally {
      if (!stored) {
        this.created -= job;
        this.bytes -= bytes;
      }
    }
  }

  private queue(name: string): BullMqJobQueue {
    const found = this.queues.get(name);
    if (found) return found;
    if (this.queues.size >= MAX_QUEUES) throw new RangeError(`a run may open ${MAX_QUEUES} queues; it has ${[...this.queues.keys()].join(', ')}`);
    const queue = new BullMqJobQueue({ name: redisQueueName(this.options.runId, name), connection: this.options.url, onError: this.onConnectionError });
    this.queues.set(name, queue);
    return queue;
  }

  private withinTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BrokerError(`Redis did not answer within ${this.callTimeoutMs / 1000} s`)), this.callTimeoutMs);
      timer.unref();
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }
}
