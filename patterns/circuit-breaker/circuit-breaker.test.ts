import { beforeEach, describe, expect, it } from 'vitest';
import { setListenerErrorHandler, VirtualClock, type Clock } from '../kit/index.ts';
import { ConsecutiveBreaker, FailureRateBreaker } from './breakers.ts';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type FailureEvent,
  type RejectEvent,
  type StateChangeEvent,
} from './circuit-breaker.ts';
import { BrokenCircuitError, IsolatedCircuitError, TimeoutError } from './errors.ts';

const RESET_MS = 1_000;
const CALL_TIMEOUT_MS = 500;

let clock: VirtualClock;
beforeEach(() => {
  clock = new VirtualClock();
});

const makeCircuit = (overrides: CircuitBreakerOptions = {}) => {
  const circuit = new CircuitBreaker({
    clock,
    breaker: new ConsecutiveBreaker(3),
    resetTimeoutMs: RESET_MS,
    callTimeoutMs: CALL_TIMEOUT_MS,
    ...overrides,
  });
  const changes: StateChangeEvent[] = [];
  const rejects: RejectEvent[] = [];
  const failures: FailureEvent[] = [];
  circuit.onStateChange((e) => changes.push(e));
  circuit.onReject((e) => rejects.push(e));
  circuit.onFailure((e) => failures.push(e));
  return { circuit, changes, rejects, failures };
};

const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const succeed = (circuit: CircuitBreaker) => circuit.execute(async () => 'ok');
/** Resolves to the error the call rejected with. */
const fail = (circuit: CircuitBreaker, error: unknown = new Error('boom')) =>
  circuit.execute(async () => Promise.reject(error)).then(
    () => undefined,
    (e: unknown) => e,
  );

const openCircuit = async (circuit: CircuitBreaker) => {
  for (let i = 0; i < 3; i++) await fail(circuit);
  expect(circuit.state).toBe('open');
};

describe('CircuitBreaker: closed → open', () => {
  it('opens after N consecutive failures, and says so once', async () => {
    const { circuit, changes } = makeCircuit();
    await fail(circuit);
    await fail(circuit);
    expect(circuit.state).toBe('closed');
    await fail(circuit);
    expect(circuit.state).toBe('open');
    expect(changes).toEqual([{ from: 'closed', to: 'open', reason: 'failure-threshold' }]);
    expect(circuit.toJSON()).toEqual({ name: 'open', since: 0, halfOpenAt: RESET_MS });
  });

  it('opens on the failure rate with a FailureRateBreaker on the same clock', async () => {
    const breaker = new FailureRateBreaker({ threshold: 0.5, windowMs: 1_000, minimumCalls: 4 });
    const { circuit } = makeCircuit({ breaker });
    await succeed(circuit);
    await fail(circuit);
    await clock.advance(2_000); // both calls leave the window
    await fail(circuit);
    await fail(circuit);
    await succeed(circuit);
    expect(circuit.state).toBe('closed'); // 2 of 3: below minimumCalls
    await fail(circuit);
    expect(circuit.state).toBe('open'); // 3 of 4
  });

  it('ignores results of calls admitted before it opened (many calls in flight)', async () => {
    const { circuit, changes } = makeCircuit({ callTimeoutMs: Infinity });
    const gates = Array.from({ length: 20 }, () => deferred());
    const calls = gates.map((gate) => circuit.execute(() => gate.promise).catch((e: unknown) => e));
    for (const gate of gates.slice(0, 10)) gate.reject(new Error('boom'));
    await clock.advance(0);
    expect(circuit.state).toBe('open');
    await clock.advance(RESET_MS / 2);
    // Late answers from the closed era: a failure must not re-open (and restart the timer), a success must not close.
    gates[10]!.reject(new Error('late'));
    gates[11]!.resolve();
    await clock.advance(RESET_MS / 2);
    expect(circuit.state).toBe('half-open');
    for (const gate of gates.slice(12)) gate.resolve();
    await Promise.all(calls);
    expect(changes.map((c) => c.to)).toEqual(['open', 'half-open']);
  });
});

