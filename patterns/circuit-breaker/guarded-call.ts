/**
 * A circuit's calls in flight and their timeout: the plumbing behind
 * `callTimeoutMs`.
 *
 * When a call's time is up, when the caller's signal aborts, or when the
 * circuit is disposed, the call's promise rejects at once, even if the call
 * ignores its signal, and then its signal aborts (so a well-behaved call stops
 * its work: closes the socket, drops the query). A result that comes later
 * changes nothing.
 *
 * The kit's `Deadline` (patterns/kit/deadline.ts) gives one piece of work a
 * timer and an AbortSignal of its own. That suits a retry's overall deadline,
 * but this runs on every call, where those two would cost more than the rest
 * of the breaker together. So:
 * - Every call of a circuit has the same timeout, so deadlines fall due in
 *   the order the calls started. The calls in flight are a queue, and one
 *   clock timer, set for the oldest, serves them all (Node keeps its own
 *   timers the same way: one list per duration).
 * - That timer stays set when the last call ends. Setting and clearing a Node
 *   timer costs about 0.9 µs on a VM, a good part of a call through the
 *   breaker, and calls made one after another would pay it on every call. Left
 *   alone, it wakes once per timeout period while calls flow, finds the queue
 *   empty (and stops) or a later call at its head (and is set again for it).
 *   The price: after the last call it may keep a process alive for up to
 *   `timeoutMs` (as the open state's reset timer does), unless the circuit is
 *   disposed, which clears it (`cancelAll`).
 * - A call gets an AbortSignal of its own only if it declares a parameter to
 *   receive it (a signal costs several µs in Node); a call written `() => …`
 *   cannot read one anyway.
 */
import { invokeWithSignal, type Clock, type Disposable } from '../kit/index.ts';
import { TimeoutError } from './errors.ts';

export interface CallsInFlightOptions {
  clock: Clock;
  /** The same for every call; `Infinity` for none. */
  timeoutMs: number;
  /** Handed to a call that declares no parameter (`fn.length === 0`) instead of a signal of its own. */
  sharedSignal: AbortSignal;
}

/** What the queue needs of a call. */
interface InFlight {
  /** Clock time at which the call times out. */
  readonly expiresAt: number;
  /** The queue's links, kept by CallsInFlight: the call started just before this one, and just after. */
  prev: InFlight | undefined;
  next: InFlight | undefined;
  stop(reason: unknown): void;
}

export class CallsInFlight {
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly sharedSignal: AbortSignal;
  /**
   * The queue: a list linked through the calls themselves, oldest first, so
   * also in the order their deadlines fall due. (A Set would do, but it
   * hashes every new call, which measured slower than the rest of the queue.)
   */
  private oldest: InFlight | undefined;
  private newest: InFlight | undefined;
  /**
   * Set while any call runs, due no later than the oldest call's deadline (it
   * may be due sooner, for a call gone since). It may stay set with none.
   */
  private timer: Disposable | undefined;
  /** One callback, made once: the timer is set again and again. */
  private readonly onTimer = (): void => this.expire();

  constructor(options: CallsInFlightOptions) {
    this.clock = options.clock;
    this.timeoutMs = options.timeoutMs;
    this.sharedSignal = options.sharedSignal;
  }

  /**
   * Calls `fn` under the timeout, counted from `start` (a reading of the
   * clock, just taken), and the caller's `signal` if there is one.
   */
  run<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined, start: number): Promise<T> {
    const call = new GuardedCall<T>(this, start + this.timeoutMs, signal);
    call.prev = this.newest;
    if (this.newest) this.newest.next = call;
    else this.oldest = call;
    this.newest = call;
    if (!this.timer && this.timeoutMs !== Infinity) this.setTimer(this.timeoutMs);
    call.start(fn, fn.length === 0 ? this.sharedSignal : call.signal);
    return call.promise;
  }

  /** Ends every call in flight now, with `reason`, and clears the timer. */
  cancelAll(reason: unknown): void {
    while (this.oldest) this.oldest.stop(reason); // each leaves the queue as it stops
    this.timer?.dispose();
    this.timer = undefined;
  }

  /** A call is over: it leaves the queue. The timer stays (see the top of the file). */
  remove(call: InFlight): void {
    if (call.prev) call.prev.next = call.next;
    else this.oldest = call.next;
    if (call.next) call.next.prev = call.prev;
    else this.newest = call.prev;
    call.prev = call.next = undefined;
  }

  private setTimer(delayMs: number): void {
    this.timer?.dispose();
    this.timer = this.clock.setTimeout(this.onTimer, delayMs);
  }

  /** Times out every call whose deadline has passed, then waits for the next one, if any. */
  private expire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    // Each call stopped leaves the queue, so the next oldest comes to its head.
    while (this.oldest && this.oldest.expiresAt <= now) this.oldest.stop(new TimeoutError(this.timeoutMs));
    // Not due yet: the call the timer was set for ended early (or a real clock fired a hair early).
    if (this.oldest) this.setTimer(this.oldest.expiresAt - now);
  }
}

/** One call in flight. It listens to the caller's signal itself (`handleEvent`): no closure per call. */
class GuardedCall<T> implements InFlight, EventListenerObject {
  readonly promise: Promise<T>;
  private resolve!: (value: T) => void;
  private reject!: (error: unknown) => void;
  /** Made on first use of `signal`. */
  private controller: AbortController | undefined;
  private done = false;
  prev: InFlight | undefined;
  next: InFlight | undefined;

  constructor(
    private readonly owner: CallsInFlight,
    readonly expiresAt: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    callerSignal?.addEventListener('abort', this);
  }

  /** The call's own signal: it aborts when the call is stopped. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  /** Calls `fn` with `signal`; its result settles the call unless the call has already ended. */
  start(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): void {
    if (this.callerSignal?.aborted) {
      this.stop(this.callerSignal.reason);
      return;
    }
    invoke(fn, signal).then(
      (value) => {
        if (this.finish()) this.resolve(value);
      },
      (error: unknown) => {
        if (this.finish()) this.reject(error);
      },
    );
  }

  /** The caller's signal aborted (EventTarget calls this on a listener object). */
  handleEvent(): void {
    this.stop(this.callerSignal!.reason);
  }

  /** Ends the call now: its promise rejects with `reason`, then its signal aborts with it. */
  stop(reason: unknown): void {
    if (!this.finish()) return;
    // Settle first, then abort: whatever the call does when its signal fires
    // (reject with an error of its own, at once) comes after, and changes nothing.
    this.reject(reason);
    this.controller?.abort(reason);
  }

  /** True the first time the call ends (that end is its outcome), false after. */
  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    this.callerSignal?.removeEventListener('abort', this);
    this.owner.remove(this);
    return true;
  }
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
export const invoke: <T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal) => Promise<T> = invokeWithSignal;
