/**
 * What the jobs lab draws: the board of jobs by state (as Bull Board shows
 * them), the jobs' moves, the workers, the charts and the logs. Views are
 * data (patterns/kit/views).
 */
import { logsView, metricsCharts, requestLogView, type ViewSpec } from '../kit/index.ts';

/** Every job by state, with its attempt, its worker and its latest error; a card opens its history. */
export const boardView: ViewSpec = {
  kind: 'board',
  title: 'Jobs',
  description:
    'Each job the API accepted, in the column of its state. Kill a worker (the worker-crash fault point) and watch its jobs sit in Active until their leases expire, then move to Retrying and on.',
  event: 'background-jobs.job',
  itemField: 'jobId',
  stateField: 'to',
  fromField: 'from',
  // Switching engines leaves the first engine's jobs where they were, with no workers: not on this board.
  startsAfresh: { event: 'background-jobs.engine', field: 'engine', label: 'queue engine' },
  columns: [
    { state: 'queued', label: 'Queued', tone: 'neutral' },
    { state: 'active', label: 'Active', tone: 'info' },
    { state: 'retrying', label: 'Retrying', tone: 'warn' },
    { state: 'completed', label: 'Completed', tone: 'ok' },
    { state: 'dead', label: 'Dead', tone: 'bad' },
  ],
  cardFields: [
    { field: 'attempt', label: 'attempt', format: 'count' },
    { field: 'workerId', label: 'worker' },
    { field: 'lostBy', label: 'taken back from' },
    { field: 'error', label: 'error' },
    { field: 'retryInMs', label: 'retry in', format: 'ms' },
  ],
};

/** Every move of every job, to filter by job or worker. */
export const movesView: ViewSpec = {
  kind: 'table',
  title: 'Job moves',
  description: 'Each move of each job: who claimed it, how long the attempt ran, why it failed and how long it waits before the next.',
  events: ['background-jobs.job'],
  columns: [
    { field: 't', label: 'time', format: 'time' },
    { field: 'jobId', label: 'job' },
    { field: 'from', label: 'from' },
    { field: 'to', label: 'to' },
    { field: 'attempt', label: 'attempt', format: 'count' },
    { field: 'workerId', label: 'worker' },
    { field: 'durationMs', label: 'ran', format: 'ms' },
    { field: 'retryInMs', label: 'retry in', format: 'ms' },
    { field: 'error', label: 'error' },
  ],
  filters: ['to', 'workerId'],
  search: ['jobId', 'workerId', 'error'],
};

/** Workers starting and dying, and the jobs each died holding. */
export const workersView: ViewSpec = {
  kind: 'table',
  title: 'Workers',
  description: 'Workers started, and killed with the jobs they held: those jobs come back when their leases expire.',
  events: ['background-jobs.worker', 'background-jobs.time-limit'],
  columns: [
    { field: 't', label: 'time', format: 'time' },
    { field: 'workerId', label: 'worker' },
    { field: 'event', label: 'event' },
    { field: 'limit', label: 'time limit' },
    { field: 'jobId', label: 'job' },
    { field: 'jobs', label: 'jobs held', format: 'json' },
    { field: 'running', label: 'workers alive', format: 'count' },
  ],
  filters: ['event'],
  search: ['workerId'],
};

export const jobsViews: ViewSpec[] = [
  requestLogView(),
  boardView,
  movesView,
  workersView,
  {
    ...metricsCharts(),
    rates: [
      { event: 'background-jobs.job', where: { to: 'completed' }, label: 'jobs completed' },
      { event: 'background-jobs.job', where: { to: 'retrying' }, label: 'jobs retried' },
      { event: 'background-jobs.job', where: { to: 'dead' }, label: 'jobs dead' },
      { event: 'background-jobs.credit', where: { credited: false }, label: 'repeat runs that credited nothing' },
    ],
  },
  logsView(),
];
