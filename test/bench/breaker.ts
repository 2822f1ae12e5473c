/**
 * Per-call overhead of the circuit breaker (closed, wrapping an async no-op),
 * beside cockatiel and opossum, all measured in one process with the same
 * loop: warm-up, then rounds interleaved across subjects, median ns/op.
 *
 * Each row is compared with the cockatiel and opossum set-ups that do the same
 * job: without a call timeout, and with a 10 s one. (cockatiel's breaker has no
 * timeout of its own, so its timeout peer is breaker + timeout policy; opossum
 * times out without aborting the call, so it creates no AbortSignal.) Ours makes
 * an AbortSignal only for a callee that declares a parameter: the no-op takes
 * none, and one more row shows the price of a callee that takes its signal.
 *
 *   node --import tsx test/bench/breaker.ts
 */
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  circuitBreaker,
  ConsecutiveBreaker as CockatielConsecutive,
  handleAll,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import Opossum from 'opossum';
import { CircuitBreaker } from '../../patterns/circuit-breaker/circuit-breaker.ts';
import type { BenchResult } from './result.ts';

const WARMUP = 20_000;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const YIELD_EVERY = 1_000;
const TIMEOUT_MS = 10_000;

/**
 * A full GC before each sample, so a subject does not pay for the garbage of
 * the one before it (AbortSignals in particular are costly to collect).
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const noop = async (): Promise<undefined> => undefined;
/** A no-op that declares the signal parameter, as a real call that passes it on does. */
const noopTakingSignal = async (_signal: AbortSignal): Promise<undefined> => undefined;

const timeOps = async (call: () => Promise<unknown>, iterations: number): Promise<number> => {
  collectGarbage();
  const start = process.hrtime.bigint();
  for (let i = 1; i <= iterations; i++) {
    await call();
    // Back to the event loop now and then, as real calls do: a loop of awaits that never
    // leaves the microtask queue keeps some garbage alive far longer.
    if (i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return Number(process.hrtime.bigint() - start) / iterations;
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
};

/** Listeners doing what the lab does: build a telemetry-shaped object per event. */
const attachTelemetryListeners = (circuit: CircuitBreaker): CircuitBreaker => {
  const sink: unknown[] = [];
  const keep = (event: unknown) => {
    // Bounded, so the benchmark measures building events, not a growing array.
    if (sink.length >= 1_024) sink.length = 0;
    sink.push(event);
  };
  // Literal objects, as telemetry code writes them: in this V8, `{ ...base, outcome }` in a hot
  // listener measured about 4 µs per call, more than the whole breaker.
  circuit.onStateChange(({ from, to, reason }) => keep({ type: 'circuit.state', name: 'payments', from, to, reason }));
  circuit.onSuccess(({ durationMs }) =>
    keep({ type: 'request', direction: 'outbound', target: 'payments', outcome: 'ok', durationMs }),
  );
  circuit.onFailure(({ error, durationMs }) =>
    keep({ type: 'request', direction: 'outbound', target: 'payments', outcome: 'error', durationMs, error: String(error) }),
  );
  circuit.onReject(({ state }) =>
    keep({ type: 'request', direction: 'outbound', target: 'payments', outcome: 'rejected', state }),
  );
  return circuit;
};

interface Subject {
  name: string;
  /** Whether the set-up enforces a call timeout: picks the peers it is compared with. */
  timeout: boolean;
  call: () => Promise<unknown>;
}

export async function benchBreaker(): Promise<BenchResult[]> {
  const ours = {
    plain: new CircuitBreaker({ callTimeoutMs: Infinity }),
    listened: attachTelemetryListeners(new CircuitBreaker({ callTimeoutMs: Infinity })),
    timed: new CircuitBreaker({ callTimeoutMs: TIMEOUT_MS }),
    timedListened: attachTelemetryListeners(new CircuitBreaker({ callTimeoutMs: TIMEOUT_MS })),
  };
  const cockatielBreaker = () => circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new CockatielConsecutive(5) });
  const cockatiel = cockatielBreaker();
  const cockatielTimed = wrap(timeout(TIMEOUT_MS, TimeoutStrategy.Aggressive), cockatielBreaker());
  const opossum = new Opossum(noop, { timeout: false });
  const opossumTimed = new Opossum(noop, { timeout: TIMEOUT_MS });

  const peers = {
    cockatiel: { false: 'cockatiel', true: 'cockatiel + timeout policy' },
    opossum: { false: 'opossum, timeout off', true: 'opossum, 10 s timeout' },
  };
  const subjects: Subject[] = [
    { name: 'bare await, no breaker', timeout: false, call: noop },
    { name: 'ours, no listeners', timeout: false, call: () => ours.plain.execute(noop) },
    { name: 'ours, telemetry listeners', timeout: false, call: () => ours.listened.execute(noop) },
    { name: 'ours, 10 s timeout, no listeners', timeout: true, call: () => ours.timed.execute(noop) },
    { name: 'ours, 10 s timeout, telemetry listeners', timeout: true, call: () => ours.timedListened.execute(noop) },
    { name: 'ours, 10 s timeout, callee takes its signal', timeout: true, call: () => ours.timed.execute(noopTakingSignal) },
    { name: peers.cockatiel.false, timeout: false, call: () => cockatiel.execute(noop) },
    { name: peers.cockatiel.true, timeout: true, call: () => cockatielTimed.execute(noop) },
    { name: peers.opossum.false, timeout: false, call: () => opossum.fire() },
    { name: peers.opossum.true, timeout: true, call: () => opossumTimed.fire() },
  ];

  try {
    for (const subject of subjects) await timeOps(subject.call, WARMUP);
    const samples = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so no subject always runs first or after the same neighbour.
      for (let i = 0; i < subjects.length; i++) {
        const subject = subjects[(i + round) % subjects.length]!;
        samples.get(subject.name)!.push(await timeOps(subject.call, ITERATIONS));
      }
    }
    const nsPerOp = (name: string) => median(samples.get(name)!);
    return subjects.map((subject) => {
      const value = nsPerOp(subject.name);
      const key = subject.timeout ? 'true' : 'false';
      const vsCockatiel = value / nsPerOp(peers.cockatiel[key]);
      const vsOpossum = value / nsPerOp(peers.opossum[key]);
      return {
        name: `breaker: ${subject.name}`,
        value: Math.round(value),
        unit: 'ns/op',
        note: `${vsCockatiel.toFixed(2)}x ${peers.cockatiel[key]}; ${vsOpossum.toFixed(2)}x ${peers.opossum[key]}`,
      };
    });
  } finally {
    for (const circuit of Object.values(ours)) circuit.dispose();
    opossum.shutdown();
    opossumTimed.shutdown();
  }
}

const printTable = (results: BenchResult[]): void => {
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`${'subject'.padEnd(width)}  ${'ns/op'.padStart(8)}  vs the peers doing the same job`);
  for (const r of results) console.log(`${r.name.padEnd(width)}  ${String(r.value).padStart(8)}  ${r.note ?? ''}`);
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await benchBreaker());
}
