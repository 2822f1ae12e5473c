import { defineChecks, type Clock } from '../../../patterns/kit/index.ts';
import { ConsecutiveBreaker } from '../../../patterns/circuit-breaker/breakers.ts';
import { CircuitBreaker } from '../../../patterns/circuit-breaker/circuit-breaker.ts';
import { BrokenCircuitError } from '../../../patterns/circuit-breaker/errors.ts';

const failing = () => Promise.reject(new Error('payments answered 503'));

/** A breaker that opens after one failure and goes half-open after 1 s. */
const halfOpenBreaker = async (clock: Clock & { advance(ms: number): Promise<void> }, probes: number) => {
  const circuit = new CircuitBreaker({
    clock,
    breaker: new ConsecutiveBreaker(1),
    resetTimeoutMs: 1_000,
    halfOpenMaxProbes: probes,
    callTimeoutMs: Infinity,
  });
  await circuit.execute(failing).catch(() => undefined);
  await clock.advance(1_000);
  return circuit;
};

export default defineChecks([
  {
    task: 1,
    name: 'half-open admits one probe and rejects the other callers at once',
    async run({ clock, expect }) {
      const circuit = await halfOpenBreaker(clock, 1);
      expect.equal(circuit.state, 'half-open', 'the state after the reset timeout');
      let downstreamCalls = 0;
      const slow = () => {
        downstreamCalls++;
        return clock.sleep(100).then(() => 'ok');
      };
      const pending = Promise.allSettled([1, 2, 3, 4, 5].map(() => circuit.execute(slow)));
      await clock.advance(100);
      const results = await pending;
      const rejected = results.filter((r) => r.status === 'rejected' && r.reason instanceof BrokenCircuitError).length;
      expect.equal(downstreamCalls, 1, 'calls that reached payments while half-open (5 callers, 1 probe allowed)');
      expect.equal(rejected, 4, 'callers rejected with BrokenCircuitError');
      circuit.dispose();
    },
  },
  {
    task: 1,
    name: 'with halfOpenMaxProbes 3, three probes go through together',
    async run({ clock, expect }) {
      const circuit = await halfOpenBreaker(clock, 3);
      let inFlight = 0;
      let most = 0;
      const slow = async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await clock.sleep(100);
        inFlight--;
      };
      const pending = Promise.allSettled(Array.from({ length: 10 }, () => circuit.execute(slow)));
      await clock.advance(200);
      await pending;
      expect.equal(most, 3, 'probes in flight at the same time');
      circuit.dispose();
    },
  },
  {
    task: 2,
    name: 'stays half-open until halfOpenMaxProbes probes succeeded, then closes',
    async run({ clock, expect }) {
      const circuit = await halfOpenBreaker(clock, 3);
      await circuit.execute(async () => 'ok');
      expect.equal(circuit.state, 'half-open', 'the state after 1 of 3 probes succeeded');
      await circuit.execute(async () => 'ok');
      expect.equal(circuit.state, 'half-open', 'the state after 2 of 3 probes succeeded');
      await circuit.execute(async () => 'ok');
      expect.equal(circuit.state, 'closed', 'the state after 3 of 3 probes succeeded');
      circuit.dispose();
    },
  },
  {
    task: 2,
    name: 'a failed probe reopens the circuit',
    async run({ clock, expect }) {
      const circuit = await halfOpenBreaker(clock, 2);
      await circuit.execute(async () => 'ok');
      await circuit.execute(failing).catch(() => undefined);
      expect.equal(circuit.state, 'open', 'the state after a probe failed');
      circuit.dispose();
    },
  },
]);
