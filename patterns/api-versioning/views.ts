/**
 * What the api lab draws: which handler and which transformations served each
 * request, traffic per version over time (when can v1 be retired?), each
 * client's answers kept or broken, every contract break, and the request
 * log, logs and charts.
 */
import { logsView, metricsCharts, requestLogView, type ViewSpec } from '../kit/index.ts';

export const apiViews: ViewSpec[] = [
  {
    kind: 'flow',
    title: 'Which handler served each request',
    description:
      'How each request named its version, the version it was served in, and what ran: always the newest handler, then one transformation per newer version, taken back in turn.',
    stages: [
      { label: 'Named by', event: 'api-versioning.served', nodeField: 'scheme', countLabel: 'requests' },
      { label: 'Version', event: 'api-versioning.served', nodeField: 'version', countLabel: 'requests', link: { field: 'requestId', previousField: 'requestId' } },
      { label: 'Handler and transformations', event: 'api-versioning.served', nodeField: 'chain', countLabel: 'requests', link: { field: 'requestId', previousField: 'requestId' } },
      {
        label: 'Client check',
        event: 'api-versioning.checked',
        nodeField: 'expected',
        countLabel: 'answers read',
        link: { field: 'requestId', previousField: 'requestId' },
        okField: 'ok',
        errorField: 'detail',
      },
    ],
  },
  {
    kind: 'charts',
    title: 'Traffic per version: when can v1 be retired?',
    description: 'Requests served per second in each version, and the clients written against each. v1 can go when its line reaches zero and stays there.',
    metrics: [],
    rates: [
      { event: 'api-versioning.served', where: { version: 'v1' }, label: 'v1 requests' },
      { event: 'api-versioning.served', where: { version: 'v2' }, label: 'v2 requests' },
      { event: 'api-versioning.served', where: { version: 'v3' }, label: 'v3 requests' },
      { event: 'api-versioning.checked', where: { ok: false }, label: 'contract breaks' },
    ],
    levels: [
      { event: 'api-versioning.fleet', field: 'v1', label: 'v1 clients', chart: 'Clients per version' },
      { event: 'api-versioning.fleet', field: 'v2', label: 'v2 clients', chart: 'Clients per version' },
      { event: 'api-versioning.fleet', field: 'v3', label: 'v3 clients', chart: 'Clients per version' },
    ],
  },
  {
    kind: 'keyed-bars',
    title: 'Clients and their contracts',
    description: 'Per client, answers it could read and answers that broke its contract, in 1 s buckets; with the version it was written against and the version it was served.',
    event: 'api-versioning.checked',
    keyField: 'client',
    split: { field: 'ok', yes: 'contract kept', no: 'contract broken' },
    latest: [
      { field: 'expected', label: 'written against' },
      { field: 'served', label: 'served' },
      { field: 'scheme', label: 'names it by' },
    ],
    bucketMs: 1_000,
  },
  {
    kind: 'table',
    title: 'Contract breaks',
    description: 'Every answer a client could not use: what it was written against, what it got, and what was wrong.',
    events: ['api-versioning.checked'],
    where: { ok: false },
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'requestId', label: 'request' },
      { field: 'client', label: 'client' },
      { field: 'scheme', label: 'names it by' },
      { field: 'expected', label: 'written against' },
      { field: 'served', label: 'served' },
      { field: 'status', label: 'status' },
      { field: 'detail', label: 'what was wrong' },
    ],
    filters: ['client', 'scheme', 'expected', 'served'],
    search: ['client', 'detail'],
    details: { field: 'requestId' },
    empty: 'No contract broken yet.',
  },
  requestLogView(),
  logsView(),
  metricsCharts(),
];
