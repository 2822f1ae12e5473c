/**
 * What the basic lab draws: the request log, the limit's decisions, the
 * charts and the logs. Views are data (patterns/kit/views): the presets come
 * from the kit, and `decisionsView` shows this pattern's own event in the
 * generic table.
 */
import { logsView, metricsCharts, requestLogView, type ViewSpec } from '../kit/index.ts';

/** Every decision of the limit: filter on `admitted` to see the calls it turned away. */
export const decisionsView: ViewSpec = {
  kind: 'table',
  title: 'Decisions',
  description: 'Each call the limit admitted or turned away, and how many calls were in flight when it decided.',
  events: ['__id__.decision'],
  columns: [
    { field: 't', label: 'time', format: 'time' },
    { field: 'requestId', label: 'request' },
    { field: 'admitted', label: 'admitted', format: 'boolean' },
    { field: 'inFlight', label: 'in flight', format: 'count' },
    { field: 'limit', label: 'limit', format: 'count' },
  ],
  filters: ['admitted'],
  search: ['requestId'],
};

export const basicViews: ViewSpec[] = [
  requestLogView(),
  decisionsView,
  // The kit's charts, and one more: how many calls a second the limit turns away.
  { ...metricsCharts(), rates: [{ event: '__id__.decision', where: { admitted: false }, label: 'turned away' }] },
  logsView(),
];
