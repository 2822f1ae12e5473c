/** What the signup lab draws: publisher → events → handlers, dead letters, the request log, charts and logs. */
import { logsView, metricsCharts, requestLogView, type ViewSpec } from '../kit/index.ts';

export const signupViews: ViewSpec[] = [
  {
    kind: 'flow',
    title: 'Event bus',
    description: 'Who publishes, which events go over the bus, and how each handler fares.',
    stages: [
      { label: 'Publishers', event: 'request', where: { direction: 'inbound' }, nodeField: 'target', outcomeField: 'outcome', durationField: 'durationMs' },
      { label: 'Events', event: 'event.published', nodeField: 'name' },
      {
        label: 'Handlers',
        event: 'event.handled',
        nodeField: 'handler',
        link: { field: 'eventId', previousField: 'eventId' },
        okField: 'ok',
        durationField: 'durationMs',
        attemptField: 'attempt',
        counts: [{ event: 'event.deadletter', nodeField: 'handler', label: 'dead letters', tone: 'bad' }],
      },
    ],
  },
  {
    kind: 'table',
    title: 'Dead letters',
    description: 'Events a handler gave up on after its last attempt: what replay would deliver again.',
    events: ['event.deadletter'],
    columns: [
      { field: 't', label: 'time', format: 'time' },
      { field: 'eventId', label: 'event' },
      { field: 'handler', label: 'handler' },
      { field: 'attempts', label: 'attempts', format: 'count' },
      { field: 'error', label: 'error' },
    ],
    filters: ['handler'],
    search: ['eventId', 'error'],
    maxRows: 200,
  },
  requestLogView(),
  metricsCharts(),
  logsView(),
];
