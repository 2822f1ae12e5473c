/**
 * The attempts view's model, built from its spec:
 * - a Gantt of recent requests: each outbound attempt a bar, each wait before
 *   the next attempt (`spec.wait`) a gap bar, the give-up (`spec.giveUp`) or
 *   final answer at the end;
 * - how many attempts requests needed (a histogram);
 * - the downstream's load (load.ts) — synchronised retries show as waves;
 * - strategies compared: the run split at each `params.changed`
 *   (segments.ts), or the lab's own summary events (`spec.summary`, summary.ts).
 *
 * Attempts are outbound `request` events, grouped by `parentId` (the inbound
 * request they serve). Without `spec.wait`, every attempt after a request's
 * first counts as its retry; with it, each wait event does (a retry is
 * decided, and counted, before it is made).
 */
import type { AttemptsViewSpec, RequestOutcome, TelemetryEvent, TelemetryOf } from '../../../../patterns/kit/index.ts';
import { fieldOf } from '../shared/fields.ts';
import { newest, trimFront, typeOf, type ViewReducer } from '../shared/reducer.ts';
import { countCall, loadAt, newLoad, type Load, type LoadBucket } from './load.ts';
import { changeParams, newSegments, segmentAt, segmentsAt, type Segment, type Segments } from './segments.ts';
import { summaryRow, type SummaryRow } from './summary.ts';

/** One attempt, or one wait, on a request's Gantt row. */
export interface Span {
  start: number;
  end: number;
  /** The attempt's number; for a wait, the attempt it follows (0: not known yet). */
  attempt: number;
  outcome?: RequestOutcome;
  status?: number;
  error?: string;
}

export interface GanttRow {
  /** The inbound request's id. */
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

export interface AttemptsTotals {
  /** Outbound calls: every attempt counted. */
  calls: number;
  retries: number;
  giveups: number;
  /** Wait events, and the time they added up to. */
  waits: number;
  waitedMs: number;
}

export interface AttemptsModel {
  rows: GanttRow[];
  histogram: HistogramBin[];
  /** Fine buckets (BUCKET_MS) over the last LOAD_WINDOW_MS. */
  load: LoadBucket[];
  segments: Segment[];
  summaries: SummaryRow[];
  totals: AttemptsTotals;
}

export const MAX_GROUPS = 300;
export const GANTT_ROWS = 40;
const MAX_PENDING = 10_000;
const MAX_SUMMARIES = 50;
/** Spans kept per request: a request retried more than this is drawn cut short. */
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
  /** The latest MAX_GROUPS requests, oldest first (a Map keeps insertion order). */
  groups: Map<string, Group>;
  /** Outbound calls so far of each request not yet answered, for the histogram. */
  pending: Map<string, number>;
  histogram: Map<number, { ok: number; failed: number }>;
  load: Load;
  segments: Segments;
  summaries: SummaryRow[];
  totals: AttemptsTotals;
}

const groupOf = (acc: Acc, id: string): Group => {
  let group = acc.groups.get(id);
  if (!group) {
    group = { id, clientKey: undefined, attempts: [], waits: [], result: undefined, end: undefined };
    acc.groups.set(id, group);
    if (acc.groups.size > MAX_GROUPS) acc.groups.delete(acc.groups.keys().next().value!);
  }
  return group;
};

/** A request has ended: its attempt count goes into the histogram (once). */
const finish = (acc: Acc, id: string, ok: boolean): void => {
  const attempts = acc.pending.get(id);
  if (attempts === undefined) return;
  acc.pending.delete(id);
  let bin = acc.histogram.get(attempts);
  if (!bin) acc.histogram.set(attempts, (bin = { ok: 0, failed: 0 }));
  bin[ok ? 'ok' : 'failed']++;
};

/** A request id as a spec's field holds it, or undefined. */
const idOf = (value: unknown): string | undefined => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);

const countRetry = (acc: Acc, t: number): void => {
  acc.totals.retries++;
  segmentAt(acc.segments, t).retries++;
};

const onInbound = (acc: Acc, event: TelemetryOf<'request'>): void => {
  const segment = segmentAt(acc.segments, event.t);
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
};

const onAttempt = (acc: Acc, event: TelemetryOf<'request'>, countsRetries: boolean): void => {
  const start = event.t - event.durationMs;
  acc.totals.calls++;
  segmentAt(acc.segments, event.t).calls++;
  countCall(acc.load, start, event.outcome !== 'ok');
  const parent = event.parentId ?? event.id;
  const calls = (acc.pending.get(parent) ?? 0) + 1;
  acc.pending.set(parent, calls);
  if (acc.pending.size > MAX_PENDING) acc.pending.delete(acc.pending.keys().next().value!);
  const attempt = event.attempt ?? calls;
  if (countsRetries && attempt > 1) countRetry(acc, event.t);
  const group = groupOf(acc, parent);
  if (group.attempts.length < MAX_SPANS) {
    group.attempts.push({
      start,
      end: event.t,
      attempt,
      outcome: event.outcome,
      ...(event.status !== undefined && { status: event.status }),
      ...(event.error !== undefined && { error: event.error }),
    });
  }
};