describe('CircuitBreaker: open', () => {
  it('fails fast with BrokenCircuitError without calling fn, and fires onReject', async () => {
    const { circuit, rejects } = makeCircuit();
    await openCircuit(circuit);
    let called = false;
    const error = await circuit
      .execute(async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(called).toBe(false);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.state).toBe('open');
  });

  it('goes half-open exactly resetTimeoutMs after opening', async () => {
    const { circuit, changes } = makeCircuit();
    await openCircuit(circuit);
    await clock.advance(RESET_MS - 1);
    expect(circuit.state).toBe('open');
    await clock.advance(1);
    expect(circuit.state).toBe('half-open');
    expect(changes.at(-1)).toEqual({ from: 'open', to: 'half-open', reason: 'reset-timeout' });
  });
});

describe('CircuitBreaker: half-open', () => {
  const halfOpen = async (overrides: CircuitBreakerOptions = {}) => {
    const made = makeCircuit(overrides);
    await openCircuit(made.circuit);
    await clock.advance(RESET_MS);
    expect(made.circuit.state).toBe('half-open');
    return made;
  };

  it('admits only halfOpenMaxProbes concurrent probes; the others fail fast', async () => {
    const { circuit, rejects } = await halfOpen({ halfOpenMaxProbes: 2 });
    const gate = deferred();
    let started = 0;
    const probe = () =>
      circuit.execute(async () => {
        started++;
        await gate.promise;
      });
    const calls = [probe(), probe(), probe(), probe()].map((p) => p.catch((e: unknown) => e));
    expect(started).toBe(2);
    expect(circuit.toJSON()).toMatchObject({ name: 'half-open', probesInFlight: 2 });
    const results = await Promise.all([calls[2], calls[3]]);
    expect(results.every((e) => e instanceof BrokenCircuitError)).toBe(true);
    expect(rejects.map((r) => r.state)).toEqual(['half-open', 'half-open']);
    gate.resolve();
    await Promise.all(calls);
  });

  it('closes once all probes succeed', async () => {
    const { circuit, changes } = await halfOpen({ halfOpenMaxProbes: 2 });
    await succeed(circuit);
    expect(circuit.state).toBe('half-open');
    await succeed(circuit);
    expect(circuit.state).toBe('closed');
    expect(changes.at(-1)).toEqual({ from: 'half-open', to: 'closed', reason: 'probes-succeeded' });
    // The failure history was forgotten: it takes three new failures to open again.
    await fail(circuit);
    await fail(circuit);
    expect(circuit.state).toBe('closed');
  });

  it('reopens on a probe failure, and the timer starts again', async () => {
    const { circuit, changes } = await halfOpen({ halfOpenMaxProbes: 2 });
    const slow = deferred();
    const late = circuit.execute(() => slow.promise);
    await fail(circuit);
    expect(circuit.state).toBe('open');
    expect(changes.at(-1)).toEqual({ from: 'half-open', to: 'open', reason: 'probe-failed' });
    slow.resolve(); // the other probe's success arrives too late to close
    await late;
    expect(circuit.state).toBe('open');
    await clock.advance(RESET_MS);
    expect(circuit.state).toBe('half-open');
  });

  it('frees the probe slot without deciding when the caller aborts', async () => {
    const { circuit } = await halfOpen();
    const caller = new AbortController();
    const probe = circuit.execute((signal) => clock.sleep(100, signal), caller.signal).catch((e: unknown) => e);
    caller.abort(new Error('client went away'));
    expect(await probe).toEqual(new Error('client went away'));
    expect(circuit.state).toBe('half-open');
    await succeed(circuit);
    expect(circuit.state).toBe('closed');
  });
});

describe('CircuitBreaker: what counts as a failure', () => {
  it('aborts a call that outlives callTimeoutMs and counts it as a failure', async () => {
    const { circuit, failures } = makeCircuit({ breaker: new ConsecutiveBreaker(1) });
    let seen: AbortSignal | undefined;
    const call = circuit
      .execute((signal) => {
        seen = signal;
        return new Promise(() => {}); // hangs, ignoring its signal
      })
      .catch((e: unknown) => e);
    await clock.advance(CALL_TIMEOUT_MS - 1);
    expect(seen!.aborted).toBe(false);
    await clock.advance(1);
    const error = await call;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toBe(error);
    expect(failures).toEqual([{ error, durationMs: CALL_TIMEOUT_MS, counted: true }]);
    expect(circuit.state).toBe('open');
  });

  it('counts an error isFailure excuses as a success', async () => {
    class NotFound extends Error {}
    const { circuit, failures } = makeCircuit({ isFailure: (e) => !(e instanceof NotFound) });
    await fail(circuit);
    await fail(circuit);
    await fail(circuit, new NotFound()); // payments answered: the streak is broken
    await fail(circuit);
    await fail(circuit);
    expect(circuit.state).toBe('closed');
    expect(failures.map((f) => f.counted)).toEqual([true, true, false, true, true]);
  });

  it('counts the error when isFailure itself throws', async () => {
    const { circuit } = makeCircuit({
      breaker: new ConsecutiveBreaker(1),
      isFailure: () => {
        throw new Error('broken predicate');
      },
    });
    await fail(circuit);
    expect(circuit.state).toBe('open');
  });
});

