/** What the API lab draws: each client's allowed and limited requests, the request log, logs and charts. */
import { logsView, metricsCharts, requestLogView, type ViewSpec } from '../kit/index.ts';

export const apiViews: ViewSpec[] = [
  {
    kind: 'keyed-bars',
    title: 'Rate limiting',
    description: 'Per client, requests let through and limited (429) in 250 ms buckets: a burst at a window boundary shows as a double bar.',
    event: 'ratelimit',
    keyField: 'key',
    split: { field: 'allowed', yes: 'allowed', no: 'limited' },
    // The limit is in the heading: per key, what is left of it.
    latest: [{ field: 'remaining', label: 'remaining', format: 'count' }],
    heading: [{ field: 'limit', label: 'limit per window', format: 'count' }],
    mode: { field: 'algorithm', label: 'algorithm', param: 'algorithm' },
    bucketMs: 250,
  },
  requestLogView(),
  logsView(),
  metricsCharts(),
];
