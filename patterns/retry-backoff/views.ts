/** What the retry labs draw: every attempt of every request, the request log and the charts. */
import { metricsCharts, requestLogView, type AttemptsViewSpec, type ViewSpec } from '../kit/index.ts';

const attempts: AttemptsViewSpec = {
  kind: 'attempts',
  title: 'Retries',
  description: 'Each request’s attempts and the waits between them; how hard the downstream was hit, and when.',
  wait: { event: 'retry.attempt', requestField: 'requestId', delayField: 'delayMs', attemptField: 'attempt', errorField: 'error' },
  giveUp: { event: 'retry.giveup', requestField: 'requestId' },
};

export const flakyViews: ViewSpec[] = [attempts, requestLogView(), metricsCharts()];

export const contentionViews: ViewSpec[] = [
  {
    ...attempts,
    summary: {
      event: 'retry.summary',
      title: 'Strategies compared (one row per herd)',
      fields: [
        { field: 'strategy', label: 'strategy' },
        { field: 'clients', label: 'clients', format: 'count' },
        { field: 'totalCalls', label: 'calls to orders', format: 'count' },
        { field: 'totalCalls', per: 'clients', label: 'calls / client', format: 'count' },
        { field: 'recoveryPeakPer100ms', label: 'peak calls / 100 ms after recovery', format: 'count' },
        { field: 'succeeded', label: 'succeeded', format: 'count', tone: 'ok' },
        { field: 'failed', label: 'failed', format: 'count', tone: 'bad' },
        { field: 'doneAtMs', label: 'all done after', format: 'ms' },
      ],
    },
  },
  metricsCharts(),
  requestLogView(),
];
