/**
 * Views most labs show, as ready-made specs: the request log, the logs and
 * the throughput/error/latency charts. Plain data like any other spec; a lab
 * may list them, adjust them, or write its own.
 */
import type { ChartsViewSpec } from './charts.ts';
import type { TableViewSpec } from './table.ts';

/** Every inbound request: a row opens its attempts, retries, faults and logs. */
export const requestLogView = (title = 'Request log'): TableViewSpec => ({
  kind: 'table',
  title,
  events: ['request'],
  where: { direction: 'inbound' },
  columns: [
    { field: 't', label: 'time', format: 'time' },
    { field: 'id', label: 'id' },
    { field: 'target', label: 'route' },
    { field: 'status', label: 'status' },
    { field: 'outcome', label: 'outcome', format: 'outcome' },
    { field: 'durationMs', label: 'duration', format: 'ms' },
    { field: 'clientKey', label: 'client' },
  ],
  filters: ['outcome', 'status', 'target'],
  search: ['id', 'target', 'clientKey', 'status', 'outcome', 'error'],
  details: { field: 'id' },
  relatedCounts: [{ label: 'calls', event: 'request', where: { direction: 'outbound' }, field: 'parentId', warnAbove: 1 }],
  empty: 'No requests yet.',
});

/** The lab's `log` events, filtered by level and text. */
export const logsView = (title = 'Logs'): TableViewSpec => ({
  kind: 'table',
  title,
  events: ['log'],
  columns: [
    { field: 't', label: 'time', format: 'time' },
    { field: 'level', label: 'level', format: 'level' },
    { field: 'msg', label: 'message' },
    { field: 'fields', label: 'fields', format: 'json' },
  ],
  filters: ['level'],
  search: ['msg', 'fields'],
  empty: 'No logs yet.',
  maxRows: 2000,
});

/** Throughput, error share and latency percentiles from the `metrics` summaries. */
export const metricsCharts = (title = 'Throughput, errors, latency'): ChartsViewSpec => ({
  kind: 'charts',
  title,
  metrics: ['throughput', 'errors', 'latency'],
});
