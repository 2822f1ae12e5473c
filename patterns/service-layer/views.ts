/** What the signup lab draws: the layers each request went through, the traces, the request log, logs and charts. */
import { logsView, metricsCharts, requestLogView, type FlowStage, type ViewSpec } from '../kit/index.ts';

/** A column of the flow: the spans of one layer, linked to the layer above by request id. */
const layer = (label: string, name: 'route' | 'service' | 'repository', countLabel: string): FlowStage => ({
  label,
  event: 'service-layer.span',
  where: { layer: name },
  nodeField: 'name',
  countLabel,
  link: { field: 'requestId', previousField: 'requestId' },
  okField: 'ok',
  errorField: 'error',
  durationField: 'durationMs',
});

export const signupViews: ViewSpec[] = [
  {
    kind: 'flow',
    title: 'Route → service → repository → SQL',
    description:
      'Every request through the layers: which route, use case, repository method and statement it reached, how long each took (the layers below included) and how often each failed.',
    stages: [
      layer('Routes', 'route', 'requests'),
      layer('Service', 'service', 'calls'),
      layer('Repository', 'repository', 'calls'),
      {
        label: 'SQL',
        event: 'sql',
        nodeField: 'statement',
        nodeFormat: 'sql',
        countLabel: 'statements',
        link: { field: 'requestId', previousField: 'requestId' },
        errorField: 'error',
        durationField: 'durationMs',
      },
    ],
  },
  {
    kind: 'table',
    title: 'Traces',
    description:
      "Each span of each request, innermost first as they end. Open a row to see the request's whole trace: its spans, its SQL and any fault injected into it. Between a sign-up's findByEmail and its add sits the email check: the window two sign-ups for one address can both pass through.",
    events: ['service-layer.span'],
    columns: [
      { field: 't', label: 'ended', format: 'time' },
      { field: 'requestId', label: 'request' },
      { field: 'layer', label: 'layer' },
      { field: 'name', label: 'name' },
      { field: 'durationMs', label: 'time', format: 'ms' },
      { field: 'ok', label: 'ok', format: 'boolean' },
      { field: 'status', label: 'status' },
      { field: 'error', label: 'error' },
    ],
    filters: ['layer', 'name', 'ok', 'status'],
    search: ['requestId', 'name', 'error'],
    details: { field: 'requestId' },
    empty: 'No requests yet.',
    maxRows: 2_000,
  },
  requestLogView(),
  logsView(),
  metricsCharts(),
];
