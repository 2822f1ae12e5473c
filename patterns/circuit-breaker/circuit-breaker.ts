/**
 * A circuit breaker: stops calling a downstream that keeps failing, fails
 * fast instead, and lets a few probe calls through after a while to find out
 * whether it has recovered.
 *
 *   closed ──(breaker trips)──▶ open ──(resetTimeoutMs)──▶ half-open
 *     ▲                          ▲                             │
 *     └────(probes succeed)──────┼─────────────────────────────┤
 *                                └──────(a probe fails)────────┘
 *
 * This class owns the state machine. *When* to trip is the Breaker's call
 * (breakers.ts); *which* errors count is `isFailure`'s.
 */
import { Emitter, RealClock, toDisposable, type Clock, type Disposable, type Event } from '../kit/index.ts';
import { ConsecutiveBreaker, type Breaker } from './breakers.ts';
import { BrokenCircuitError, IsolatedCircuitError, TimeoutError } from './errors.ts';
import { CallsInFlight, invoke } from './guarded-call.ts';

/** The defaults, in one place: edit them here and every circuit (and the lab) follows. */
export const DEFAULTS = {
  /** ConsecutiveBreaker: open after this many failures in a row. */
  consecutiveFailures: 5,
  /** FailureRateBreaker: open at 50% failures over 10 s, once 10 calls were seen. */
  failureRate: { threshold: 0.5, windowMs: 10_000, minimumCalls: 10, buckets: 10 },
  resetTimeoutMs: 10_000,
  halfOpenMaxProbes: 1,
  callTimeoutMs: 10_000,
};

export interface CircuitBreakerOptions {
  /**
   * When to open. Default: `new ConsecutiveBreaker(DEFAULTS.consecutiveFailures)`.
   * A breaker holds one circuit's history: never share an instance between circuits.
   */
  breaker?: Breaker;
  /**
   * How long the circuit stays open before it lets probes through. Default
   * 10 000 ms: long enough for a struggling service to shed its backlog, short
   * enough that callers are not turned away long after it has recovered.
   */
  resetTimeoutMs?: number;
  /**
   * Probe calls admitted in half-open; all must succeed to close, the first
   * failure reopens, other callers fail fast meanwhile. Default 1: a service
   * that is just recovering gets one request, not the whole queue at once.
   */
  halfOpenMaxProbes?: number;
  /**
   * A call that takes longer is aborted (its signal fires), rejects with a
   * TimeoutError and counts as a failure: a hung downstream is the clearest
   * failure of all. Default 10 000 ms, a generous upper bound; set it from the
   * downstream's p99.9 latency plus a margin. `Infinity` turns it off.
   */
  callTimeoutMs?: number;
  /**
   * Whether an error the call threw says the downstream is unhealthy. Default:
   * every error counts. Return false for errors that prove it answered (a 404,
   * a validation error): they count as successes. Timeouts always count.
   */
  isFailure?: (error: unknown) => boolean;
  /** Where time comes from. Default: the real clock; tests pass a VirtualClock. */
  clock?: Clock;
}

/** The circuit's state, as a tagged union: each state carries what only it needs. */
export type CircuitState =
  | { name: 'closed'; since: number }
  | { name: 'open'; since: number; halfOpenAt: number }
  | { name: 'half-open'; since: number; probesInFlight: number; probesSucceeded: number }
  | { name: 'isolated'; since: number; holds: number };

export type CircuitStateName = CircuitState['name'];

export type TransitionReason =
  | 'failure-threshold' // closed → open: the breaker tripped
  | 'reset-timeout' // open → half-open
  | 'probes-succeeded' // half-open → closed
  | 'probe-failed' // half-open → open
  | 'isolated' // any → isolated: isolate()
  | 'isolation-released' // isolated → closed: the last isolate() handle was disposed
  | 'manual-reset'; // any → closed: reset()

export interface StateChangeEvent {
  from: CircuitStateName;
  to: CircuitStateName;
  reason: TransitionReason;
}
export interface SuccessEvent {
  durationMs: number;
}
export interface FailureEvent {
  error: unknown;
  durationMs: number;
  /** False when `isFailure` excused the error or the caller aborted: the circuit did not count it. */
  counted: boolean;
}
export interface RejectEvent {
  /** The state that refused the call. */
  state: CircuitStateName;
  error: BrokenCircuitError;
}

type Verdict = 'success' | 'failure' | 'ignored';

export class CircuitBreaker implements Disposable {
  private readonly breaker: Breaker;
  private readonly resetTimeoutMs: number;
  private readonly halfOpenMaxProbes: number;
  private readonly callTimeoutMs: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly clock: Clock;

  private current: CircuitState;
  private halfOpenTimer: Disposable | undefined;
  /** Handed to calls that get no signal of their own (see execute); aborted on dispose. */
  private readonly lifetime = new AbortController();
  /** The calls the timeout or the caller's signal may end early; dispose() ends them all. */
  private readonly calls: CallsInFlight;
  private disposed = false;

