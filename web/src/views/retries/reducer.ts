/**
 * The retries view's model:
 * - a Gantt of recent requests: each outbound attempt as a bar, each retry
 *   wait (`retry.attempt` delayMs) as a gap bar, the give-up or final answer;
 * - how many attempts requests needed (a histogram);
 * - downstream load: outbound calls started per 50 ms bucket over the last
 *   30 s, re-binned by the component — synchronised retries show as waves;
 * - a comparison of strategies: segments of the run split by
 *   `params.changed`, and `retry.summary` events when the lab sends them.
 */
import type { RequestOutcome, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { changedParams, describeParams } from '../shared/describe.ts';
import { trimFront, typeOf, type ViewReducer } from '../shared/reducer.ts';

export interface Span {
  start: number;
  end: number;
  attempt: number;
  outcome?: RequestOutcome;
  status?: number;
  error?: string;
}

export interface GanttRow {
  id: string;
  clientKey: string | undefined;
  start: number;
  end: number;
  attempts: Span[];
  waits: Span[];
  /** How it ended; undefined while it is still going. */
  result: RequestOutcome | 'gave-up' | undefined;
}

export interface HistogramBin {
  attempts: number;
  ok: number;
  failed: number;
}

export interface LoadBucket {
  t: number;
  calls: number;
  failed: number;
}

export interface Segment {
  index: number;
  start: number;
  end: number;
  /** What changed at its start (all parameters for the first). */
  label: string;
  params: Record<string, unknown>;
  requests: number;
  succeeded: number;
  failed: number;
  calls: number;
  retries: number;
  giveups: number;
  /** Run time of the last answer in the segment. */
  lastDone: number | undefined;
}

export interface RetrySummary {
  t: number;
  strategy: string;
  clients: number;
  totalCalls: number;
  doneAtMs: number;
  succeeded: number;
  failed: number;
}

export interface RetriesModel {
  rows: GanttRow[];
  histogram: HistogramBin[];
  /** Fine buckets (BUCKET_MS) over the last LOAD_WINDOW_MS. */
  load: LoadBucket[];
  segments: Segment[];
  summaries: RetrySummary[];
  totals: { calls: number; retries: number; giveups: number; waitedMs: number };
}

export const BUCKET_MS = 50;
export const LOAD_WINDOW_MS = 30_000;
export const MAX_GROUPS = 300;
export const GANTT_ROWS = 40;
const MAX_PENDING = 10_000;
const MAX_SEGMENTS = 30;
const MAX_SUMMARIES = 50;
const MAX_SPANS = 50;

interface Group {
  id: string;
  clientKey: string | undefined;
  attempts: Span[];
  waits: Span[];
  result: GanttRow['result'];
  end: number | undefined;
}

interface Acc {
  groups: Map<string, Group>;
  /** Outbound calls per request not yet answered, for the histogram. */
  pending: Map<string, number>;
  histogram: Map<number, { ok: number; failed: number }>;
  buckets: Map<number, LoadBucket>;
  newestBucket: number;
  segments: Segment[];
  params: Record<string, unknown> | undefined;
  summaries: RetrySummary[];
  totals: RetriesModel['totals'];
}

const newSegment = (index: number, start: number, label: string, params: Record<string, unknown>): Segment => ({
  index,
  start,
  end: start,
  label,
  params,
  requests: 0,
  succeeded: 0,
  failed: 0,
  calls: 0,
  retries: 0,
  giveups: 0,
  lastDone: undefined,
});

const groupOf = (acc: Acc, id: string): Group => {
  let group = acc.groups.get(id);
  if (!group) {
    group = { id, clientKey: undefined, attempts: [], waits: [], result: undefined, end: undefined };
    acc.groups.set(id, group);
    if (acc.groups.size > MAX_GROUPS) acc.groups.delete(acc.groups.keys().next().value!);
  }
  return group;
};

const segmentAt = (acc: Acc, t: number): Segment => {
  let segment = acc.segments[acc.segments.length - 1];
  if (!segment) {
    segment = newSegment(0, 0, 'start', {});
    acc.segments.push(segment);
  }
  segment.end = Math.max(segment.end, t);
  return segment;
};

const finish = (acc: Acc, id: string, ok: boolean): void => {
  const attempts = acc.pending.get(id);
  if (attempts === undefined) return;
  acc.pending.delete(id);
  let bin = acc.histogram.get(attempts);
  if (!bin) acc.histogram.set(attempts, (bin = { ok: 0, failed: 0 }));
  bin[ok ? 'ok' : 'failed']++;
};

export const retriesReducer: ViewReducer<Acc, RetriesModel> = {
  init: () => ({
    groups: new Map(),
    pending: new Map(),
    histogram: new Map(),
    buckets: new Map(),
    newestBucket: 0,
    segments: [],
    params: undefined,
    summaries: [],
    totals: { calls: 0, retries: 0, giveups: 0, waitedMs: 0 },
  }),

  step(acc, event: TelemetryEvent) {
    switch (event.type) {
      case 'request': {
        if (event.direction === 'inbound') {
          const segment = segmentAt(acc, event.t);
          segment.requests++;
          segment[event.outcome === 'ok' ? 'succeeded' : 'failed']++;
          segment.lastDone = event.t;
          finish(acc, event.id, event.outcome === 'ok');
          const group = acc.groups.get(event.id);
          if (group) {
            group.clientKey = event.clientKey;
            if (group.result !== 'gave-up') group.result = event.outcome;
            group.end = event.t;
          }
          return;
        }
        const start = event.t - event.durationMs;
        acc.totals.calls++;
        segmentAt(acc, event.t).calls++;
        // Downstream load, by when each call started.
        const b = Math.floor(start / BUCKET_MS) * BUCKET_MS;
        let bucket = acc.buckets.get(b);
        if (!bucket) {
          acc.buckets.set(b, (bucket = { t: b, calls: 0, failed: 0 }));
          if (b > acc.newestBucket) acc.newestBucket = b;
          if (acc.buckets.size > (LOAD_WINDOW_MS / BUCKET_MS) * 1.2) {
            for (const old of acc.buckets.keys()) if (old < acc.newestBucket - LOAD_WINDOW_MS - 1000) acc.buckets.delete(old);
          }
        }
        bucket.calls++;
        if (event.outcome !== 'ok') bucket.failed++;
        const parent = event.parentId ?? event.id;
        acc.pending.set(parent, (acc.pending.get(parent) ?? 0) + 1);
        if (acc.pending.size > MAX_PENDING) acc.pending.delete(acc.pending.keys().next().value!);
        const group = groupOf(acc, parent);
        if (group.attempts.length < MAX_SPANS) {
          group.attempts.push({
            start,
            end: event.t,
            attempt: event.attempt ?? group.attempts.length + 1,
            outcome: event.outcome,
            ...(event.status !== undefined && { status: event.status }),
            ...(event.error !== undefined && { error: event.error }),
          });
        }
        return;
      }
      case 'retry.attempt': {
        acc.totals.retries++;
        acc.totals.waitedMs += event.delayMs;
        segmentAt(acc, event.t).retries++;
        const group = groupOf(acc, event.requestId);
        if (group.waits.length < MAX_SPANS) group.waits.push({ start: event.t, end: event.t + event.delayMs, attempt: event.attempt, error: event.error });
        return;
      }
      case 'retry.giveup': {
        acc.totals.giveups++;
        const segment = segmentAt(acc, event.t);
        segment.giveups++;
        const group = groupOf(acc, event.requestId);
        group.result = 'gave-up';
        group.end = event.t;
        finish(acc, event.requestId, false);
        return;
      }
      case 'params.changed': {
        const changed = changedParams(acc.params, event.params);
        const first = acc.params === undefined;
        acc.params = { ...event.params };
        const current = acc.segments[acc.segments.length - 1];
        if (first && current && current.calls === 0 && current.requests === 0) {
          current.label = describeParams(changed);
          current.params = { ...event.params };
          return;
        }
        if (current) current.end = event.t;
        acc.segments.push(newSegment((current?.index ?? -1) + 1, event.t, describeParams(changed) || 'same parameters', { ...event.params }));
        trimFront(acc.segments, MAX_SEGMENTS);
        return;
      }
      default:
        if (typeOf(event) === 'retry.summary') {
          const s = event as unknown as Partial<RetrySummary>;
          acc.summaries.push({
            t: event.t,
            strategy: String(s.strategy ?? '?'),
            clients: Number(s.clients ?? 0),
            totalCalls: Number(s.totalCalls ?? 0),
            doneAtMs: Number(s.doneAtMs ?? 0),
            succeeded: Number(s.succeeded ?? 0),
            failed: Number(s.failed ?? 0),
          });
          trimFront(acc.summaries, MAX_SUMMARIES);
        }
        return;
    }
  },

  view(acc, nowT) {
    const rows: GanttRow[] = [];
    for (const group of acc.groups.values()) {
      const attempts = group.attempts.filter((s) => s.end <= nowT);
      const waits = group.waits.filter((s) => s.start <= nowT);
      if (attempts.length === 0 && waits.length === 0) continue;
      const start = Math.min(...attempts.map((s) => s.start), ...waits.map((s) => s.start));
      const done = group.end !== undefined && group.end <= nowT;
      const end = done ? group.end! : Math.max(...attempts.map((s) => s.end), ...waits.map((s) => Math.min(s.end, nowT)), nowT);
      rows.push({ id: group.id, clientKey: group.clientKey, start, end, attempts, waits, result: done ? group.result : undefined });
    }
    rows.sort((a, b) => a.start - b.start);

    const histogram = [...acc.histogram.entries()].sort(([a], [b]) => a - b).map(([attempts, bin]) => ({ attempts, ...bin }));

    const load: LoadBucket[] = [];
    const last = Math.floor(nowT / BUCKET_MS) * BUCKET_MS;
    for (let t = Math.max(0, last - LOAD_WINDOW_MS + BUCKET_MS); t <= last; t += BUCKET_MS) {
      const bucket = acc.buckets.get(t);
      load.push(bucket ? { ...bucket } : { t, calls: 0, failed: 0 });
    }

    const segments = acc.segments.filter((s) => s.start <= nowT).map((s) => ({ ...s, params: { ...s.params } }));
    return { rows, histogram, load, segments, summaries: acc.summaries.filter((s) => s.t <= nowT), totals: { ...acc.totals } };
  },
};

/** Fine buckets summed into coarser ones of `size` ms (a multiple of BUCKET_MS). */
export const rebin = (buckets: readonly LoadBucket[], size: number): LoadBucket[] => {
  const out = new Map<number, LoadBucket>();
  for (const b of buckets) {
    const t = Math.floor(b.t / size) * size;
    const bin = out.get(t) ?? { t, calls: 0, failed: 0 };
    bin.calls += b.calls;
    bin.failed += b.failed;
    out.set(t, bin);
  }
  return [...out.values()];
};

/** The rows worth drawing: the most recent, or the most recent that retried. */
export const pickRows = (rows: readonly GanttRow[], onlyRetried: boolean, max = GANTT_ROWS): GanttRow[] => {
  const chosen = onlyRetried ? rows.filter((r) => r.attempts.length > 1 || r.waits.length > 0) : rows;
  return chosen.slice(-max);
};
