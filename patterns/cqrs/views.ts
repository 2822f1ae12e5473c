/** What the orders lab draws: the projection's lag, the two lanes, stale reads per client, the messages, the request log, logs and charts. */
import { logsView, metricsCharts, requestLogView, type ViewSpec } from '../kit/index.ts';

export const ordersViews: ViewSpec[] = [
  {
    kind: 'charts',
    title: 'Projection lag',
    description:
      'How far the read model trails the write side, at each poll of the projection: events written but not yet projected, and how old the oldest of them is. Under Eventual, every query in that window can read a summary without the order its client was just told about.',
    metrics: [],
    levels: [
      { event: 'cqrs.projection', field: 'eventsBehind', label: 'events behind' },
      { event: 'cqrs.projection', field: 'msBehind', label: 'behind by', unit: 'ms' },
    ],
  },
  {
    kind: 'keyed-bars',
    title: 'Projection polls',
    description:
      'Each poll of the projection, a bar: green when its batch caught up with the write side, red while it stays behind. The numbers are the lag it found at its latest poll, what a query read just before: events written but not yet in the read model, and how old the oldest of them was.',
    event: 'cqrs.projection',
    keyField: 'projection',
    split: { field: 'caughtUp', yes: 'caught up', no: 'behind' },
    latest: [
      { field: 'eventsBehind', label: 'events behind', format: 'count' },
      { field: 'msBehind', label: 'behind by', format: 'ms' },
      { field: 'position', label: 'position', format: 'count' },
      { field: 'head', label: 'newest event', format: 'count' },
      { field: 'skipped', label: 'skipped (delivered again)', format: 'count' },
      { field: 'error', label: 'last error' },
    ],
    bucketMs: 1_000,
  },
  {
    kind: 'charts',
    title: 'Lanes: commands and queries',
    description:
      "The load's two lanes, each at its own rate (set their split with Queries in the load), the stale reads among the queries, and the projection's failed batches.",
    metrics: ['throughput'],
    rates: [
      { event: 'cqrs.command', label: 'commands' },
      { event: 'cqrs.query', label: 'queries' },
      { event: 'cqrs.query', where: { stale: true }, label: 'stale reads' },
      { event: 'cqrs.projection', where: { redelivered: true }, label: 'batches delivered twice' },
      { event: 'cqrs.projection', where: { ok: false }, label: 'failed projection batches' },
    ],
  },
  {
    kind: 'keyed-bars',
    title: 'Reading your own writes, per client',
    description:
      "Each client's queries, right after its own commands: fresh, or stale (the answer missed an order the client had been told was placed). Under Eventual they happen whenever the projection is behind; the two other modes never give one.",
    event: 'cqrs.query',
    keyField: 'clientKey',
    split: { field: 'stale', yes: 'stale', no: 'fresh' },
    latest: [
      { field: 'source', label: 'read from' },
      { field: 'waitedMs', label: 'waited', format: 'ms' },
    ],
    heading: [{ field: 'staleReads', label: 'stale reads in all', format: 'count' }],
    mode: { field: 'consistency', label: 'Reading your own writes', param: 'consistency' },
  },
  {
    kind: 'table',
    title: 'Commands, queries and rebuilds',
    description:
      'Every command with the position of the event it recorded, every query with where it read and whether it was stale, and every rebuild of the read model with its numbers before and after.',
    events: ['cqrs.command', 'cqrs.query', 'cqrs.rebuild'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'type', label: 'kind' },
      { field: 'requestId', label: 'request' },
      { field: 'clientKey', label: 'client' },
      { field: 'command', label: 'command' },
      { field: 'query', label: 'query' },
      { field: 'ok', label: 'ok', format: 'boolean' },
      { field: 'position', label: 'position' },
      { field: 'source', label: 'read from' },
      { field: 'stale', label: 'stale', format: 'boolean' },
      { field: 'waitedMs', label: 'waited', format: 'ms' },
      { field: 'error', label: 'error' },
    ],
    filters: ['type', 'command', 'query', 'ok', 'stale', 'source', 'clientKey'],
    search: ['requestId', 'error', 'reason'],
    details: { field: 'requestId' },
    empty: 'No commands or queries yet.',
    maxRows: 2_000,
  },
  requestLogView(),
  logsView(),
  metricsCharts(),
];
