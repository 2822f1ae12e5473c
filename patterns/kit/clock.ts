/**
 * Time, injected. Pattern code never calls `Date.now()` or `setTimeout`
 * directly: it asks its Clock. Live runs get the real clock; exercise checks
 * and tests get a VirtualClock, so a 30-second reset timeout is checked in
 * microseconds and always gives the same answer.
 */
import type { Disposable } from './events.ts';

export interface Clock {
  /**
   * Monotonic milliseconds: never jumps, whatever the system clock does. Use
   * it for durations, timeouts, deadlines and run time; only differences
   * between two readings mean anything.
   */
  now(): number;
  /**
   * Wall time in epoch milliseconds (what `Date.now()` says): for dates a
   * person or a protocol reads, such as an HTTP-date `Retry-After`. It may
   * jump (NTP, a user setting the clock), so never measure a duration with it.
   */
  wallNow(): number;
  /**
   * Calls `callback` once after `ms` (any length: delays past 2^31 − 1 ms,
   * which Node's own setTimeout fires after 1 ms, are honoured); dispose the
   * result to cancel.
   */
  setTimeout(callback: () => void, ms: number): Disposable;
  /** Calls `callback` every `ms` (any length, as setTimeout); dispose the result to stop. */
  setInterval(callback: () => void, ms: number): Disposable;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('The operation was aborted', 'AbortError');

/** `sleep` written once in terms of `setTimeout`, for both clocks. */
const sleepOn = (clock: Clock, ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      timer.dispose();
      reject(abortReason(signal!));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The longest delay Node's timers take; a longer one (or Infinity) fires after 1 ms instead. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A delay as the clocks read it: NaN and negatives are 0. */
const delayOf = (ms: number): number => (ms > 0 ? ms : 0);

/** A Node timer as a Disposable: a class, not a closure per timer, as timers are set per call. */
class NodeTimer implements Disposable {
  constructor(private readonly handle: ReturnType<typeof setTimeout>) {}

  dispose(): void {
    clearTimeout(this.handle);
  }
}

/**
 * The machine's clock. `now()` is monotonic (performance.now, counted from
 * the process's time origin, so it reads like epoch ms); `wallNow()` is
 * `Date.now()`.
 */
export class RealClock implements Clock {
  /**
   * Read once: the origin never changes, and its getter is not free (about
   * 40 ns on a VM, beside some 100 for `performance.now()`), on a path that
   * hot code (a circuit breaker, on every call) takes often.
   */
  private readonly timeOrigin = performance.timeOrigin;

  now(): number {
    return this.timeOrigin + performance.now();
  }

  wallNow(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, ms: number): Disposable {
    const delay = delayOf(ms);
    if (delay <= MAX_TIMER_DELAY_MS) {
      return new NodeTimer(setTimeout(callback, delay));
    }
    // Past Node's limit: wait in chunks of at most MAX_TIMER_DELAY_MS until the due time.
    const due = this.now() + delay;
    let handle: ReturnType<typeof setTimeout> | undefined;
    const arm = (left: number) => {
      const chunked = left > MAX_TIMER_DELAY_MS;
      handle = setTimeout(() => (chunked ? arm(due - this.now()) : callback()), chunked ? MAX_TIMER_DELAY_MS : Math.max(0, left));
    };
    arm(delay);
    return { dispose: () => clearTimeout(handle) };
  }

  setInterval(callback: () => void, ms: number): Disposable {
    const every = Math.max(1, delayOf(ms));
    if (every <= MAX_TIMER_DELAY_MS) {
      const handle = setInterval(callback, every);
      return { dispose: () => clearInterval(handle) };
    }
    let timer: Disposable | undefined;
    let stopped = false;
    const next = () => {
      timer = this.setTimeout(() => {
        if (stopped) return;
        next();
        callback();
      }, every);
    };
    next();
    return {
      dispose: () => {
        stopped = true;
        timer?.dispose();
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

interface VirtualTimer {
  at: number;
  seq: number;
  callback: () => void;
  every?: number;
}

/** Lets pending promise callbacks run, as real time passing would. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface VirtualClockOptions {
  /** What `now()` reads at first. Default 0. */
  start?: number;
  /** What `wallNow()` reads at first, epoch ms. Default VirtualClock.DEFAULT_WALL_START. */
  wallStart?: number;
}

/**
 * A clock that moves only when told to. Timers fire in order of due time (ties
 * in the order they were set), and after each one pending promise callbacks
 * run, so async code behaves as it would in real time. Wall time starts at a
 * fixed date (so checks give the same answer every day) and moves with it.
 */
export class VirtualClock implements Clock {
  /** 2026-01-01T00:00:00Z: the default wall-time origin. */
  static readonly DEFAULT_WALL_START = Date.UTC(2026, 0, 1);

  private current: number;
  private readonly wallOffset: number;
  private timers: VirtualTimer[] = [];
  private seq = 0;

  constructor(options: VirtualClockOptions = {}) {
    this.current = options.start ?? 0;
    this.wallOffset = (options.wallStart ?? VirtualClock.DEFAULT_WALL_START) - this.current;
  }

  now(): number {
    return this.current;
  }

  wallNow(): number {
    return this.current + this.wallOffset;
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  setTimeout(callback: () => void, ms: number): Disposable {
    return this.schedule({ at: this.current + delayOf(ms), seq: this.seq++, callback });
  }

  setInterval(callback: () => void, ms: number): Disposable {
    const every = Math.max(1, delayOf(ms));
    return this.schedule({ at: this.current + every, seq: this.seq++, callback, every });
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance takes a duration >= 0, got ${ms}`);
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.fire(next);
      await settle();
    }
    this.current = target;
    await settle();
  }

  /**
   * Fires timers until none is left, or until `limitMs` of virtual time has
   * passed (an interval would otherwise run forever). Returns the time advanced.
   */
  async runUntilIdle(limitMs = 3_600_000): Promise<number> {
    const start = this.current;
    const deadline = start + limitMs;
    await settle();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > deadline) break;
      this.fire(next);
      await settle();
    }
    if (this.timers.length > 0) this.current = deadline;
    return this.current - start;
  }

  private fire(timer: VirtualTimer): void {
    this.timers.shift();
    this.current = Math.max(this.current, timer.at);
    if (timer.every !== undefined) {
      timer.at = this.current + timer.every;
      timer.seq = this.seq++;
      this.insert(timer);
    }
    timer.callback();
  }

  private schedule(timer: VirtualTimer): Disposable {
    this.insert(timer);
    return {
      dispose: () => {
        const index = this.timers.indexOf(timer);
        if (index >= 0) this.timers.splice(index, 1);
        timer.every = undefined;
      },
    };
  }

  private insert(timer: VirtualTimer): void {
    // Timers are few (tens to thousands); a sorted insert keeps firing order obvious.
    let low = 0;
    let high = this.timers.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.timers[mid]!;
      if (other.at < timer.at || (other.at === timer.at && other.seq < timer.seq)) low = mid + 1;
      else high = mid;
    }
    this.timers.splice(low, 0, timer);
  }
}