describe('CircuitBreaker: call timeouts', () => {
  /** A call that never answers and records the signal it was given. */
  const hang = (seen: AbortSignal[]) => (signal: AbortSignal) => {
    seen.push(signal);
    return new Promise<never>(() => {});
  };

  it('times out each call at its own deadline on one shared clock timer', async () => {
    const { circuit } = makeCircuit({ breaker: new ConsecutiveBreaker(10) });
    const seen: AbortSignal[] = [];
    const timedOutAt: number[] = [];
    const timed = (call: Promise<unknown>) => call.catch((e: unknown) => e instanceof TimeoutError && timedOutAt.push(clock.now()));
    const early = deferred<string>();
    const quick = circuit.execute(() => early.promise); // the timer is set for this one: t = 500
    await clock.advance(100);
    const second = timed(circuit.execute(hang(seen))); // due at 600
    await clock.advance(100);
    const third = timed(circuit.execute(hang(seen))); // due at 700
    expect(clock.pending).toBe(1); // three calls, one timer
    early.resolve('done'); // the oldest ends early: the others keep their own deadlines
    expect(await quick).toBe('done');
    await clock.advance(CALL_TIMEOUT_MS - 100 - 1); // t = 599: the timer fired at 500 and was set again
    expect(timedOutAt).toEqual([]);
    await clock.advance(1);
    await second;
    expect(timedOutAt).toEqual([100 + CALL_TIMEOUT_MS]);
    expect(seen.map((s) => s.aborted)).toEqual([true, false]);
    expect(clock.pending).toBe(1);
    await clock.advance(100);
    await third;
    expect(timedOutAt).toEqual([100 + CALL_TIMEOUT_MS, 200 + CALL_TIMEOUT_MS]);
    expect(seen.map((s) => s.aborted)).toEqual([true, true]);
    expect(clock.pending).toBe(0);
  });

  it('never times a call out early, even when the clock fires its timer early (a real clock may)', async () => {
    // Timers that fire 1 ms before they are due (as Node's may, read against
    // performance.now()), though never sooner than 1 ms after they are set.
    const hasty: Clock = {
      now: () => clock.now(),
      wallNow: () => clock.wallNow(),
      setTimeout: (callback, ms) => clock.setTimeout(callback, Math.max(1, ms - 1)),
      setInterval: (callback, ms) => clock.setInterval(callback, ms),
      sleep: (ms, signal) => clock.sleep(ms, signal),
    };
    const { circuit } = makeCircuit({ clock: hasty });
    let error: unknown;
    void circuit.execute(hang([])).catch((e: unknown) => (error = e));
    await clock.advance(CALL_TIMEOUT_MS - 1);
    expect(error).toBeUndefined();
    await clock.advance(1);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(clock.pending).toBe(0);
  });

  it('ignores a result that arrives after the timeout', async () => {
    const { circuit, failures } = makeCircuit();
    const successes: unknown[] = [];
    circuit.onSuccess((e) => successes.push(e));
    const late = deferred<string>();
    const call = circuit.execute(() => late.promise).catch((e: unknown) => e);
    await clock.advance(CALL_TIMEOUT_MS);
    late.resolve('too late');
    expect(await call).toBeInstanceOf(TimeoutError);
    await clock.advance(0);
    expect(successes).toEqual([]);
    expect(failures.map((f) => f.counted)).toEqual([true]);
  });

  it('gives a callee that declares no parameter the shared signal, and still times it out', async () => {
    const { circuit } = makeCircuit();
    let seen: AbortSignal | undefined;
    const call = circuit
      .execute(function () {
        // Reads the argument it did not declare, to show what it was handed.
        seen = arguments[0] as AbortSignal;
        return new Promise(() => {});
      })
      .catch((e: unknown) => e);
    await clock.advance(CALL_TIMEOUT_MS);
    expect(await call).toBeInstanceOf(TimeoutError);
    expect(seen!.aborted).toBe(false); // the circuit's signal: it aborts on dispose only
    circuit.dispose();
    expect(seen!.aborted).toBe(true);
  });

  it('times out a call started by an abort listener while others expire', async () => {
    const { circuit } = makeCircuit({ breaker: new ConsecutiveBreaker(10) });
    let retry: Promise<unknown> | undefined;
    const first = circuit
      .execute((signal) => {
        // Starts a new call the moment this one is aborted, from inside the timer.
        signal.addEventListener('abort', () => {
          retry = circuit.execute(hang([])).catch((e: unknown) => e);
        });
        return new Promise(() => {});
      })
      .catch((e: unknown) => e);
    await clock.advance(CALL_TIMEOUT_MS);
    expect(await first).toBeInstanceOf(TimeoutError);
    expect(clock.pending).toBe(1);
    await clock.advance(CALL_TIMEOUT_MS);
    expect(await retry).toBeInstanceOf(TimeoutError);
    expect(clock.pending).toBe(0);
  });

  it('keeps the timer set between calls made one after another, until it finds none in flight or the circuit is disposed', async () => {
    const { circuit } = makeCircuit();
    await succeed(circuit); // t = 0: the timer is set for 500, and stays after the call
    expect(clock.pending).toBe(1);
    await clock.advance(300);
    await succeed(circuit); // no new timer: the one set is due sooner than this call's deadline
    const hung = circuit.execute(hang([])).catch((e: unknown) => e); // due at 800
    expect(clock.pending).toBe(1);
    await clock.advance(200); // t = 500: it wakes, finds the hung call, and is set again for it
    expect(clock.pending).toBe(1);
    await clock.advance(300); // t = 800
    expect(await hung).toBeInstanceOf(TimeoutError);
    expect(clock.pending).toBe(0); // it found no call left, so it was not set again
    await succeed(circuit);
    expect(clock.pending).toBe(1);
    circuit.dispose();
    expect(clock.pending).toBe(0);
  });

  it('sets no timer without a timeout, and still ends the call when the caller aborts', async () => {
    const { circuit } = makeCircuit({ callTimeoutMs: Infinity });
    const seen: AbortSignal[] = [];
    const caller = new AbortController();
    const call = circuit.execute(hang(seen), caller.signal).catch((e: unknown) => e);
    expect(clock.pending).toBe(0);
    caller.abort('gone');
    expect(await call).toBe('gone');
    expect(seen[0]!.reason).toBe('gone');
  });
});

