/**
 * What the store lab draws: the request log with the statements each request
 * sent, the query log beside it, where each operation's statements go, the
 * deep pages and listings, the edits and their conflicts, and the charts.
 */
import { logsView, requestLogView, type ViewSpec } from '../kit/index.ts';

const requests = requestLogView('Requests');

export const storeViews: ViewSpec[] = [
  {
    ...requests,
    description: 'Every request, with the statements it sent to SQLite: a list page that loads each user’s orders one by one sends 21.',
    // A request's statements are recorded before the request ends, so they are counted on its row.
    relatedCounts: [{ label: 'statements', event: 'sql', field: 'requestId', warnAbove: 4 }],
  },
  {
    kind: 'table',
    title: 'Query log',
    description: 'Every statement the repositories sent, with its rows, its time and the request that sent it. Open a row to see that whole request.',
    events: ['sql'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'requestId', label: 'request' },
      { field: 'statement', label: 'statement' },
      { field: 'rows', label: 'rows', format: 'count' },
      { field: 'durationMs', label: 'time', format: 'ms' },
      { field: 'error', label: 'error' },
    ],
    filters: ['error'],
    search: ['statement', 'requestId', 'error'],
    details: { field: 'requestId' },
    empty: 'No statements yet (in memory there are none).',
    maxRows: 3_000,
  },
  {
    kind: 'flow',
    title: 'Operations and their statements',
    description: 'Each operation, and the statements it sent: how many times each ran, and how long it took (average and p90).',
    stages: [
      {
        label: 'Operations',
        event: 'request',
        where: { direction: 'inbound' },
        nodeField: 'target',
        countLabel: 'requests',
        outcomeField: 'outcome',
        errorField: 'error',
        durationField: 'durationMs',
      },
      {
        label: 'Statements',
        event: 'sql',
        nodeField: 'statement',
        nodeFormat: 'sql',
        countLabel: 'runs',
        link: { field: 'requestId', previousField: 'id' },
        errorField: 'error',
        durationField: 'durationMs',
      },
    ],
  },
  {
    kind: 'table',
    title: 'Pages and listings',
    description: 'Deep pages (offset or keyset) and users-with-orders pages (N+1 or join): rows read and thrown away, statements, time.',
    events: ['repository.page', 'repository.listing'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'requestId', label: 'request' },
      { field: 'storage', label: 'storage' },
      { field: 'strategy', label: 'strategy' },
      { field: 'depth', label: 'depth', format: 'count' },
      { field: 'rowsSkipped', label: 'rows skipped', format: 'count' },
      { field: 'users', label: 'users', format: 'count' },
      { field: 'orders', label: 'orders', format: 'count' },
      { field: 'statements', label: 'statements', format: 'count' },
      { field: 'durationMs', label: 'time', format: 'ms' },
    ],
    filters: ['strategy', 'storage'],
    details: { field: 'requestId' },
    empty: 'No pages yet: choose a users-with-orders or deep-page workload.',
  },
  {
    kind: 'table',
    title: 'Edits',
    description: 'Each attempt to write an edit: applied, or refused because the user’s version moved on since the request read it.',
    events: ['repository.edit'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'requestId', label: 'request' },
      { field: 'userId', label: 'user' },
      { field: 'attempt', label: 'attempt', format: 'count' },
      { field: 'expectedVersion', label: 'expected version', format: 'count' },
      { field: 'outcome', label: 'outcome' },
      { field: 'edits', label: 'edit count written', format: 'count' },
    ],
    filters: ['outcome', 'userId', 'storage'],
    details: { field: 'requestId' },
    empty: 'No edits yet: choose an edit workload (or the mix).',
  },
  {
    kind: 'charts',
    title: 'Throughput, latency, statements',
    metrics: ['throughput', 'errors', 'latency'],
    rates: [
      { event: 'sql', label: 'statements' },
      { event: 'repository.edit', where: { outcome: 'conflict' }, label: 'version conflicts' },
    ],
  },
  logsView(),
];
