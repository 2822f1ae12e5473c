/**
 * Inbound request counters as the Hystrix dashboard shows them beside a
 * circuit: success, failure, rejected and timeout over the run and over a
 * rolling 10 s window, the error share, and requests per second for a
 * sparkline. Kept per second of run time, only as far back as the sparkline
 * reaches, so memory stays bounded however long the run.
 */
import type { RequestOutcome, TelemetryOf } from '../../../../patterns/kit/index.ts';

export interface Counters {
  success: number;
  failure: number;
  rejected: number;
  timeout: number;
}

export interface CounterSummary extends Counters {
  total: number;
  /** Failures, rejections and timeouts over all requests, 0 to 1: Hystrix counts them all as errors. */
  errorShare: number;
}

export interface VolumeBucket {
  /** Start of the second, run time ms. */
  t: number;
  success: number;
  /** Failures and timeouts. */
  failed: number;
  rejected: number;
}

export interface RequestCountersModel {
  total: CounterSummary;
  window: CounterSummary;
  windowMs: number;
  /** Inbound requests per second over the last VOLUME_SECONDS, oldest first. */
  volume: VolumeBucket[];
}

export const WINDOW_MS = 10_000;
export const VOLUME_SECONDS = 60;
const BUCKET_MS = 1000;

export interface CountersAcc {
  total: Counters;
  /** Per second of run time, by its start. */
  buckets: Map<number, Counters>;
  newestBucket: number;
}

const zero = (): Counters => ({ success: 0, failure: 0, rejected: 0, timeout: 0 });

const COUNTER_OF: Record<RequestOutcome, keyof Counters> = { ok: 'success', error: 'failure', rejected: 'rejected', timeout: 'timeout' };

const summarise = (c: Counters): CounterSummary => {
  const total = c.success + c.failure + c.rejected + c.timeout;
  return { ...c, total, errorShare: total === 0 ? 0 : (total - c.success) / total };
};

export const initCounters = (): CountersAcc => ({ total: zero(), buckets: new Map(), newestBucket: 0 });

/** Counts one inbound request (the caller checks the direction). */
export const countRequest = (acc: CountersAcc, event: TelemetryOf<'request'>): void => {
  const key = COUNTER_OF[event.outcome];
  if (!key) return;
  acc.total[key]++;
  const second = Math.floor(event.t / BUCKET_MS) * BUCKET_MS;
  let bucket = acc.buckets.get(second);
  if (!bucket) {
    bucket = zero();
    acc.buckets.set(second, bucket);
    if (second > acc.newestBucket) {
      acc.newestBucket = second;
      // Forget seconds older than the sparkline needs, in chunks so the sweep stays amortised O(1).
      if (acc.buckets.size > VOLUME_SECONDS + 20) {
        for (const old of acc.buckets.keys()) if (old < second - (VOLUME_SECONDS + 5) * BUCKET_MS) acc.buckets.delete(old);
      }
    }
  }
  bucket[key]++;
};

export const viewCounters = (acc: CountersAcc, nowT: number): RequestCountersModel => {
  const window = zero();
  const volume: VolumeBucket[] = [];
  const lastSecond = Math.floor(nowT / BUCKET_MS) * BUCKET_MS;
  for (let s = Math.max(0, lastSecond - (VOLUME_SECONDS - 1) * BUCKET_MS); s <= lastSecond; s += BUCKET_MS) {
    const b = acc.buckets.get(s) ?? zero();
    volume.push({ t: s, success: b.success, failed: b.failure + b.timeout, rejected: b.rejected });
    // The rolling window: the seconds whose start lies within the last WINDOW_MS.
    if (s > nowT - WINDOW_MS) for (const k of Object.keys(window) as Array<keyof Counters>) window[k] += b[k];
  }
  return { total: summarise(acc.total), window: summarise(window), windowMs: WINDOW_MS, volume };
};
