import { defineChecks, type VirtualClock } from '../../../patterns/kit/index.ts';
import { FailureRateBreaker, type FailureRateBreakerOptions } from '../../../patterns/circuit-breaker/breakers.ts';
import { CircuitBreaker } from '../../../patterns/circuit-breaker/circuit-breaker.ts';

/** Open at 50% failures over 10 s, once the window holds 10 calls: the lab's defaults. */
const POLICY: FailureRateBreakerOptions = { threshold: 0.5, windowMs: 10_000, minimumCalls: 10 };

const circuitWith = (clock: VirtualClock, resetTimeoutMs = 60_000) =>
  new CircuitBreaker({ clock, breaker: new FailureRateBreaker(POLICY), resetTimeoutMs, callTimeoutMs: Infinity });

const charge = async () => 'charged';
const declined = () => Promise.reject(new Error('payments answered 503'));

/** `n` calls, one after the other, at the current moment; each succeeds or fails as told. */
const calls = async (circuit: CircuitBreaker, n: number, outcome: 'ok' | 'fail') => {
  for (let i = 0; i < n; i++) await circuit.execute(outcome === 'ok' ? charge : declined).catch(() => undefined);
};

/** Moves the clock to `ms` since the check started. */
const at = (clock: VirtualClock, ms: number) => clock.advance(ms - clock.now());

const seconds = (ms: number) => `${ms / 1000} s`;

export default defineChecks([
  {
    task: 1,
    name: 'ten healthy minutes do not hide an outage',
    async run({ clock, expect }) {
      const circuit = circuitWith(clock);
      // Ten minutes of 10 healthy calls a second...
      for (let s = 0; s < 600; s++) {
        await at(clock, s * 1_000);
        await calls(circuit, 10, 'ok');
      }
      expect.equal(circuit.state, 'closed', 'the state after ten healthy minutes');
      // ...then payments fails every call.
      const outageStart = 600_000;
      let openedAt: number | undefined;
      for (let s = 0; s < 60 && openedAt === undefined; s++) {
        await at(clock, outageStart + s * 1_000);
        await calls(circuit, 10, 'fail');
        if (circuit.state === 'open') openedAt = clock.now() - outageStart;
      }
      expect.ok(
        openedAt !== undefined,
        'after ten healthy minutes, payments failed every call for a whole minute and the circuit never opened. ' +
          'Only calls from the last windowMs (10 s) should count, and after 10 s of outage they are all failures',
      );
      expect.atMost(openedAt!, 10_000, 'ms of total outage before the circuit opened (the 10 s window is all failures by then)');
      circuit.dispose();
    },
  },
  {
    task: 1,
    name: 'failures from before a quiet spell are forgotten',
    async run({ clock, expect }) {
      const circuit = circuitWith(clock);
      await calls(circuit, 9, 'fail');
      expect.equal(circuit.state, 'closed', 'the state after 9 failed calls (10 are needed to judge)');
      await at(clock, 95_000);
      await calls(circuit, 1, 'fail');
      expect.equal(
        circuit.state,
        'closed',
        `the state after 9 failures at 0 s, nothing for a minute and a half, then 1 failure at ${seconds(95_000)} (the 10 s window holds 1 call)`,
      );
      circuit.dispose();
    },
  },
  {
    task: 1,
    name: 'an outage that straddles a window boundary still opens the circuit',
    async run({ clock, expect }) {
      const circuit = circuitWith(clock);
      await calls(circuit, 1, 'ok');
      await at(clock, 9_500);
      await calls(circuit, 5, 'fail');
      await at(clock, 10_500);
      await calls(circuit, 5, 'fail');
      expect.equal(
        circuit.state,
        'open',
        'the state after 1 success at 0 s, then 5 failures at 9.5 s and 5 at 10.5 s ' +
          '(the last 10 s hold 10 calls, all failed; the window slides, it must not start afresh every 10 s)',
      );
      circuit.dispose();
    },
  },
  {
    task: 2,
    name: 'a trickle of failing calls never opens the circuit',
    async run({ clock, expect }) {
      const circuit = circuitWith(clock);
      let openedAt: number | undefined;
      for (let i = 0; i < 60 && openedAt === undefined; i++) {
        await at(clock, i * 2_000);
        await calls(circuit, 1, 'fail');
        if (circuit.state === 'open') openedAt = clock.now();
      }
      expect.ok(
        openedAt === undefined,
        `one failing call every 2 s should never open the circuit: a 10 s window never holds the 10 calls it needs to judge. ` +
          `It opened at ${seconds(openedAt ?? 0)}, at call ${Math.round((openedAt ?? 0) / 2_000) + 1}`,
      );
      circuit.dispose();
    },
  },
  {
    task: 2,
    name: 'opens at the very call that brings the window to minimumCalls at the threshold',
    async run({ clock, expect }) {
      // 9 calls, all failed: 100%, but too few to judge. The 10th decides.
      const first = circuitWith(clock);
      await calls(first, 9, 'fail');
      expect.equal(first.state, 'closed', 'the state after 9 failed calls of 9 (minimumCalls is 10)');
      await calls(first, 1, 'fail');
      expect.equal(first.state, 'open', 'the state after 10 failed calls of 10');
      first.dispose();

      // 5 successes, then failures: the 5th failure makes 5 of 10, exactly the 50% threshold.
      const second = circuitWith(clock);
      await calls(second, 5, 'ok');
      await calls(second, 4, 'fail');
      expect.equal(second.state, 'closed', 'the state after 5 successes and 4 failures (9 calls)');
      await calls(second, 1, 'fail');
      expect.equal(second.state, 'open', 'the state after 5 successes and 5 failures (10 calls, 50%: the threshold is reached)');
      second.dispose();
    },
  },
  {
    task: 3,
    name: 'a circuit that closed again starts with an empty window',
    async run({ clock, expect }) {
      const circuit = circuitWith(clock, 1_000);
      await calls(circuit, 10, 'fail');
      expect.equal(circuit.state, 'open', 'the state after 10 failed calls of 10');
      await at(clock, 1_000);
      await calls(circuit, 1, 'ok');
      expect.equal(circuit.state, 'closed', 'the state after the half-open probe succeeded');
      await calls(circuit, 1, 'fail');
      expect.equal(
        circuit.state,
        'closed',
        'the state after 1 failure just after the circuit closed (the failures that opened it are 1 s old, but closing forgets them)',
      );
      await calls(circuit, 9, 'fail');
      expect.equal(circuit.state, 'open', 'the state after 10 new failures of 10');
      circuit.dispose();
    },
  },
]);