  private readonly stateChangeEmitter = new Emitter<StateChangeEvent>();
  private readonly successEmitter = new Emitter<SuccessEvent>();
  private readonly failureEmitter = new Emitter<FailureEvent>();
  private readonly rejectEmitter = new Emitter<RejectEvent>();

  /** Fires once per transition. */
  readonly onStateChange: Event<StateChangeEvent> = this.stateChangeEmitter.event;
  /** A call went through and resolved. */
  readonly onSuccess: Event<SuccessEvent> = this.successEmitter.event;
  /** A call went through and rejected (or timed out). */
  readonly onFailure: Event<FailureEvent> = this.failureEmitter.event;
  /** A call was refused without being made. */
  readonly onReject: Event<RejectEvent> = this.rejectEmitter.event;

  constructor(options: CircuitBreakerOptions = {}) {
    const {
      breaker = new ConsecutiveBreaker(DEFAULTS.consecutiveFailures),
      resetTimeoutMs = DEFAULTS.resetTimeoutMs,
      halfOpenMaxProbes = DEFAULTS.halfOpenMaxProbes,
      callTimeoutMs = DEFAULTS.callTimeoutMs,
      isFailure = () => true,
      clock = new RealClock(),
    } = options;
    if (!(resetTimeoutMs > 0 && Number.isFinite(resetTimeoutMs))) {
      throw new RangeError(`resetTimeoutMs must be a finite number > 0, got ${resetTimeoutMs}`);
    }
    if (!Number.isInteger(halfOpenMaxProbes) || halfOpenMaxProbes < 1) {
      throw new RangeError(`halfOpenMaxProbes must be an integer >= 1, got ${halfOpenMaxProbes}`);
    }
    if (!(callTimeoutMs > 0)) {
      throw new RangeError(`callTimeoutMs must be > 0 (Infinity for none), got ${callTimeoutMs}`);
    }
    this.breaker = breaker;
    this.resetTimeoutMs = resetTimeoutMs;
    this.halfOpenMaxProbes = halfOpenMaxProbes;
    this.callTimeoutMs = callTimeoutMs;
    this.isFailure = isFailure;
    this.clock = clock;
    this.calls = new CallsInFlight({ clock, timeoutMs: callTimeoutMs, sharedSignal: this.lifetime.signal });
    this.current = { name: 'closed', since: clock.now() };
  }

  get state(): CircuitStateName {
    return this.current.name;
  }

  /** A copy of the current state, for logs, telemetry and tests. */
  toJSON(): CircuitState {
    return { ...this.current };
  }

