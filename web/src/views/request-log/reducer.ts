/**
 * The request log's model: the last MAX_ROWS inbound requests, oldest first,
 * each with how many outbound calls it made, and the routes and statuses
 * seen (for the filters). Details of one request are looked up on demand
 * (details.ts), so rows stay small.
 */
import type { RequestOutcome, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { newest, trimFront, type ViewReducer } from '../shared/reducer.ts';

export interface RequestRow {
  /** Run time when it completed. */
  t: number;
  id: string;
  target: string;
  status: number | undefined;
  outcome: RequestOutcome;
  durationMs: number;
  clientKey: string | undefined;
  error: string | undefined;
  /** Outbound calls it made (retries included). */
  calls: number;
}

export interface RequestLogModel {
  rows: RequestRow[];
  routes: string[];
  statuses: number[];
  /** Inbound requests seen in all, kept or not. */
  total: number;
}

export const MAX_ROWS = 5000;
/** Requests still in flight whose outbound calls are being counted. */
const MAX_PENDING = 10_000;

interface Acc {
  rows: RequestRow[];
  calls: Map<string, number>;
  routes: Set<string>;
  statuses: Set<number>;
  total: number;
}

export const requestLogReducer: ViewReducer<Acc, RequestLogModel> = {
  init: () => ({ rows: [], calls: new Map(), routes: new Set(), statuses: new Set(), total: 0 }),
  step(acc, event: TelemetryEvent) {
    if (event.type !== 'request') return;
    if (event.direction === 'outbound') {
      if (event.parentId === undefined) return;
      acc.calls.set(event.parentId, (acc.calls.get(event.parentId) ?? 0) + 1);
      if (acc.calls.size > MAX_PENDING) acc.calls.delete(acc.calls.keys().next().value!);
      return;
    }
    const calls = acc.calls.get(event.id) ?? 0;
    acc.calls.delete(event.id);
    acc.rows.push({
      t: event.t,
      id: event.id,
      target: event.target,
      status: event.status,
      outcome: event.outcome,
      durationMs: event.durationMs,
      clientKey: event.clientKey,
      error: event.error,
      calls,
    });
    trimFront(acc.rows, MAX_ROWS);
    acc.total++;
    // Bounded by what labs serve: a handful of routes and statuses.
    if (acc.routes.size < 200) acc.routes.add(event.target);
    if (event.status !== undefined && acc.statuses.size < 200) acc.statuses.add(event.status);
  },
  view: (acc, nowT) => ({
    rows: newest(
      acc.rows.length && acc.rows[acc.rows.length - 1]!.t > nowT ? acc.rows.filter((r) => r.t <= nowT) : acc.rows,
      MAX_ROWS,
    ),
    routes: [...acc.routes].sort(),
    statuses: [...acc.statuses].sort((a, b) => a - b),
    total: acc.total,
  }),
};

export interface RequestFilter {
  outcome: RequestOutcome | 'all' | 'failed';
  status: number | 'all';
  route: string | 'all';
  /** Words that must all appear in the id, route, client key, status or error. */
  text: string;
}

export const NO_FILTER: RequestFilter = { outcome: 'all', status: 'all', route: 'all', text: '' };

export const filterRows = (rows: readonly RequestRow[], filter: RequestFilter): readonly RequestRow[] => {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (filter.outcome === 'all' && filter.status === 'all' && filter.route === 'all' && words.length === 0) return rows;
  return rows.filter((row) => {
    if (filter.outcome === 'failed' ? row.outcome === 'ok' : filter.outcome !== 'all' && row.outcome !== filter.outcome) return false;
    if (filter.status !== 'all' && row.status !== filter.status) return false;
    if (filter.route !== 'all' && row.target !== filter.route) return false;
    if (words.length) {
      const text = `${row.id} ${row.target} ${row.clientKey ?? ''} ${row.status ?? ''} ${row.outcome} ${row.error ?? ''}`.toLowerCase();
      if (!words.every((w) => text.includes(w))) return false;
    }
    return true;
  });
};
