/**
 * Timeouts and cancellation, written once: the plumbing behind a circuit
 * breaker's call timeout, an event handler's timeout, a retry policy's
 * overall deadline and a downstream call's `timeoutMs` / `signal`.
 *
 * A Deadline owns one AbortSignal. It aborts when the time is up (on the
 * injected Clock, never the global setTimeout), when the caller's signal
 * aborts, or when `abort()` is called; work run under it gets that signal so
 * it can stop (close a socket, drop a query), and the promise of the work
 * rejects at that moment even if the work ignores its signal. `dispose()`
 * (done for you by `withDeadline`) removes its timer and its listener on the
 * caller's signal, so nothing outlives the work.
 */
import type { Clock } from './clock.ts';
import type { Disposable } from './events.ts';
import { DownstreamError } from './http.ts';

/** Why a deadline stopped: its time ran out, or it was aborted (the caller's signal or `abort()`). */
export type DeadlineStop = 'timeout' | 'aborted';

export interface DeadlineOptions {
  clock: Clock;
  /** From now, ms; `undefined` or `Infinity` for no time limit. */
  timeoutMs?: number | undefined;
  /** The caller's signal: when it aborts, so does the deadline. */
  signal?: AbortSignal | undefined;
  /** What the timeout rejects (and aborts the signal) with. Default: a DOMException named TimeoutError. */
  timeoutError?: (timeoutMs: number) => unknown;
  /** What the caller's abort rejects with, given its reason. Default: the reason itself. */
  abortError?: (reason: unknown) => unknown;
}

const defaultTimeoutError = (timeoutMs: number): unknown =>
  new DOMException(`The operation did not finish within ${timeoutMs} ms`, 'TimeoutError');

const abortedError = (): unknown => new DOMException('The operation was aborted', 'AbortError');

/** Calls `fn`, turning a synchronous throw into a rejection. */
export const invokeWithSignal = <T>(fn: (signal: AbortSignal) => T | Promise<T>, signal: AbortSignal): Promise<T> => {
  try {
    return Promise.resolve(fn(signal));
  } catch (error) {
    return Promise.reject(error);
  }
};

/** A time limit and a cancellation for one piece of work (or several in a row, as a retry loop's attempts). */
export class Deadline implements Disposable {
  /** Clock time (`clock.now()`) at which the time is up; Infinity without a limit. */
  readonly expiresAt: number;
  private readonly clock: Clock;
  private readonly controller = new AbortController();
  private readonly options: DeadlineOptions;
  private readonly racers = new Set<(error: unknown) => void>();
  private timer: Disposable | undefined;
  private onOuterAbort: (() => void) | undefined;
  private stop: DeadlineStop | undefined;

  constructor(options: DeadlineOptions) {
    const { clock, signal } = options;
    const timeoutMs = options.timeoutMs ?? Infinity;
    if (Number.isNaN(timeoutMs)) throw new RangeError('timeoutMs must be a number (Infinity or undefined for none), got NaN');
    this.options = options;
    this.clock = clock;
    this.expiresAt = clock.now() + timeoutMs;
    if (signal?.aborted) {
      this.abortWith('aborted', this.outerError(signal));
      return;
    }
    if (signal) {
      this.onOuterAbort = () => this.abortWith('aborted', this.outerError(signal));
      signal.addEventListener('abort', this.onOuterAbort, { once: true });
    }
    if (timeoutMs !== Infinity) {
      this.timer = clock.setTimeout(() => this.abortWith('timeout', (options.timeoutError ?? defaultTimeoutError)(timeoutMs)), timeoutMs);
    }
  }

  /** Aborts when the deadline stops; hand it to the work. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the deadline stopped, or undefined while it runs. */
  get stopReason(): DeadlineStop | undefined {
    return this.stop;
  }

  /** What the signal was aborted with (undefined while it runs). */
  get reason(): unknown {
    return this.controller.signal.aborted ? this.controller.signal.reason : undefined;
  }

