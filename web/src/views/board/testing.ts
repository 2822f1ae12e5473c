/** Event and spec builders for the board view's tests: a queue of background jobs. */
import type { BoardViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';

/** A job moving between states, as a background-jobs lab would report it. */
export const makeJobState = (
  fields: { jobId?: string; from?: string; to?: string; attempt?: number; error?: string } = {},
  t = 0,
): TelemetryEvent => ({ t, runId: 'run-1', seq: 0, type: 'job.state', jobId: 'job-1', to: 'waiting', attempt: 1, ...fields }) as unknown as TelemetryEvent;

/** Bull Board's columns for a queue of jobs. */
export const jobsBoard = (overrides: Partial<BoardViewSpec> = {}): BoardViewSpec => ({
  kind: 'board',
  title: 'Jobs',
  event: 'job.state',
  itemField: 'jobId',
  stateField: 'to',
  fromField: 'from',
  columns: [
    { state: 'waiting', label: 'Waiting', tone: 'neutral' },
    { state: 'active', label: 'Active', tone: 'info' },
    { state: 'delayed', label: 'Delayed', tone: 'warn' },
    { state: 'completed', label: 'Completed', tone: 'ok' },
    { state: 'failed', label: 'Failed', tone: 'bad' },
  ],
  cardFields: [
    { field: 'attempt', label: 'attempt', format: 'count' },
    { field: 'error', label: 'error' },
  ],
  ...overrides,
});
