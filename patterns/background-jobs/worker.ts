/**
 * A worker: pulls jobs from a queue and runs their handlers, up to
 * `concurrency` at a time, on the injected clock.
 *
 * For each job it claims it holds a lease and keeps extending it while the
 * handler runs (a third of the lease at a time, so one late extension does
 * not lose it). If the worker dies, the extensions stop, the lease runs out,
 * and whichever worker sweeps next (`recoverExpired`) takes the job back: no
 * job dies with its worker. The price is that a job can run twice, so
 * handlers must be idempotent.
 *
 * Time limits, as Celery names them: at the soft limit the handler's
 * `signal` aborts (a `SoftTimeLimitError`), so it can stop cleanly; at the
 * hard limit the worker stops waiting and fails the attempt (a
 * `HardTimeLimitError`). JavaScript cannot kill a running function, so the
 * handler is only asked, through the same signal, to stop; a process-based
 * worker would be killed, which is why Celery's hard limit costs the worker.
 *
 * A failed attempt is retried after `retryDelay` (backoff.ts): exponential,
 * capped, with jitter; the queue decides whether attempts are left.
 */
import type { ClaimedJob, Clock, Disposable, Event, FailOutcome, Job, JobData, JobQueue, JobState, Lease, Random } from '../kit/index.ts';
import { Emitter, isLeaseLostError } from '../kit/index.ts';
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from './backoff.ts';

/** What a handler is told besides its job. */
export interface JobContext {
  /**
   * Aborts at the soft time limit (and the hard one), when the lease is lost, or when the worker is
   * killed: stop and throw. A graceful `stop()` does not abort it: the worker waits for the handler.
   */
  signal: AbortSignal;
  /** Which attempt this is, from 1: greater than 1, the work may have been done before. */
  attempt: number;
  workerId: string;
}

/** Does one kind of job; what it returns is stored as the job's result. */
export type JobHandler = (job: Job, context: JobContext) => Promise<JobData | void>;

export interface WorkerOptions {
  /** Names this worker in leases and events: `worker-1`. */
  id: string;
  queue: JobQueue;
  /** The handler of each job name. A job with no handler fails its attempt. */
  handlers: Readonly<Record<string, JobHandler>>;
  clock: Clock;
  /** Seeded: the jitter of the retry delays. */
  random: Random;
  /** Jobs run at once. Default 1. */
  concurrency?: number;
  /** How long a claim holds before it must be extended, ms. Default 5 000. */
  leaseMs?: number;
  /** How often an idle worker looks for work, ms. Default 100. */
  pollMs?: number;
  /** How often it takes back jobs whose lease expired, ms. Default half the lease. */
  recoverEveryMs?: number;
  /** The handler's signal aborts after this long, ms. Default 10 000. */
  softLimitMs?: number;
  /** The attempt fails after this long, whatever the handler does, ms. Default 15 000. */
  hardLimitMs?: number;
  backoff?: BackoffPolicy;
}

/** A job moved from one state to another, by this worker. */
export interface JobTransition {
  jobId: string;
  from: JobState;
  to: JobState;
  attempt: number;
  /** The worker that made the move (for a recovered job: the one that swept, not the one that died). */
  workerId: string;
  /** For a recovered job: the worker whose lease expired. */
  lostBy?: string;
  error?: string;
  /** Moving to `retrying`: the backoff chosen. */
  retryInMs?: number;
  /** Moving to `completed` or failing: how long the attempt ran, ms. */
  durationMs?: number;
  /** Moving to `active`: when the new lease expires, unless extended. */
  leaseExpiresAt?: number;
}

export interface LeaseExtended {
  jobId: string;
  workerId: string;
  expiresAt: number;
}

/** This worker's lease on a job was refused: the job was taken back, and its result is not recorded. */
export interface LeaseLost {
  jobId: string;
  workerId: string;
  attempt: number;
}