  /** Ms left until the time is up (Infinity without a limit; may be negative once passed). */
  remaining(): number {
    return this.expiresAt - this.clock.now();
  }

  /**
   * Settles like `promise`, or rejects with the stop's error the moment the
   * deadline stops. Once stopped, a later settlement of `promise` changes nothing.
   */
  race<T>(promise: Promise<T>, settled?: () => void): Promise<T> {
    if (this.stop) {
      settled?.();
      promise.catch(() => undefined); // its outcome no longer matters
      return Promise.reject(this.controller.signal.reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.racers.add(reject);
      promise.then(
        (value) => {
          this.racers.delete(reject);
          settled?.();
          resolve(value);
        },
        (error: unknown) => {
          this.racers.delete(reject);
          settled?.();
          reject(error);
        },
      );
    });
  }

  /**
   * Calls `fn` with the signal (a synchronous throw becomes a rejection) and
   * races it; does not call it once stopped. `settled` runs as soon as `fn`
   * settles on its own (before the promise's reactions), e.g. to dispose.
   */
  run<T>(fn: (signal: AbortSignal) => T | Promise<T>, settled?: () => void): Promise<T> {
    if (this.stop) {
      settled?.();
      return Promise.reject(this.controller.signal.reason);
    }
    return this.race(invokeWithSignal(fn, this.controller.signal), settled);
  }

  /** Stops now: pending races reject with `reason`, then the signal aborts with it. */
  abort(reason: unknown = abortedError()): void {
    this.abortWith('aborted', reason);
  }

  /** Removes the timer and the listener on the caller's signal. Does not abort: the work is over. */
  dispose(): void {
    this.timer?.dispose();
    this.timer = undefined;
    if (this.onOuterAbort) this.options.signal?.removeEventListener('abort', this.onOuterAbort);
    this.onOuterAbort = undefined;
  }

  private outerError(signal: AbortSignal): unknown {
    const reason = signal.reason ?? abortedError();
    return this.options.abortError ? this.options.abortError(reason) : reason;
  }

  private abortWith(stop: DeadlineStop, error: unknown): void {
    if (this.stop) return;
    this.stop = stop;
    this.dispose();
    // Reject first, abort second: work that rejects on its signal with an
    // error of its own must not win the race against the deadline's error.
    for (const reject of [...this.racers]) reject(error);
    this.racers.clear();
    this.controller.abort(error);
  }
}

/**
 * Runs `fn` under a deadline: resolves or rejects as `fn` does, or rejects
 * with the timeout's error when `timeoutMs` passes on `clock`, or with the
 * caller's abort, whichever comes first. `fn`'s signal aborts then. The timer
 * and the listener are removed however it ends.
 *
 *   await withDeadline((signal) => client.request({ path, signal }), { clock, timeoutMs: 500, signal });
 */
export function withDeadline<T>(fn: (signal: AbortSignal) => T | Promise<T>, options: DeadlineOptions): Promise<T> {
  const deadline = new Deadline(options);
  return deadline.run(fn, () => deadline.dispose());
}

/** Waits until `signal` aborts, then rejects with its reason: work that never answers by itself. */
export const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/**
 * The deadline of one call to a downstream service (`HttpRequest.timeoutMs`
 * and `signal`), failing as a broken connection does: a DownstreamError
 * `ETIMEDOUT` when the timeout passes, `ABORTED` when the caller aborts. The
 * real HTTP client, the simulated services and the test harness share it:
 *
 *   withDeadline((signal) => send(request, signal), downstreamDeadline(clock, 'inventory', request));
 */
export const downstreamDeadline = (
  clock: Clock,
  target: string,
  limits: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
): DeadlineOptions => ({
  clock,
  timeoutMs: limits.timeoutMs,
  signal: limits.signal,
  timeoutError: () => new DownstreamError('ETIMEDOUT', target),
  abortError: () => new DownstreamError('ABORTED', target),
});