  /**
   * Runs `fn` through the circuit. Rejects at once with BrokenCircuitError
   * (IsolatedCircuitError when isolated) if the circuit refuses the call, with
   * TimeoutError if it outlives `callTimeoutMs`. `fn` gets a signal that aborts
   * on timeout, when `signal` aborts, or when the breaker is disposed. A signal
   * is made only for an `fn` that declares a parameter for it: `() => …` gets
   * the circuit's shared one (so a wrapper that passes `...args` on should
   * name it instead: `(signal) => inner(signal)`).
   */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    // Admission is synchronous: between reading the state and taking a probe
    // slot no other caller can run, so concurrent callers cannot overbook it.
    const admittedIn = this.admit();
    // The clock is read once after the call (for the breaker and the event),
    // and before it only when something needs the start: the timeout counts
    // from it, listeners get the call's duration. A reading is not free (about
    // 0.1 µs on a VM, a fifth of a call through the breaker). Without one, a
    // listener added while the call runs hears only of the calls after it.
    const needsStart = this.callTimeoutMs !== Infinity || this.successEmitter.hasListeners || this.failureEmitter.hasListeners;
    const start = needsStart ? this.clock.now() : undefined;
    let value: T;
    try {
      value = await this.run(fn, signal, start);
    } catch (error) {
      const end = this.clock.now();
      const verdict = this.judge(error, signal);
      if (this.failureEmitter.hasListeners && start !== undefined) {
        this.failureEmitter.fire({ error, durationMs: end - start, counted: verdict === 'failure' });
      }
      this.settle(admittedIn, verdict, end);
      throw error;
    }
    const end = this.clock.now();
    if (this.successEmitter.hasListeners && start !== undefined) this.successEmitter.fire({ durationMs: end - start });
    this.settle(admittedIn, 'success', end);
    return value;
  }

  /** Holds the circuit open by hand (maintenance, a known outage) until the handle is disposed. */
  isolate(): Disposable {
    let state = this.current;
    if (state.name !== 'isolated') {
      state = { name: 'isolated', since: this.clock.now(), holds: 0 };
      this.moveTo(state, 'isolated');
    }
    state.holds++;
    const held = state;
    return toDisposable(() => {
      // A reset() in between ended this isolation already: then there is nothing to release.
      if (this.current === held && --held.holds === 0) this.close('isolation-released');
    });
  }

  /** Closes the circuit from any state and forgets the failure history. */
  reset(): void {
    if (this.current.name === 'closed') this.breaker.reset();
    else this.close('manual-reset');
  }

  /** Cancels the reset timer and the calls' timeout timer, aborts calls in flight and refuses every later call. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.halfOpenTimer?.dispose();
    this.halfOpenTimer = undefined;
    const reason = new BrokenCircuitError('The circuit breaker was disposed');
    this.calls.cancelAll(reason);
    this.lifetime.abort(reason);
    for (const emitter of [this.stateChangeEmitter, this.successEmitter, this.failureEmitter, this.rejectEmitter]) {
      emitter.dispose();
    }
  }

  /** Returns the state the call was admitted in, or throws the refusal. */
  private admit(): CircuitState {
    const state = this.current;
    if (this.disposed) throw this.reject(state, new BrokenCircuitError('The circuit breaker was disposed'));
    switch (state.name) {
      case 'closed':
        return state;
      case 'half-open':
        if (state.probesInFlight + state.probesSucceeded < this.halfOpenMaxProbes) {
          state.probesInFlight++;
          return state;
        }
        throw this.reject(state, new BrokenCircuitError('The circuit is half-open and its probes are taken'));
      case 'open':
        throw this.reject(state, new BrokenCircuitError());
      case 'isolated':
        throw this.reject(state, new IsolatedCircuitError());
    }
  }

  private reject(state: CircuitState, error: BrokenCircuitError): BrokenCircuitError {
    if (this.rejectEmitter.hasListeners) this.rejectEmitter.fire({ state: state.name, error });
    return error;
  }

  /** Calls `fn` with the call timeout, the caller's signal and dispose() watching it. */
  private run<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined, start: number | undefined): Promise<T> {
    // Nothing to watch: skip the queue of calls in flight and its timer (the cheap path).
    if (this.callTimeoutMs === Infinity && !signal) return invoke(fn, this.lifetime.signal);
    // Only the caller's signal watches it, and no one needed the start before: read it now.
    return this.calls.run(fn, signal, start ?? this.clock.now());
  }

  /** What a rejected call tells us about the downstream. */
  private judge(error: unknown, signal: AbortSignal | undefined): Verdict {
    // The caller gave up: that says nothing about the downstream either way.
    if (signal?.aborted) return 'ignored';
    if (error instanceof TimeoutError) return 'failure';
    try {
      return this.isFailure(error) ? 'failure' : 'success';
    } catch {
      return 'failure'; // a broken predicate must not leave a probe slot taken forever
    }
  }

  /** `now` is the clock read as the call ended. */
  private settle(admittedIn: CircuitState, verdict: Verdict, now: number): void {
    // The circuit moved on while this call ran (it opened, was reset, disposed…):
    // the result belongs to a state that is gone, so it changes nothing.
    if (admittedIn !== this.current || this.disposed) return;
    if (admittedIn.name === 'closed') {
      if (verdict === 'success') this.breaker.success(now);
      else if (verdict === 'failure' && this.breaker.failure(now)) this.open('failure-threshold');
    } else if (admittedIn.name === 'half-open') {
      admittedIn.probesInFlight--;
      if (verdict === 'failure') this.open('probe-failed');
      else if (verdict === 'success' && ++admittedIn.probesSucceeded >= this.halfOpenMaxProbes) {
        this.close('probes-succeeded');
      }
    }
  }

  private open(reason: TransitionReason): void {
    const now = this.clock.now();
    this.moveTo({ name: 'open', since: now, halfOpenAt: now + this.resetTimeoutMs }, reason);
  }

  private close(reason: TransitionReason): void {
    this.breaker.reset();
    this.moveTo({ name: 'closed', since: this.clock.now() }, reason);
  }

  private moveTo(next: CircuitState, reason: TransitionReason): void {
    const from = this.current.name;
    this.halfOpenTimer?.dispose();
    this.halfOpenTimer = undefined;
    // Open → half-open runs on a clock timer rather than lazily on the next
    // call (cockatiel's way). Both are correct; the timer keeps the state
    // honest: `state` and onStateChange say "half-open" the moment the circuit
    // is ready for a probe, even while no traffic comes, which is what a
    // dashboard (and the lab's diagram) should show. The price is one timer per
    // open period, cancelled on every transition and on dispose. It is set
    // before the event fires, so a listener that calls reset() cancels it.
    if (next.name === 'open' && !this.disposed) {
      this.halfOpenTimer = this.clock.setTimeout(() => {
        this.halfOpenTimer = undefined;
        const halfOpen: CircuitState = { name: 'half-open', since: this.clock.now(), probesInFlight: 0, probesSucceeded: 0 };
        if (this.current === next) this.moveTo(halfOpen, 'reset-timeout');
      }, this.resetTimeoutMs);
    }
    this.current = next;
    this.stateChangeEmitter.fire({ from, to: next.name, reason });
  }
}