const onWait = (acc: Acc, event: TelemetryEvent, wait: NonNullable<AttemptsViewSpec['wait']>): void => {
  const id = idOf(fieldOf(event, wait.requestField));
  const delayMs = Number(fieldOf(event, wait.delayField));
  if (id === undefined || !Number.isFinite(delayMs)) return;
  acc.totals.waits++;
  acc.totals.waitedMs += delayMs;
  countRetry(acc, event.t);
  const group = groupOf(acc, id);
  if (group.waits.length >= MAX_SPANS) return;
  const attempt = wait.attemptField === undefined ? undefined : Number(fieldOf(event, wait.attemptField));
  const error = wait.errorField === undefined ? undefined : fieldOf(event, wait.errorField);
  group.waits.push({
    start: event.t,
    end: event.t + delayMs,
    attempt: attempt !== undefined && Number.isFinite(attempt) ? attempt : (group.attempts.at(-1)?.attempt ?? 0),
    ...(error !== undefined && error !== null && { error: String(error) }),
  });
};

const onGiveUp = (acc: Acc, event: TelemetryEvent, giveUp: NonNullable<AttemptsViewSpec['giveUp']>): void => {
  const id = idOf(fieldOf(event, giveUp.requestField));
  if (id === undefined) return;
  acc.totals.giveups++;
  segmentAt(acc.segments, event.t).giveups++;
  const group = groupOf(acc, id);
  group.result = 'gave-up';
  group.end = event.t;
  finish(acc, id, false);
};

const rowAt = (group: Group, nowT: number): GanttRow | undefined => {
  const attempts = group.attempts.filter((s) => s.end <= nowT);
  const waits = group.waits.filter((s) => s.start <= nowT);
  if (attempts.length === 0 && waits.length === 0) return undefined;
  const start = Math.min(...attempts.map((s) => s.start), ...waits.map((s) => s.start));
  const done = group.end !== undefined && group.end <= nowT;
  // A request still going reaches up to now, its current wait included.
  const end = done ? group.end! : Math.max(...attempts.map((s) => s.end), ...waits.map((s) => Math.min(s.end, nowT)), nowT);
  return { id: group.id, clientKey: group.clientKey, start, end, attempts, waits, result: done ? group.result : undefined };
};

export const makeAttemptsReducer = (spec: AttemptsViewSpec): ViewReducer<Acc, AttemptsModel> => {
  const { wait, giveUp, summary } = spec;
  return {
    init: () => ({
      groups: new Map(),
      pending: new Map(),
      histogram: new Map(),
      load: newLoad(),
      segments: newSegments(),
      summaries: [],
      totals: { calls: 0, retries: 0, giveups: 0, waits: 0, waitedMs: 0 },
    }),

    step(acc, event) {
      const type = typeOf(event);
      if (event.type === 'request') {
        if (event.direction === 'inbound') onInbound(acc, event);
        else onAttempt(acc, event, wait === undefined);
      } else if (event.type === 'params.changed') {
        changeParams(acc.segments, event.t, event.params);
      } else if (wait && type === wait.event) {
        onWait(acc, event, wait);
      } else if (giveUp && type === giveUp.event) {
        onGiveUp(acc, event, giveUp);
      } else if (summary && type === summary.event) {
        acc.summaries.push(summaryRow(summary.fields, event));
        trimFront(acc.summaries, MAX_SUMMARIES);
      }
    },

    view(acc, nowT) {
      const rows: GanttRow[] = [];
      for (const group of acc.groups.values()) {
        const row = rowAt(group, nowT);
        if (row) rows.push(row);
      }
      rows.sort((a, b) => a.start - b.start);
      const histogram = [...acc.histogram.entries()].sort(([a], [b]) => a - b).map(([attempts, bin]) => ({ attempts, ...bin }));
      return {
        rows,
        histogram,
        load: loadAt(acc.load, nowT),
        segments: segmentsAt(acc.segments, nowT),
        summaries: newest(acc.summaries.filter((s) => s.t <= nowT), MAX_SUMMARIES),
        totals: { ...acc.totals },
      };
    },
  };
};

/** The rows worth drawing: the most recent, or the most recent that retried. */
export const pickRows = (rows: readonly GanttRow[], onlyRetried: boolean, max = GANTT_ROWS): GanttRow[] => {
  const chosen = onlyRetried ? rows.filter((r) => r.attempts.length > 1 || r.waits.length > 0) : rows;
  return chosen.slice(-max);
};
