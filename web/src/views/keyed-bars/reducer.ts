/**
 * The keyed-bars view's model, read by the names in its spec: per key (a
 * rate limiter's client), its events over the last WINDOW_MS in `bucketMs`
 * buckets split in two (allowed / limited), its totals and the latest values
 * of the spec's `latest` fields; overall totals, the `heading` fields of the
 * latest event, and the mode in use (the algorithm) with when it last changed.
 *
 * Buckets are fine (250 ms by default) so that a fixed window letting twice
 * its limit through at a boundary shows as a double bar.
 */
import type { KeyedBarsViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { fieldOf, formatValue } from '../shared/fields.ts';
import { typeOf, type ViewReducer } from '../shared/reducer.ts';

/** How far back the bars go. */
export const WINDOW_MS = 60_000;
export const DEFAULT_BUCKET_MS = 250;
/** Keys after the first MAX_KEYS seen are counted together as OTHER: a run with thousands of keys stays cheap. */
export const MAX_KEYS = 16;
export const OTHER = 'other keys';

/** Events split in two: `yes` where the split field is true (allowed), `no` otherwise (limited). */
export interface SplitCount {
  yes: number;
  no: number;
}

export interface KeyTotals extends SplitCount {
  key: string;
  /** The values of the spec's `latest` fields in this key's latest event, in the spec's order. */
  latest: unknown[];
}

export interface KeyedBucket {
  /** The bucket's start, run time (ms). */
  t: number;
  /** Per key: its counts in this bucket (keys without events left out). */
  keys: Record<string, SplitCount>;
}

export interface KeyedBarsModel extends SplitCount {
  /** By name (client-2 before client-10), OTHER last. */
  keys: KeyTotals[];
  /** The last WINDOW_MS up to nowT, oldest first, one per bucket, empty ones included. */
  buckets: KeyedBucket[];
  /** The values of the spec's `heading` fields in the latest event. */
  heading: unknown[];
  /** From the latest event's mode field, else the latest value of the mode parameter. */
  mode: string | undefined;
  /** When the mode last changed. */
  modeChangedAt: number | undefined;
}

interface Acc {
  keys: Map<string, KeyTotals>;
  /** By bucket start; those older than WINDOW_MS before the newest are dropped in batches. */
  buckets: Map<number, Map<string, SplitCount>>;
  newest: number;
  totals: SplitCount;
  heading: unknown[];
  mode: string | undefined;
  paramMode: string | undefined;
  modeChangedAt: number | undefined;
}

/** A mode or parameter value as text; undefined when it has none. */
const modeText = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));

/** Sorts keys as a learner counts them: client-2 before client-10, OTHER last. */
const byKey = (a: KeyTotals, b: KeyTotals): number =>
  a.key === OTHER ? 1 : b.key === OTHER ? -1 : a.key.localeCompare(b.key, undefined, { numeric: true });

export const makeKeyedBarsReducer = (spec: KeyedBarsViewSpec): ViewReducer<Acc, KeyedBarsModel> => {
  const bucketMs = spec.bucketMs ?? DEFAULT_BUCKET_MS;
  const bucketsKept = Math.ceil(WINDOW_MS / bucketMs);
  const latestFields = spec.latest ?? [];
  const headingFields = spec.heading ?? [];
  const { mode } = spec;

  const countMode = (acc: Acc, event: TelemetryEvent) => {
    if (!mode) return;
    const value = modeText(fieldOf(event, mode.field));
    if (value === undefined) return;
    if (acc.mode !== undefined && acc.mode !== value) acc.modeChangedAt = event.t;
    acc.mode = value;
  };

  const countParams = (acc: Acc, event: TelemetryEvent) => {
    if (!mode?.param || event.type !== 'params.changed') return;
    const value = modeText(event.params[mode.param]);
    if (value === undefined || value === acc.paramMode) return;
    acc.paramMode = value;
    acc.modeChangedAt = event.t;
  };

  const bucketAt = (acc: Acc, t: number): Map<string, SplitCount> => {
    const start = Math.floor(t / bucketMs) * bucketMs;
    let bucket = acc.buckets.get(start);
    if (bucket) return bucket;
    acc.buckets.set(start, (bucket = new Map()));
    if (start > acc.newest) acc.newest = start;
    // Drop old buckets in batches, once a fifth more than the window's are held: amortised O(1) per bucket.
    if (acc.buckets.size > bucketsKept * 1.2) {
      for (const old of acc.buckets.keys()) if (old <= acc.newest - WINDOW_MS) acc.buckets.delete(old);
    }
    return bucket;
  };

  return {
    init: () => ({
      keys: new Map(),
      buckets: new Map(),
      newest: 0,
      totals: { yes: 0, no: 0 },
      heading: [],
      mode: undefined,
      paramMode: undefined,
      modeChangedAt: undefined,
    }),
    step(acc, event) {
      countParams(acc, event);
      if (typeOf(event) !== spec.event) return;
      countMode(acc, event);
      const side = fieldOf(event, spec.split.field) ? 'yes' : 'no';
      acc.totals[side]++;
      acc.heading = headingFields.map((f) => fieldOf(event, f.field));

      const name = formatValue(fieldOf(event, spec.keyField));
      const key = acc.keys.has(name) || acc.keys.size < MAX_KEYS ? name : OTHER;
      let totals = acc.keys.get(key);
      if (!totals) acc.keys.set(key, (totals = { key, yes: 0, no: 0, latest: [] }));
      totals[side]++;
      totals.latest = latestFields.map((f) => fieldOf(event, f.field));

      const bucket = bucketAt(acc, event.t);
      let cell = bucket.get(key);
      if (!cell) bucket.set(key, (cell = { yes: 0, no: 0 }));
      cell[side]++;
    },
    view(acc, nowT) {
      const buckets: KeyedBucket[] = [];
      // A run shown whole (nowT Infinity) ends at its newest bucket.
      const last = Number.isFinite(nowT) ? Math.floor(nowT / bucketMs) * bucketMs : acc.newest;
      for (let t = Math.max(0, last - (bucketsKept - 1) * bucketMs); t <= last; t += bucketMs) {
        const bucket = acc.buckets.get(t);
        buckets.push({ t, keys: bucket ? Object.fromEntries([...bucket].map(([k, v]) => [k, { ...v }])) : {} });
      }
      return {
        keys: [...acc.keys.values()].map((k) => ({ ...k, latest: [...k.latest] })).sort(byKey),
        buckets,
        heading: [...acc.heading],
        mode: acc.mode ?? acc.paramMode,
        modeChangedAt: acc.modeChangedAt,
        yes: acc.totals.yes,
        no: acc.totals.no,
      };
    },
  };
};

/** One key's bars, its buckets summed into coarser ones of `size` ms: `values` is [yes, no]. */
export const keyBars = (buckets: readonly KeyedBucket[], key: string, size: number): Array<{ t: number; values: [number, number] }> => {
  const bars: Array<{ t: number; values: [number, number] }> = [];
  for (const bucket of buckets) {
    const t = Math.floor(bucket.t / size) * size;
    let bar = bars[bars.length - 1];
    if (bar?.t !== t) bars.push((bar = { t, values: [0, 0] }));
    const cell = bucket.keys[key];
    if (cell) {
      bar.values[0] += cell.yes;
      bar.values[1] += cell.no;
    }
  }
  return bars;
};
