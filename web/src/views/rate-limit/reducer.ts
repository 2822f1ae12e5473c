/**
 * The rate-limit view's model: per client key, requests allowed and limited
 * (429) over the last LOAD_WINDOW_MS in BUCKET_MS buckets (fine enough to
 * see a fixed window let twice the limit through at its boundary), totals,
 * the last remaining/limit, and the algorithm in use.
 */
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import type { ViewReducer } from '../shared/reducer.ts';

export interface KeyTotals {
  key: string;
  allowed: number;
  limited: number;
  remaining: number;
  limit: number;
}

export interface RateBucket {
  t: number;
  /** Per key: allowed and limited in this bucket. */
  keys: Record<string, { allowed: number; limited: number }>;
}

export interface RateLimitModel {
  keys: KeyTotals[];
  buckets: RateBucket[];
  /** From the latest `ratelimit` event, else the latest `algorithm` parameter. */
  algorithm: string | undefined;
  limit: number | undefined;
  /** When the algorithm last changed. */
  changedAt: number | undefined;
  allowed: number;
  limited: number;
}

export const BUCKET_MS = 250;
export const WINDOW_MS = 60_000;
/** Keys beyond this are counted together as OTHER. */
export const MAX_KEYS = 16;
export const OTHER = 'other keys';

interface Acc {
  keys: Map<string, KeyTotals>;
  buckets: Map<number, Map<string, { allowed: number; limited: number }>>;
  newest: number;
  algorithm: string | undefined;
  paramAlgorithm: string | undefined;
  limit: number | undefined;
  changedAt: number | undefined;
  allowed: number;
  limited: number;
}

export const rateLimitReducer: ViewReducer<Acc, RateLimitModel> = {
  init: () => ({
    keys: new Map(),
    buckets: new Map(),
    newest: 0,
    algorithm: undefined,
    paramAlgorithm: undefined,
    limit: undefined,
    changedAt: undefined,
    allowed: 0,
    limited: 0,
  }),
  step(acc, event: TelemetryEvent) {
    if (event.type === 'params.changed') {
      const value = event.params.algorithm;
      if (typeof value === 'string' && value !== acc.paramAlgorithm) {
        acc.paramAlgorithm = value;
        acc.changedAt = event.t;
      }
      return;
    }
    if (event.type !== 'ratelimit') return;
    if (acc.algorithm !== undefined && acc.algorithm !== event.algorithm) acc.changedAt = event.t;
    acc.algorithm = event.algorithm;
    acc.limit = event.limit;
    acc[event.allowed ? 'allowed' : 'limited']++;
    const key = acc.keys.has(event.key) || acc.keys.size < MAX_KEYS ? event.key : OTHER;
    let totals = acc.keys.get(key);
    if (!totals) acc.keys.set(key, (totals = { key, allowed: 0, limited: 0, remaining: 0, limit: 0 }));
    totals[event.allowed ? 'allowed' : 'limited']++;
    totals.remaining = event.remaining;
    totals.limit = event.limit;

    const b = Math.floor(event.t / BUCKET_MS) * BUCKET_MS;
    let bucket = acc.buckets.get(b);
    if (!bucket) {
      acc.buckets.set(b, (bucket = new Map()));
      if (b > acc.newest) acc.newest = b;
      if (acc.buckets.size > (WINDOW_MS / BUCKET_MS) * 1.2) {
        for (const old of acc.buckets.keys()) if (old <= acc.newest - WINDOW_MS) acc.buckets.delete(old);
      }
    }
    let cell = bucket.get(key);
    if (!cell) bucket.set(key, (cell = { allowed: 0, limited: 0 }));
    cell[event.allowed ? 'allowed' : 'limited']++;
  },
  view(acc, nowT) {
    const buckets: RateBucket[] = [];
    const last = Math.floor(nowT / BUCKET_MS) * BUCKET_MS;
    for (let t = Math.max(0, last - WINDOW_MS + BUCKET_MS); t <= last; t += BUCKET_MS) {
      const bucket = acc.buckets.get(t);
      buckets.push({ t, keys: bucket ? Object.fromEntries([...bucket].map(([k, v]) => [k, { ...v }])) : {} });
    }
    return {
      keys: [...acc.keys.values()].map((k) => ({ ...k })).sort((a, b) => (a.key === OTHER ? 1 : b.key === OTHER ? -1 : a.key.localeCompare(b.key, undefined, { numeric: true }))),
      buckets,
      algorithm: acc.algorithm ?? acc.paramAlgorithm,
      limit: acc.limit,
      changedAt: acc.changedAt,
      allowed: acc.allowed,
      limited: acc.limited,
    };
  },
};

/** Buckets summed into coarser ones of `size` ms, as chart rows: `{ t, 'client-0 allowed': n, 'client-0 limited': n, … }`. */
export const chartRows = (buckets: readonly RateBucket[], size: number): Array<Record<string, number>> => {
  const rows = new Map<number, Record<string, number>>();
  for (const bucket of buckets) {
    const t = Math.floor(bucket.t / size) * size;
    let row = rows.get(t);
    if (!row) rows.set(t, (row = { t }));
    for (const [key, cell] of Object.entries(bucket.keys)) {
      row[`${key} allowed`] = (row[`${key} allowed`] ?? 0) + cell.allowed;
      row[`${key} limited`] = (row[`${key} limited`] ?? 0) + cell.limited;
    }
  }
  return [...rows.values()];
};
