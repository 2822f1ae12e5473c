/** What the checkout lab draws: the log explorer, the volume per level, the request log and charts. */
import { logsView, requestLogView, type ViewSpec } from '../kit/index.ts';

const level = (field: 'debug' | 'info' | 'warn' | 'error' | 'sampledOut', label: string) => ({
  event: 'structured-logging.volume',
  field,
  label,
  chart: 'Log lines per second',
});

const requestLog = requestLogView();

export const checkoutViews: ViewSpec[] = [
  {
    kind: 'table',
    title: 'Log explorer',
    description:
      'Every JSON line both services wrote. Filter by minimum level, service or message; search any field as key=value (requestId=req-12, userId=u-7, user.email=[REDACTED]). Open a line to follow its request across the checkout and payments services.',
    events: ['structured-logging.line'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'service', label: 'service' },
      { field: 'level', label: 'level', format: 'level' },
      { field: 'msg', label: 'message' },
      { field: 'requestId', label: 'request' },
      { field: 'text', label: 'fields' },
    ],
    filters: ['level', 'service', 'msg'],
    search: ['text', 'msg'],
    details: { field: 'requestId' },
    empty: 'No log lines yet.',
    maxRows: 3_000,
  },
  {
    kind: 'charts',
    title: 'Log volume per level',
    description:
      'Lines written per second at each level, and the debug lines the sampler dropped, beside the load. Without sampling, debug grows with the load; with it, debug stays near its budget and warnings and errors are all still there.',
    metrics: ['throughput'],
    levels: [level('debug', 'debug'), level('info', 'info'), level('warn', 'warn'), level('error', 'error'), level('sampledOut', 'sampled out')],
  },
  {
    ...requestLog,
    description:
      'Every checkout, with the log lines that carry its id. With the context in a module variable under load, some requests have one line and others a dozen: their lines went to whoever came in last.',
    relatedCounts: [...(requestLog.relatedCounts ?? []), { label: 'log lines', event: 'structured-logging.line', field: 'requestId' }],
  },
  logsView('Lab messages'),
];