describe('CircuitBreaker: manual control', () => {
  it('isolate() holds it open with IsolatedCircuitError until every handle is disposed', async () => {
    const { circuit, changes } = makeCircuit();
    const first = circuit.isolate();
    const second = circuit.isolate();
    expect(circuit.state).toBe('isolated');
    expect(await fail(circuit)).toBeInstanceOf(IsolatedCircuitError);
    await clock.advance(RESET_MS * 10); // no timer ends an isolation
    first.dispose();
    first.dispose();
    expect(circuit.state).toBe('isolated');
    second.dispose();
    expect(circuit.state).toBe('closed');
    expect(changes).toEqual([
      { from: 'closed', to: 'isolated', reason: 'isolated' },
      { from: 'isolated', to: 'closed', reason: 'isolation-released' },
    ]);
  });

  it('reset() closes an open circuit and cancels its timer', async () => {
    // No call timeout: its timer, left set after the calls (guarded-call.ts), would be counted too.
    const { circuit, changes } = makeCircuit({ callTimeoutMs: Infinity });
    await openCircuit(circuit);
    expect(clock.pending).toBe(1);
    circuit.reset();
    expect(circuit.state).toBe('closed');
    expect(clock.pending).toBe(0);
    expect(changes.at(-1)).toEqual({ from: 'open', to: 'closed', reason: 'manual-reset' });
    await succeed(circuit);
  });

  it('reset() ends an isolation; its handles then do nothing', async () => {
    const { circuit, changes } = makeCircuit();
    const handle = circuit.isolate();
    circuit.reset();
    handle.dispose();
    expect(circuit.state).toBe('closed');
    expect(changes.map((c) => c.reason)).toEqual(['isolated', 'manual-reset']);
  });
});