export interface TimeLimitHit {
  jobId: string;
  workerId: string;
  attempt: number;
  limit: 'soft' | 'hard';
}

/** A call to the queue failed (the database was busy): what the worker was doing, and what it does next. */
export interface QueueError {
  workerId: string;
  during: 'claim' | 'extend' | 'complete' | 'fail' | 'recover';
  jobId?: string;
  error: string;
}

/** The handler ran past its soft time limit: its signal's reason. */
export class SoftTimeLimitError extends Error {
  override readonly name = 'SoftTimeLimitError';
  constructor(readonly limitMs: number) {
    super(`soft time limit of ${limitMs} ms exceeded`);
  }
}

/** The attempt ran past its hard time limit: the worker gave it up. */
export class HardTimeLimitError extends Error {
  override readonly name = 'HardTimeLimitError';
  constructor(readonly limitMs: number) {
    super(`hard time limit of ${limitMs} ms exceeded`);
  }
}

/** The worker stopped while the handler ran: its signal's reason. */
export class WorkerStoppedError extends Error {
  override readonly name = 'WorkerStoppedError';
  constructor(readonly workerId: string) {
    super(`worker ${workerId} stopped`);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** One job this worker is running. */
interface Running {
  jobId: string;
  abort: AbortController;
  timers: Disposable[];
  done: Promise<void>;
}

export class Worker {
  readonly id: string;
  private readonly queue: JobQueue;
  private readonly handlers: Readonly<Record<string, JobHandler>>;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly recoverEveryMs: number;
  private readonly softLimitMs: number;
  private readonly hardLimitMs: number;
  private readonly backoff: BackoffPolicy;

  /** The jobs it runs, by lease token. */
  private readonly running = new Map<string, Running>();
  private poller: Disposable | undefined;
  private polling = false;
  /** The look for work going on now, if any: `stop()` waits for it (a claim may be in flight). */
  private inFlight: Promise<void> = Promise.resolve();
  private lastRecovery = -Infinity;
  private state: 'idle' | 'started' | 'stopping' | 'stopped' | 'killed' = 'idle';

  private readonly transitions = new Emitter<JobTransition>();
  private readonly extensions = new Emitter<LeaseExtended>();
  private readonly leasesLost = new Emitter<LeaseLost>();
  private readonly timeLimits = new Emitter<TimeLimitHit>();
  private readonly queueErrors = new Emitter<QueueError>();

  /** Every move this worker makes: claimed (→ active), completed, failed (→ retrying or dead), recovered. */
  readonly onTransition: Event<JobTransition> = this.transitions.event;
  readonly onLeaseExtended: Event<LeaseExtended> = this.extensions.event;
  readonly onLeaseLost: Event<LeaseLost> = this.leasesLost.event;
  readonly onTimeLimit: Event<TimeLimitHit> = this.timeLimits.event;
  readonly onQueueError: Event<QueueError> = this.queueErrors.event;

  constructor(options: WorkerOptions) {
    const { concurrency = 1, leaseMs = 5_000, pollMs = 100, softLimitMs = 10_000, hardLimitMs = 15_000 } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    if (!(leaseMs > 0)) throw new RangeError(`leaseMs must be > 0, got ${leaseMs}`);
    if (!(pollMs > 0)) throw new RangeError(`pollMs must be > 0, got ${pollMs}`);
    if (!(softLimitMs > 0) || !(hardLimitMs >= softLimitMs)) {
      throw new RangeError(`the time limits need 0 < softLimitMs <= hardLimitMs, got ${softLimitMs} and ${hardLimitMs}`);
    }
    this.id = options.id;
    this.queue = options.queue;
    this.handlers = options.handlers;
    this.clock = options.clock;
    this.random = options.random;
    this.concurrency = concurrency;
    this.leaseMs = leaseMs;
    this.pollMs = pollMs;
    this.recoverEveryMs = options.recoverEveryMs ?? leaseMs / 2;
    this.softLimitMs = softLimitMs;
    this.hardLimitMs = hardLimitMs;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** The ids of the jobs it is running now. */
  get jobs(): string[] {
    return [...this.running.values()].map((r) => r.jobId);
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`worker ${this.id} was started already`);
    this.state = 'started';
    this.poller = this.clock.setInterval(() => void this.poll(), this.pollMs);
  }

  /**
   * Stops taking jobs and waits for the running ones to finish and be
   * recorded: a graceful shutdown (BullMQ's `worker.close()`). A claim in
   * flight when it is called is waited for, and the job it brings is run,
   * not dropped (dropped, it would stay active until its lease expired, and
   * lose an attempt). Handlers' signals do not abort: they finish.
   */
  async stop(): Promise<void> {
    if (this.state === 'started') this.state = 'stopping';
    this.poller?.dispose();
    await this.inFlight;
    await Promise.all([...this.running.values()].map((r) => r.done));
    if (this.state === 'stopping') this.state = 'stopped';
  }

  /**
   * Dies at once, as a crashed process does: stops polling and extending
   * leases, asks every running handler to stop, and records nothing. Its
   * jobs stay active in the queue until their leases expire.
   */
  kill(): void {
    if (this.state === 'killed') return;
    this.state = 'killed';
    this.poller?.dispose();
    for (const job of this.running.values()) {
      for (const timer of job.timers) timer.dispose();
      job.abort.abort(new WorkerStoppedError(this.id));
    }
    this.running.clear();
  }

  private get alive(): boolean {
    return this.state === 'started';
  }

  /** One look for work: take back expired leases when due, then claim until every slot is busy. */
  private poll(): Promise<void> {
    if (this.polling || !this.alive) return this.inFlight;
    this.polling = true;
    this.inFlight = this.lookForWork().finally(() => {
      this.polling = false;
    });
    return this.inFlight;
  }

  private async lookForWork(): Promise<void> {
    if (this.clock.now() - this.lastRecovery >= this.recoverEveryMs) {
      this.lastRecovery = this.clock.now();
      await this.recover();
    }
    while (this.alive && this.running.size < this.concurrency) {
      let claimed: ClaimedJob | undefined;
      try {
        claimed = await this.queue.claim(this.id, this.leaseMs);
      } catch (error) {
        this.queueErrors.fire({ workerId: this.id, during: 'claim', error: messageOf(error) });
        return;
      }
      if (!claimed) return;
      // Claimed by a worker killed while the claim was in flight: its lease will run out like the others'.
      // A worker stopping gracefully runs it (stop() waits for it): dropped, it would lose an attempt.
      if (this.state === 'killed') return;
      this.begin(claimed);
    }
  }

  private async recover(): Promise<void> {
    try {
      for (const lost of await this.queue.recoverExpired()) {
        this.transitions.fire({
          jobId: lost.jobId,
          from: 'active',
          to: lost.state,
          attempt: lost.attempt,
          workerId: this.id,
          lostBy: lost.workerId,
          error: `lease expired: worker ${lost.workerId} stopped answering`,
        });
      }
    } catch (error) {
      this.queueErrors.fire({ workerId: this.id, during: 'recover', error: messageOf(error) });
    }
  }

  private begin({ job, lease }: ClaimedJob): void {
    this.transitions.fire({
      jobId: job.id,
      from: lease.attempt === 1 ? 'queued' : 'retrying',
      to: 'active',
      attempt: lease.attempt,
      workerId: this.id,
      leaseExpiresAt: lease.expiresAt,
    });
    const running: Running = { jobId: job.id, abort: new AbortController(), timers: [], done: Promise.resolve() };
    // By lease token: the same job can come back to this worker while a stalled run of it lingers.
    this.running.set(lease.token, running);
    running.done = this.run(job, lease, running).finally(() => {
      this.running.delete(lease.token);
      // A slot is free: look for the next job now rather than at the next poll.
      if (this.alive) void this.poll();
    });
  }

  private async run(job: Job, firstLease: Lease, running: Running): Promise<void> {
    const { abort } = running;
    const started = this.clock.now();
    let lease = firstLease;
    let leaseLost = false;
    // An extension still in flight when the attempt ends must not act on it any more.
    let settled = false;

    // Keep the lease while the handler works: extend it every third of its length.
    running.timers.push(
      this.clock.setInterval(() => {
        void this.queue.extend(lease, this.leaseMs).then(
          (extended) => {
            if (settled) return;
            lease = extended;
            this.extensions.fire({ jobId: job.id, workerId: this.id, expiresAt: extended.expiresAt });
          },
          (error: unknown) => {
            if (settled) return;
            if (isLeaseLostError(error)) {
              // Another worker may have the job now: stop working on it.
              leaseLost = true;
              abort.abort(error);
            } else {
              this.queueErrors.fire({ workerId: this.id, during: 'extend', jobId: job.id, error: messageOf(error) });
            }
          },
        );
      }, this.leaseMs / 3),
    );
    running.timers.push(
      this.clock.setTimeout(() => {
        this.timeLimits.fire({ jobId: job.id, workerId: this.id, attempt: lease.attempt, limit: 'soft' });
        abort.abort(new SoftTimeLimitError(this.softLimitMs));
      }, this.softLimitMs),
    );
    const hardLimit = new Promise<never>((_, reject) => {
      running.timers.push(
        this.clock.setTimeout(() => {
          this.timeLimits.fire({ jobId: job.id, workerId: this.id, attempt: lease.attempt, limit: 'hard' });
          const error = new HardTimeLimitError(this.hardLimitMs);
          abort.abort(error);
          reject(error);
        }, this.hardLimitMs),
      );
    });

    // A handler that returns nothing leaves the job with no result (not a null one).
    let outcome: { ok: true; result: JobData | undefined } | { ok: false; error: string };
    try {
      const handler = this.handlers[job.name];
      if (!handler) throw new Error(`no handler for jobs named '${job.name}' on worker ${this.id}`);
      const work = handler(job, { signal: abort.signal, attempt: lease.attempt, workerId: this.id });
      // Past the hard limit the handler may still settle: nobody waits for it, and its error is not unhandled.
      work.catch(() => undefined);
      outcome = { ok: true, result: (await Promise.race([work, hardLimit])) as JobData | undefined };
    } catch (error) {
      outcome = { ok: false, error: messageOf(error) };
    } finally {
      settled = true;
      for (const timer of running.timers) timer.dispose();
    }

    // A dead worker records nothing: its lease runs out and another worker takes the job.
    if (this.state === 'killed') return;
    const durationMs = this.clock.now() - started;
    const { attempt } = lease;
    if (leaseLost) {
      this.leasesLost.fire({ jobId: job.id, workerId: this.id, attempt });
      return;
    }
    const during = outcome.ok ? 'complete' : 'fail';
    try {
      if (outcome.ok) {
        await this.queue.complete(lease, outcome.result);
        this.transitions.fire({ jobId: job.id, from: 'active', to: 'completed', attempt, workerId: this.id, durationMs });
      } else {
        const retryInMs = retryDelay(attempt, this.backoff, this.random);
        const next: FailOutcome = await this.queue.fail(lease, { error: outcome.error, retryInMs });
        this.transitions.fire({
          jobId: job.id,
          from: 'active',
          to: next.state,
          attempt,
          workerId: this.id,
          error: outcome.error,
          durationMs,
          ...(next.state === 'retrying' && { retryInMs }),
        });
      }
    } catch (error) {
      if (isLeaseLostError(error)) this.leasesLost.fire({ jobId: job.id, workerId: this.id, attempt });
      // The outcome is not recorded: the job stays active until its lease expires, then runs again.
      else this.queueErrors.fire({ workerId: this.id, during, jobId: job.id, error: messageOf(error) });
    }
  }
}
