/**
 * The message channel between a run's engine (inside the sandbox, which
 * reaches no network) and the broker host (in the server, which holds the
 * connections to Redis: see broker-host.ts). `ctx.broker.jobQueue(name)` is a
 * `JobQueue` whose every call is one request over the run's IPC channel,
 * answered with a reply of the same `id`.
 *
 * Errors cross as what they were, so a lab handles them as it would in
 * process: a `LeaseLostError` stays one (with its job and token), a
 * TypeError or RangeError (a bad option, a refused key) stays one, anything
 * else is a `BrokerError`.
 *
 * No imports of BullMQ here: the engine loads this file.
 */
import {
  BrokerError,
  LeaseLostError,
  type Broker,
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

/** A queue's name as a lab gives it: it becomes part of a Redis key, so it is kept plain. */
export const QUEUE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

export const checkQueueName = (name: unknown): string => {
  if (typeof name !== 'string' || !QUEUE_NAME.test(name)) {
    throw new TypeError(`a queue's name is 1 to 40 lowercase letters, digits and dashes, starting with a letter (got ${JSON.stringify(name)})`);
  }
  return name;
};

/** One `JobQueue` call, by name, with its arguments. */
export type QueueCall =
  | { op: 'enqueue'; name: string; data: JobData; options?: EnqueueOptions }
  | { op: 'claim'; workerId: string; leaseMs: number }
  | { op: 'extend'; lease: Lease; leaseMs: number }
  | { op: 'complete'; lease: Lease; result?: JobData }
  | { op: 'fail'; lease: Lease; failure: Failure }
  | { op: 'recoverExpired' }
  | { op: 'get'; jobId: string }
  | { op: 'counts' };

export type BrokerRequest = QueueCall & { id: number; queue: string };

/** How a failed call crosses the channel. */
export type BrokerErrorInfo =
  | { kind: 'lease-lost'; jobId: string; token: string }
  | { kind: 'type' | 'range' | 'broker'; message: string };

export type BrokerReply = { id: number } & ({ ok: true; value: unknown } | { ok: false; error: BrokerErrorInfo });

/** The error a lab sees for a failed call. */
export const errorFromInfo = (info: BrokerErrorInfo): Error => {
  switch (info.kind) {
    case 'lease-lost':
      return new LeaseLostError(info.jobId, info.token);
    case 'type':
      return new TypeError(info.message);
    case 'range':
      return new RangeError(info.message);
    case 'broker':
      return new BrokerError(info.message);
  }
};

/** The reverse: what a failure in the host sends back. */
export const infoFromError = (error: unknown): BrokerErrorInfo => {
  if (error instanceof LeaseLostError) return { kind: 'lease-lost', jobId: error.jobId, token: error.token };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TypeError) return { kind: 'type', message };
  if (error instanceof RangeError) return { kind: 'range', message };
  return { kind: 'broker', message };
};

/**
 * The engine's end: `ctx.broker`. Each call sends its request at once and
 * settles when its reply arrives. (The channel outlives every call: the run's
 * process ends with it.)
 */
export class BrokerClient implements Broker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(
    readonly description: string,
    private readonly send: (request: BrokerRequest) => void,
  ) {}

  /** A reply from the host; one for no request waiting (already failed) is ignored. */
  receive(reply: BrokerReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(errorFromInfo(reply.error));
  }

  jobQueue(name: string): JobQueue {
    const queue = checkQueueName(name);
    const call = <T>(request: QueueCall) => this.request(queue, request) as Promise<T>;
    return {
      enqueue: (jobName, data, options) => call<Enqueued>({ op: 'enqueue', name: jobName, data, ...(options !== undefined && { options }) }),
      claim: (workerId, leaseMs) => call<ClaimedJob | undefined>({ op: 'claim', workerId, leaseMs }),
      extend: (lease, leaseMs) => call<Lease>({ op: 'extend', lease, leaseMs }),
      complete: (lease, result) => call<void>({ op: 'complete', lease, ...(result !== undefined && { result }) }),
      fail: (lease, failure) => call<FailOutcome>({ op: 'fail', lease, failure }),
      recoverExpired: () => call<RecoveredJob[]>({ op: 'recoverExpired' }),
      get: (jobId) => call<Job | undefined>({ op: 'get', jobId }),
      counts: () => call<Record<JobState, number>>({ op: 'counts' }),
    };
  }

  private request(queue: string, call: QueueCall): Promise<unknown> {
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.send({ ...call, id, queue });
      } catch (error) {
        // The request never left: a value the channel cannot carry (a function in a job's
        // data, say), or a channel that closed under us.
        this.pending.delete(id);
        if (error instanceof Error && error.name === 'DataCloneError') {
          reject(new TypeError(`a job carries only what JSON can hold: ${error.message}`));
          return;
        }
        reject(new BrokerError(`the broker could not be reached: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  }
}
