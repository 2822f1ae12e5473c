/**
 * Retry with backoff: run an operation again when it fails in a way that may
 * pass, waiting longer (and a little randomly) between attempts, within a
 * number of attempts, an overall deadline and the caller's cancellation.
 *
 *   attempt ──ok──▶ done
 *      │ failed
 *      ├─ not retryable ─────────────────▶ give up (not-retryable)
 *      ├─ last attempt ──────────────────▶ give up (attempts)
 *      ├─ wait would end past deadline ──▶ give up (deadline)
 *      └─ wait (backoff, or Retry-After) ─▶ next attempt   (abort: give up at once)
 *
 * This class owns the loop. *How long* to wait is the Backoff's call
 * (backoff.ts); *what* is worth retrying is `isRetryable`'s (retryable.ts).
 */
import { Emitter, RealClock, SeededRandom, type Clock, type Disposable, type Event, type Random } from '../kit/index.ts';
import { Backoff } from './backoff.ts';
import { DeadlineExceededError } from './errors.ts';
import { ExecutionScope, type StopReason } from './execution-scope.ts';
import { isRetryable, retryAfterMs } from './retryable.ts';

/** The defaults, in one place: edit them here and every policy (and the labs) follows. */
export const DEFAULTS = {
  maxAttempts: 3,
  maxRetryAfterMs: 30_000,
  deadlineMs: Infinity,
};

export interface RetryOptions {
  /**
   * Attempts in all, the first included (so 3 means at most 2 retries).
   * Default 3, as the AWS SDKs: enough to ride out a blip; more mostly
   * multiplies load on a service that is down (every layer that retries
   * 3 times turns one user request into 3 × 3 × 3 calls at the bottom).
   */
  maxAttempts?: number;
  /** How long to wait before each retry. Default: exponential from 100 ms, capped at 10 s, full jitter. */
  backoff?: Backoff;
  /** Whether a failure may be retried. Default: `isRetryable` in retryable.ts (transient failures only). */
  isRetryable?: (error: unknown) => boolean;
  /**
   * How long the server asked us to wait (Retry-After), in ms, or undefined.
   * `wallNow` is the clock's wall time (epoch ms), what an HTTP date is read
   * against. Default: `retryAfterMs` in retryable.ts (429 and 503 answers).
   */
  retryAfter?: (error: unknown, wallNow: number) => number | undefined;
  /**
   * The longest Retry-After we honour, ms. Default 30 000: a server that asks
   * for an hour (or sends garbage) does not park our caller for an hour. 0
   * ignores Retry-After altogether.
   */
  maxRetryAfterMs?: number;
  /**
   * The overall budget of one execution, from its start, ms. No attempt starts
   * and no wait is scheduled past it, and an attempt still running when it
   * passes is aborted. Default: none (`Infinity`); set it from your caller's
   * own timeout, since retrying after the caller stopped waiting helps nobody.
   */
  deadlineMs?: number;
  /** Where time comes from. Default: the real clock; tests pass a VirtualClock. */
  clock?: Clock;
  /**
   * Where jitter comes from. Default: seeded from the clock at construction, so
   * two processes started apart do not jitter in lock-step. Tests pass a SeededRandom.
   */
  random?: Random;
}

export interface ExecuteOptions {
  /** The caller's cancellation: aborting it ends a wait or an attempt at once. */
  signal?: AbortSignal;
  /** This execution's budget, overriding the policy's `deadlineMs`. */
  deadlineMs?: number;
}

/** One attempt: gets its number (1 for the first) and a signal to stop its work when the execution ends. */
export type Attempt<T> = (attempt: number, signal: AbortSignal) => Promise<T> | T;

export type GiveUpReason = 'attempts' | 'not-retryable' | 'deadline' | 'aborted';

export interface RetryEvent {
  /** The attempt that just failed; the next one is `attempt + 1`. */
  attempt: number;
  /** The wait before the next attempt. */
  delayMs: number;
  error: unknown;
  /** Set when the server's Retry-After (capped) set the wait. */
  retryAfterMs?: number;
}
export interface GiveUpEvent {
  /** Attempts made (0 when the execution was aborted before the first). */
  attempts: number;
  /** What execute() rejects with. */
  error: unknown;
  reason: GiveUpReason;
}
export interface SuccessEvent {
  attempts: number;
  durationMs: number;
}

export class RetryPolicy implements Disposable {
  private readonly maxAttempts: number;
  private readonly backoff: Backoff;
  private readonly isRetryable: (error: unknown) => boolean;
  private readonly retryAfter: (error: unknown, wallNow: number) => number | undefined;
  private readonly maxRetryAfterMs: number;
  private readonly deadlineMs: number;
  private readonly clock: Clock;
  private readonly random: Random;
  /** Executions in flight, so that dispose() can end them. */
  private readonly running = new Set<ExecutionScope>();
  private disposed = false;

  private readonly retryEmitter = new Emitter<RetryEvent>();
  private readonly giveUpEmitter = new Emitter<GiveUpEvent>();
  private readonly successEmitter = new Emitter<SuccessEvent>();

  /** An attempt failed and another will follow after `delayMs`. Fires before the wait. */
  readonly onRetry: Event<RetryEvent> = this.retryEmitter.event;
  /** The execution failed for good; fires once, just before execute() rejects. */
  readonly onGiveUp: Event<GiveUpEvent> = this.giveUpEmitter.event;
  /** An attempt succeeded; fires once, just before execute() resolves. */
  readonly onSuccess: Event<SuccessEvent> = this.successEmitter.event;

