/** What the signup lab draws: publisher → events → handlers, dead letters, the request log, charts and logs. */
import { logsView, metricsCharts, requestLogView, type ViewSpec } from '../kit/index.ts';

export const signupViews: ViewSpec[] = [
  {
    kind: 'flow',
    title: 'Event bus',
    description: 'Who publishes, which events go over the bus, and how each handler fares.',
    stages: [
      {
        label: 'Publishers',
        event: 'request',
        where: { direction: 'inbound' },
        nodeField: 'target',
        countLabel: 'requests',
        outcomeField: 'outcome',
        errorField: 'error',
        durationField: 'durationMs',
      },
      { label: 'Events', event: 'event.published', nodeField: 'name', countLabel: 'published' },
      {
        label: 'Handlers',
        event: 'event.handled',
        nodeField: 'handler',
        countLabel: 'attempts',
        link: { field: 'eventId', previousField: 'eventId' },
        okField: 'ok',
        errorField: 'error',
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
      { field: 'name', label: 'name' },
      { field: 'handler', label: 'handler' },
      { field: 'attempts', label: 'attempts', format: 'count' },
      { field: 'error', label: 'error' },
    ],
    filters: ['handler'],
    search: ['eventId', 'handler', 'error'],
    empty: 'None: every handler finished within its attempts.',
    maxRows: 200,
  },
  requestLogView(),
  metricsCharts(),
  logsView(),
];
