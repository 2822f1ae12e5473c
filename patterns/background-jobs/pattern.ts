/**
 * The manifest of the background-jobs pattern: what the catalog lists and the
 * Lab tab shows, as plain data (the workbench reads it without running the lab).
 */
import type { PatternManifest } from '../kit/index.ts';
import { jobsParams } from './params.ts';
import { telemetry } from './telemetry.ts';
import { jobsViews } from './views.ts';

export const pattern: PatternManifest = {
  id: 'background-jobs',
  title: 'Background jobs',
  category: 'messaging',
  summary:
    'Answer at once and do the slow work later, on workers: a durable queue in SQLite with leases (a job outlives the worker that dies holding it), retries with backoff and jitter, time limits, priorities, delayed jobs and idempotency keys.',
  editableFiles: ['sqlite-queue.ts', 'worker.ts', 'backoff.ts', 'credit-points.ts'],
  telemetry,
  labs: [
    {
      id: 'jobs',
      title: 'Loyalty points credited by background workers',
      summary:
        'POST /process enqueues a job that credits a customer’s points and answers 202 with its id at once; GET /task/:id says where it is. Workers pull the jobs from a table in the run’s SQLite database, or from BullMQ on Redis when the workbench was started with --redis. Make the job fail or hang, kill a worker mid-job, and watch the board: every job still ends completed or dead.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'database',
          kind: 'database',
          title: 'Database',
          description:
            'Every statement of the SQLite queue, the job and the API (on BullMQ, only the job’s: the queue is in Redis). Busy or locked statements make enqueues answer 503 and leave a worker unable to record an outcome: the job keeps its lease until it expires, then runs again.',
        },
        {
          id: 'job-handler',
          kind: 'in-process',
          title: 'Job handler',
          description:
            'The credit job, before it works: an exception fails the attempt (retried after a backoff with jitter, dead after the last); latency slows it past the soft time limit (its signal aborts) or the hard one (the worker gives up on it).',
        },
        {
          id: 'worker-crash',
          kind: 'in-process',
          title: 'Worker crash',
          description:
            'Kills the worker running a job after the job credited the points and before the worker told the queue: the worker dies holding all its jobs, a new one starts a second later, and the jobs run again on other workers once their leases expire.',
        },
      ],
      params: jobsParams.specs,
      views: jobsViews,
      guide: {
        watch:
          'Watch the **Jobs** board: each order\'s job moves Queued → Active → Completed; a failing job waits in Retrying with a growing delay, and after its last attempt goes to Dead.',
        tryFirst: { label: 'Make every job fail', fault: { point: 'job-handler', preset: 'fail' } },
      },
      defaultLoad: { model: 'open', rate: 10, clients: 4 },
      invariants: [
        {
          id: 'no-job-lost',
          description:
            'Every job the API accepted with a 202 ends completed or dead: none disappears from the queue, and none stays active more than two lease times after its lease expired (its worker died and nobody took it back).',
        },
        {
          id: 'one-worker-per-job',
          description:
            'No job runs on two workers at once while its lease holds: a second worker starts a job only after the lease of the first has expired.',
        },
      ],
    },
  ],
};