  constructor(options: RetryOptions = {}) {
    const {
      maxAttempts = DEFAULTS.maxAttempts,
      backoff = new Backoff(),
      isRetryable: retryable = isRetryable,
      retryAfter = retryAfterMs,
      maxRetryAfterMs = DEFAULTS.maxRetryAfterMs,
      deadlineMs = DEFAULTS.deadlineMs,
      clock = new RealClock(),
      random = new SeededRandom(Math.floor(clock.now() * 1000)),
    } = options;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
    }
    if (!(maxRetryAfterMs >= 0 && Number.isFinite(maxRetryAfterMs))) {
      throw new RangeError(`maxRetryAfterMs must be a finite number >= 0, got ${maxRetryAfterMs}`);
    }
    if (!(deadlineMs > 0)) throw new RangeError(`deadlineMs must be > 0 (Infinity for none), got ${deadlineMs}`);
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
    this.isRetryable = retryable;
    this.retryAfter = retryAfter;
    this.maxRetryAfterMs = maxRetryAfterMs;
    this.deadlineMs = deadlineMs;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Runs `fn` until it succeeds or the policy gives up. Resolves with the
   * first success. Rejects with the last attempt's error when it was not
   * retryable or the attempts ran out; with DeadlineExceededError when the
   * deadline ended things; with the signal's reason when the caller aborted.
   */
  async execute<T>(fn: Attempt<T>, options: ExecuteOptions = {}): Promise<T> {
    const deadlineMs = options.deadlineMs ?? this.deadlineMs;
    if (!(deadlineMs > 0)) throw new RangeError(`deadlineMs must be > 0 (Infinity for none), got ${deadlineMs}`);
    const started = this.clock.now();
    const scope = new ExecutionScope({ clock: this.clock, deadlineMs, signal: options.signal });
    if (this.disposed) scope.abort(new DOMException('The retry policy was disposed', 'AbortError'));
    this.running.add(scope);
    const delays = this.backoff.start(this.random);
    let lastError: unknown;
    try {
      for (let attempt = 1; ; attempt++) {
        if (scope.stopReason) throw this.stopped(scope, deadlineMs, attempt - 1, lastError);
        try {
          const value = await scope.race(invoke(fn, attempt, scope.signal));
          this.successEmitter.fire({ attempts: attempt, durationMs: this.clock.now() - started });
          return value;
        } catch (error) {
          // The execution was stopped while the attempt ran: the attempt's
          // error (an abort) says nothing about the downstream.
          if (scope.stopReason) throw this.stopped(scope, deadlineMs, attempt, lastError);
          lastError = error;
        }

        if (!this.isRetryable(lastError)) throw this.giveUp('not-retryable', attempt, lastError);
        if (attempt >= this.maxAttempts) throw this.giveUp('attempts', attempt, lastError);

        const wait = this.nextDelay(delays.next(), lastError);
        // A wait that ends at or past the deadline leaves no time for the
        // attempt after it: say so now instead of sleeping first.
        if (wait.delayMs >= scope.remaining()) {
          throw this.giveUp('deadline', attempt, new DeadlineExceededError(deadlineMs, attempt, lastError));
        }
        this.retryEmitter.fire({ attempt, error: lastError, ...wait });
        try {
          await this.clock.sleep(wait.delayMs, scope.signal);
        } catch {
          throw this.stopped(scope, deadlineMs, attempt, lastError);
        }
      }
    } finally {
      scope.dispose();
      this.running.delete(scope);
    }
  }

  /** Ends every execution in flight (they give up as aborted) and refuses new ones. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Listeners go first: the executions aborted below end asynchronously, and
    // their owner, which is shutting down too, no longer wants to hear of them.
    for (const emitter of [this.retryEmitter, this.giveUpEmitter, this.successEmitter]) emitter.dispose();
    const reason = new DOMException('The retry policy was disposed', 'AbortError');
    for (const scope of this.running) scope.abort(reason);
    this.running.clear();
  }

  /**
   * The wait before the next attempt: the backoff's delay, or the server's
   * Retry-After (capped) when that is longer. Honouring it as a floor means
   * we never come back earlier than asked, and keep backing off when the
   * server's hint is shorter than what our own backoff says.
   */
  private nextDelay(backoffMs: number, error: unknown): { delayMs: number; retryAfterMs?: number } {
    const asked = this.maxRetryAfterMs > 0 ? this.retryAfter(error, this.clock.wallNow()) : undefined;
    if (asked === undefined) return { delayMs: backoffMs };
    const retryAfterMs = Math.min(asked, this.maxRetryAfterMs);
    return { delayMs: Math.max(retryAfterMs, backoffMs), retryAfterMs };
  }

  /** Gives up because the scope stopped: the caller aborted (or dispose) or the deadline passed. */
  private stopped(scope: ExecutionScope, deadlineMs: number, attempts: number, lastError: unknown): unknown {
    const reason: StopReason = scope.stopReason ?? 'aborted';
    const error = reason === 'deadline' ? new DeadlineExceededError(deadlineMs, attempts, lastError) : scope.abortReason;
    return this.giveUp(reason, attempts, error);
  }

  private giveUp(reason: GiveUpReason, attempts: number, error: unknown): unknown {
    this.giveUpEmitter.fire({ attempts, error, reason });
    return error;
  }
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
const invoke = <T>(fn: Attempt<T>, attempt: number, signal: AbortSignal): Promise<T> => {
  try {
    return Promise.resolve(fn(attempt, signal));
  } catch (error) {
    return Promise.reject(error);
  }
};
