/**
 * The circuit view's model: each circuit's current state, its transitions as
 * a state band along the run, and — like the Hystrix dashboard — request
 * counters (success, failure, rejected, timeout) over the run and over a
 * rolling 10 s window, with the error percentage.
 */
import type { RequestOutcome, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import type { ViewReducer } from '../shared/reducer.ts';

export interface Transition {
  t: number;
  from: string;
  to: string;
  reason?: string;
}

export interface BandSegment {
  state: string;
  start: number;
  end: number;
}

export interface Counters {
  success: number;
  failure: number;
  rejected: number;
  timeout: number;
}

export interface CounterSummary extends Counters {
  total: number;
  /** Failures, rejections and timeouts over all requests, 0 to 1. */
  errorShare: number;
}

export interface CircuitModel {
  name: string;
  state: string;
  since: number;
  last: Transition | undefined;
  /** Newest first, at most RECENT_TRANSITIONS. */
  recent: Transition[];
  transitions: number;
  /** The states from the band's start to `nowT`, in order. */
  band: BandSegment[];
  /** Outbound calls while half-open: the probes, and how they ended. */
  probes: { ok: number; failed: number };
}

export interface VolumeBucket {
  /** Start of the second, run time ms. */
  t: number;
  success: number;
  failed: number;
  rejected: number;
}

export interface CircuitViewModel {
  circuits: CircuitModel[];
  total: CounterSummary;
  window: CounterSummary;
  windowMs: number;
  /** Inbound requests per second over the last VOLUME_SECONDS, for a sparkline. */
  volume: VolumeBucket[];
  nowT: number;
}

export const MAX_TRANSITIONS = 500;
export const RECENT_TRANSITIONS = 8;
export const WINDOW_MS = 10_000;
export const VOLUME_SECONDS = 60;
const BUCKET_MS = 1000;

interface CircuitAcc {
  name: string;
  state: string;
  since: number;
  /** The state before the first kept transition, and from when. */
  initial: { state: string; t: number };
  transitions: Transition[];
  count: number;
  probes: { ok: number; failed: number };
}

interface Acc {
  circuits: Map<string, CircuitAcc>;
  total: Counters;
  /** Per second of run time. */
  buckets: Map<number, Counters>;
  newestBucket: number;
}

const zero = (): Counters => ({ success: 0, failure: 0, rejected: 0, timeout: 0 });

const COUNTER_OF: Record<RequestOutcome, keyof Counters> = { ok: 'success', error: 'failure', rejected: 'rejected', timeout: 'timeout' };

const summarise = (c: Counters): CounterSummary => {
  const total = c.success + c.failure + c.rejected + c.timeout;
  return { ...c, total, errorShare: total === 0 ? 0 : (total - c.success) / total };
};

const circuitOf = (acc: Acc, name: string, from: string): CircuitAcc => {
  let circuit = acc.circuits.get(name);
  if (!circuit) {
    circuit = { name, state: from, since: 0, initial: { state: from, t: 0 }, transitions: [], count: 0, probes: { ok: 0, failed: 0 } };
    acc.circuits.set(name, circuit);
  }
  return circuit;
};

const transition = (circuit: CircuitAcc, next: Transition): void => {
  circuit.transitions.push(next);
  circuit.count++;
  if (circuit.transitions.length > MAX_TRANSITIONS + 64) {
    const dropped = circuit.transitions.splice(0, circuit.transitions.length - MAX_TRANSITIONS);
    const lastDropped = dropped[dropped.length - 1]!;
    circuit.initial = { state: lastDropped.to, t: lastDropped.t };
  }
  if (next.to === 'half-open') circuit.probes = { ok: 0, failed: 0 };
  circuit.state = next.to;
  circuit.since = next.t;
};

export const circuitReducer: ViewReducer<Acc, CircuitViewModel> = {
  init: () => ({ circuits: new Map(), total: zero(), buckets: new Map(), newestBucket: 0 }),

  step(acc, event: TelemetryEvent) {
    switch (event.type) {
      case 'circuit.state': {
        const circuit = circuitOf(acc, event.name, event.from);
        transition(circuit, { t: event.t, from: event.from, to: event.to, ...(event.reason !== undefined && { reason: event.reason }) });
        return;
      }
      case 'run.deployed':
      case 'params.changed':
        // The lab restarts with new code or parameters (unless it updates in place): a new circuit starts closed.
        for (const circuit of acc.circuits.values()) {
          if (circuit.state !== 'closed') transition(circuit, { t: event.t, from: circuit.state, to: 'closed', reason: 'lab restarted' });
        }
        return;
      case 'request': {
        if (event.direction === 'outbound') {
          const circuit = acc.circuits.get(event.target);
          if (circuit?.state === 'half-open') circuit.probes[event.outcome === 'ok' ? 'ok' : 'failed']++;
          return;
        }
        const key = COUNTER_OF[event.outcome];
        acc.total[key]++;
        const second = Math.floor(event.t / BUCKET_MS) * BUCKET_MS;
        let bucket = acc.buckets.get(second);
        if (!bucket) {
          bucket = zero();
          acc.buckets.set(second, bucket);
          if (second > acc.newestBucket) {
            acc.newestBucket = second;
            // Forget seconds older than the sparkline needs.
            if (acc.buckets.size > VOLUME_SECONDS + 20) {
              for (const old of acc.buckets.keys()) if (old < second - (VOLUME_SECONDS + 5) * BUCKET_MS) acc.buckets.delete(old);
            }
          }
        }
        bucket[key]++;
        return;
      }
      default:
        return;
    }
  },

  view(acc, nowT) {
    const circuits = [...acc.circuits.values()].map((c): CircuitModel => {
      const band: BandSegment[] = [];
      let state = c.initial.state;
      let start = c.initial.t;
      for (const tr of c.transitions) {
        if (tr.t > nowT) break;
        if (tr.t > start) band.push({ state, start, end: tr.t });
        state = tr.to;
        start = tr.t;
      }
      band.push({ state, start, end: Math.max(start, nowT) });
      return {
        name: c.name,
        state: c.state,
        since: c.since,
        last: c.transitions[c.transitions.length - 1],
        recent: c.transitions.slice(-RECENT_TRANSITIONS).reverse(),
        transitions: c.count,
        band,
        probes: { ...c.probes },
      };
    });
    const window = zero();
    const volume: VolumeBucket[] = [];
    const lastSecond = Math.floor(nowT / BUCKET_MS) * BUCKET_MS;
    for (let s = Math.max(0, lastSecond - (VOLUME_SECONDS - 1) * BUCKET_MS); s <= lastSecond; s += BUCKET_MS) {
      const b = acc.buckets.get(s) ?? zero();
      volume.push({ t: s, success: b.success, failed: b.failure + b.timeout, rejected: b.rejected });
      // The rolling window: the seconds whose start lies within the last WINDOW_MS.
      if (s > nowT - WINDOW_MS) for (const k of Object.keys(window) as Array<keyof Counters>) window[k] += b[k];
    }
    return { circuits, total: summarise(acc.total), window: summarise(window), windowMs: WINDOW_MS, volume, nowT };
  },
};
