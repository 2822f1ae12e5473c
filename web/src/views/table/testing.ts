/** Test helpers for the table view: the specs it serves, and events numbered as a run numbers them. */
import { logsView, requestLogView, type TableViewSpec, type TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { signupViews } from '../../../../patterns/event-bus/views.ts';
import { reduceEvents } from '../shared/reducer.ts';
import { makeCustom } from '../shared/testing.ts';
import { makeTableReducer } from './reducer.ts';

export const requestLog = requestLogView();
export const logs = logsView();
export const deadLetters = signupViews.find((v): v is TableViewSpec => v.kind === 'table' && v.title === 'Dead letters')!;

/** A query log: a table of another event than requests and logs. */
export const queryLog: TableViewSpec = {
  kind: 'table',
  title: 'Queries',
  events: ['sql'],
  columns: [
    { field: 't', label: 'time', format: 'time' },
    { field: 'statement', label: 'statement' },
    { field: 'rows', label: 'rows', format: 'count' },
    { field: 'durationMs', label: 'duration', format: 'ms' },
  ],
  filters: ['rows'],
  search: ['statement', 'error'],
  maxRows: 3,
};

/** Events with their place in the run, `seq`, as the run gives them (0, 1, 2, …). */
export const numbered = <E extends TelemetryEvent>(events: E[]): E[] => events.map((event, seq) => ({ ...event, seq }));

/** A table's model of `events` (numbered), up to `nowT`. */
export const tableOf = (spec: TableViewSpec, events: TelemetryEvent[], nowT = Infinity) => {
  const reducer = makeTableReducer(spec);
  return { reducer, layout: reducer.layout, model: reduceEvents(reducer, numbered(events), nowT) };
};

/** A row's values by field name, to read in tests. */
export const valuesOf = (layout: { fields: string[] }, row: { values: unknown[] }) =>
  Object.fromEntries(layout.fields.map((field, i) => [field, row.values[i]]));

/** Patterns' own event types, declared in their folders: built loosely. */
export const makeSql = (statement: string, rows: number, durationMs: number, extra: Record<string, unknown> = {}) =>
  makeCustom('sql', { statement, rows, durationMs, ...extra });
export const makeDeadLetter = (eventId: string, handler: string, error: string, attempts = 3, name = 'user.created') =>
  makeCustom('event.deadletter', { eventId, name, handler, attempts, error });
export const makeRetryWait = (requestId: string, attempt: number, delayMs: number, error = 'HTTP 503') =>
  makeCustom('retry.attempt', { requestId, attempt, delayMs, error });
