import { defineChecks, DownstreamError, type VirtualClock } from '../../../patterns/kit/index.ts';
import { ConsecutiveBreaker } from '../../../patterns/circuit-breaker/breakers.ts';
import { CircuitBreaker, type CircuitBreakerOptions } from '../../../patterns/circuit-breaker/circuit-breaker.ts';
import { TimeoutError } from '../../../patterns/circuit-breaker/errors.ts';

/** Payments answered, with a status that is not 2xx (as the lab throws it). */
class PaymentsStatusError extends Error {
  constructor(readonly status: number) {
    super(`payments answered ${status}`);
  }
}

/** The predicate a checkout would pass: a 5xx or a broken connection says payments is unhealthy. */
const paymentsIsUnhealthy = (error: unknown): boolean =>
  (error instanceof PaymentsStatusError && error.status >= 500) || error instanceof DownstreamError;

const answers = (status: number) => () => Promise.reject(new PaymentsStatusError(status));
const ok = async () => 'charged';

const circuitOf = (clock: VirtualClock, options: CircuitBreakerOptions) =>
  new CircuitBreaker({ clock, resetTimeoutMs: 1_000, callTimeoutMs: Infinity, ...options });

/** Runs one call through the circuit and swallows its error: the checks look at the state. */
const call = (circuit: CircuitBreaker, fn: (signal: AbortSignal) => Promise<unknown>, signal?: AbortSignal) =>
  circuit.execute(fn, signal).catch(() => undefined);

/**
 * A call the caller cancels after 50 ms, as a shopper closing the page does.
 * The reason is the caller's own: it is not an AbortError.
 */
const cancelledCall = async (clock: VirtualClock, circuit: CircuitBreaker) => {
  const caller = new AbortController();
  const pending = call(circuit, (signal) => clock.sleep(1_000, signal), caller.signal);
  await clock.advance(50);
  caller.abort(new Error('the shopper closed the page'));
  await pending;
};

/** Opens the circuit with one failure and lets the reset timeout pass: it is half-open. */
const halfOpen = async (clock: VirtualClock, options: CircuitBreakerOptions = {}) => {
  const circuit = circuitOf(clock, { breaker: new ConsecutiveBreaker(1), ...options });
  await call(circuit, answers(503));
  await clock.advance(1_000);
  return circuit;
};

export default defineChecks([
  {
    task: 1,
    name: 'a 404 between failures breaks their run: the circuit stays closed',
    async run({ clock, expect }) {
      const circuit = circuitOf(clock, { breaker: new ConsecutiveBreaker(3), isFailure: paymentsIsUnhealthy });
      for (const status of [503, 503, 404, 503, 503]) await call(circuit, answers(status));
      expect.equal(
        circuit.state,
        'closed',
        'the state after payments answered 503, 503, 404, 503, 503 (the circuit opens after 3 failures in a row; a 404 is an answer)',
      );
      circuit.dispose();
    },
  },
  {
    task: 1,
    name: 'a probe answered with a 404 closes a half-open circuit',
    async run({ clock, expect }) {
      const circuit = await halfOpen(clock, { isFailure: paymentsIsUnhealthy });
      expect.equal(circuit.state, 'half-open', 'the state after the reset timeout');
      await call(circuit, answers(404));
      expect.equal(circuit.state, 'closed', 'the state after the probe got a 404 (payments answered: it is back)');
      circuit.dispose();
    },
  },
  {
    task: 1,
    name: 'a bug in our own code never opens the circuit',
    async run({ clock, expect }) {
      const circuit = circuitOf(clock, { breaker: new ConsecutiveBreaker(3), isFailure: paymentsIsUnhealthy });
      const bug = () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'amount')"));
      for (let i = 0; i < 10; i++) await call(circuit, bug);
      expect.equal(circuit.state, 'closed', 'the state after 10 calls threw a TypeError of our own (isFailure excuses it)');
      circuit.dispose();
    },
  },
  {
    task: 2,
    name: 'a call the caller cancelled is not counted as a failure',
    async run({ clock, expect }) {
      // The default isFailure: every error counts. A cancellation still must not.
      const circuit = circuitOf(clock, { breaker: new ConsecutiveBreaker(2) });
      await call(circuit, answers(503));
      await cancelledCall(clock, circuit);
      expect.equal(
        circuit.state,
        'closed',
        'the state after a 503 and then a call the shopper cancelled (the circuit opens after 2 failures in a row)',
      );
      circuit.dispose();
    },
  },
  {
    task: 2,
    name: 'a cancelled call does not count as a success either',
    async run({ clock, expect }) {
      const circuit = circuitOf(clock, { breaker: new ConsecutiveBreaker(2) });
      await call(circuit, answers(503));
      await cancelledCall(clock, circuit);
      await call(circuit, answers(503));
      expect.equal(
        circuit.state,
        'open',
        'the state after 503, a cancelled call, 503 (2 failures in a row: the cancelled call must not restart the count)',
      );
      circuit.dispose();
    },
  },
  {
    task: 2,
    name: 'a cancelled probe frees its slot and leaves the circuit half-open',
    async run({ clock, expect }) {
      const circuit = await halfOpen(clock);
      await cancelledCall(clock, circuit);
      expect.equal(circuit.state, 'half-open', 'the state after the shopper cancelled the probe');
      let reached = false;
      await call(circuit, async () => {
        reached = true;
        return 'charged';
      });
      expect.ok(reached, 'the next call after a cancelled probe should be let through as the new probe, but it was rejected');
      expect.equal(circuit.state, 'closed', 'the state after the next probe succeeded');
      circuit.dispose();
    },
  },
  {
    task: 3,
    name: 'calls that time out open the circuit, whatever isFailure says',
    async run({ clock, expect }) {
      const circuit = circuitOf(clock, {
        breaker: new ConsecutiveBreaker(3),
        callTimeoutMs: 500,
        isFailure: paymentsIsUnhealthy,
      });
      const hangs = (signal: AbortSignal) => clock.sleep(60_000, signal);
      const errors: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const pending = circuit.execute(hangs).catch((error: unknown) => errors.push(error));
        await clock.advance(500);
        await pending;
      }
      expect.ok(
        errors.every((e) => e instanceof TimeoutError),
        `each hung call should reject with TimeoutError after callTimeoutMs (500 ms), got ${errors.map(String).join(', ')}`,
      );
      expect.equal(
        circuit.state,
        'open',
        'the state after 3 calls in a row timed out (isFailure only knows 5xx and broken connections; the circuit opens after 3 failures)',
      );
      circuit.dispose();
    },
  },
  {
    task: 3,
    name: 'a probe that times out reopens the circuit',
    async run({ clock, expect }) {
      const circuit = await halfOpen(clock, { callTimeoutMs: 500, isFailure: paymentsIsUnhealthy });
      const pending = call(circuit, (signal) => clock.sleep(60_000, signal));
      await clock.advance(500);
      await pending;
      expect.equal(circuit.state, 'open', 'the state after the half-open probe timed out');
      // And the circuit works again once payments answers in time.
      await clock.advance(1_000);
      await call(circuit, ok);
      expect.equal(circuit.state, 'closed', 'the state after the next probe succeeded');
      circuit.dispose();
    },
  },
]);