describe('CircuitBreaker: events and lifetime', () => {
  it('fires each state change exactly once per transition over a whole cycle', async () => {
    const { circuit, changes } = makeCircuit();
    await openCircuit(circuit);
    expect(await fail(circuit)).toBeInstanceOf(BrokenCircuitError); // rejections change nothing
    await clock.advance(RESET_MS);
    await fail(circuit);
    await clock.advance(RESET_MS);
    await succeed(circuit);
    await clock.advance(RESET_MS * 5);
    expect(changes).toEqual([
      { from: 'closed', to: 'open', reason: 'failure-threshold' },
      { from: 'open', to: 'half-open', reason: 'reset-timeout' },
      { from: 'half-open', to: 'open', reason: 'probe-failed' },
      { from: 'open', to: 'half-open', reason: 'reset-timeout' },
      { from: 'half-open', to: 'closed', reason: 'probes-succeeded' },
    ]);
  });

  it('lets a listener reset the circuit from inside the open event without leaving a timer behind', async () => {
    const { circuit, changes } = makeCircuit({ callTimeoutMs: Infinity }); // as in the reset() test above
    circuit.onStateChange(({ to }) => to === 'open' && circuit.reset());
    await openCircuit(circuit).catch(() => undefined);
    expect(circuit.state).toBe('closed');
    expect(clock.pending).toBe(0);
    expect(changes.map((c) => c.to)).toEqual(['open', 'closed']);
  });

  it('keeps going when a listener throws', async () => {
    const { circuit, changes } = makeCircuit();
    const errors: unknown[] = [];
    setListenerErrorHandler((e) => errors.push(e));
    try {
      circuit.onFailure(() => {
        throw new Error('broken listener');
      });
      await openCircuit(circuit);
      expect(changes).toHaveLength(1);
      expect(errors).toHaveLength(3);
    } finally {
      // Back to the kit's default: rethrow outside the emitter.
      setListenerErrorHandler((error) => queueMicrotask(() => {
        throw error;
      }));
    }
  });

  it('reports success durations on the injected clock', async () => {
    const { circuit } = makeCircuit();
    const durations: number[] = [];
    circuit.onSuccess(({ durationMs }) => durations.push(durationMs));
    const call = circuit.execute(() => clock.sleep(42));
    await clock.advance(42);
    await call;
    expect(durations).toEqual([42]);
  });

  it('reports no made-up duration to a listener added while a call runs', async () => {
    // No timeout and no listener when the call starts: its start is not read (see execute).
    const circuit = new CircuitBreaker({ clock, callTimeoutMs: Infinity });
    const durations: number[] = [];
    const call = circuit.execute(() => clock.sleep(42));
    circuit.onSuccess(({ durationMs }) => durations.push(durationMs));
    await clock.advance(42);
    await call;
    expect(durations).toEqual([]);
    await clock.advance(10);
    const next = circuit.execute(() => clock.sleep(42));
    await clock.advance(42);
    await next;
    expect(durations).toEqual([42]);
  });

  it('dispose() leaves no pending timers, ends calls in flight and refuses new ones', async () => {
    const { circuit } = makeCircuit();
    await openCircuit(circuit);
    circuit.reset();
    const inFlight = circuit.execute(() => new Promise(() => {})).catch((e: unknown) => e);
    await openCircuit(circuit);
    expect(clock.pending).toBe(2); // the half-open timer and the call's timeout
    circuit.dispose();
    expect(clock.pending).toBe(0);
    expect(await inFlight).toBeInstanceOf(BrokenCircuitError);
    expect(await fail(circuit)).toBeInstanceOf(BrokenCircuitError);
    circuit.reset();
    circuit.dispose();
    expect(clock.pending).toBe(0);
  });

  it('rejects bad options with a RangeError naming the value', () => {
    expect(() => makeCircuit({ resetTimeoutMs: 0 })).toThrow(/resetTimeoutMs.*got 0/);
    expect(() => makeCircuit({ resetTimeoutMs: Infinity })).toThrow(RangeError);
    expect(() => makeCircuit({ halfOpenMaxProbes: 0 })).toThrow(/halfOpenMaxProbes.*got 0/);
    expect(() => makeCircuit({ callTimeoutMs: -5 })).toThrow(/callTimeoutMs.*got -5/);
    expect(() => makeCircuit({ callTimeoutMs: Infinity })).not.toThrow();
  });
});
