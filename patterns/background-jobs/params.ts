/**
 * The jobs lab's knobs, declared once: pattern.ts lists them in the manifest
 * (`jobsParams.specs`) and lab.ts reads them typed, defaults included
 * (`jobsParams.read(ctx.params)`). The lab has no `updateParams`: a change
 * restarts it, its workers die mid-job as in a redeploy, and the jobs they
 * held run again once their leases expire (the table is the run's, not the lab's).
 */
import { defineParams } from '../kit/index.ts';

export const jobsParams = defineParams({
  engine: {
    label: 'Queue engine',
    description:
      "Where the jobs live. The embedded queue keeps them in a table of the run's SQLite database, beside the points; BullMQ keeps them in Redis, outside the run, as it would for workers on other machines. Switching starts the lab afresh on the other engine: the jobs of the first stay where they are.",
    type: 'enum',
    default: 'sqlite',
    options: [
      { value: 'sqlite', label: 'Embedded queue (SQLite)' },
      { value: 'bullmq', label: 'BullMQ on Redis', needs: 'redis' },
    ],
  },
  workers: {
    label: 'Workers',
    description: 'Worker processes pulling jobs from the queue. A killed worker is replaced after a second, as a supervisor would restart it.',
    type: 'integer',
    default: 3,
    min: 1,
    max: 8,
  },
  concurrency: {
    label: 'Concurrency per worker',
    description: 'Jobs each worker runs at once. Workers × concurrency × 1000 / job time is how many jobs a second the queue can drain.',
    type: 'integer',
    default: 2,
    min: 1,
    max: 10,
  },
  attempts: {
    label: 'Attempts',
    description: 'How many times a job may run in all, the first included; after the last failed attempt it is dead.',
    type: 'integer',
    default: 4,
    min: 1,
    max: 10,
  },
  leaseMs: {
    label: 'Lease time',
    description:
      'How long a claim holds before the worker must extend it (it does, every third of it, while the job runs). When a worker dies, its jobs wait this long before another worker takes them: shorter recovers sooner, but a worker that merely stalls loses its jobs to others.',
    type: 'integer',
    default: 3_000,
    min: 300,
    max: 30_000,
    step: 100,
    unit: 'ms',
  },
  jobMs: {
    label: 'Job time',
    description: 'How long one credit job works before it writes the points (the job-handler fault point adds to it).',
    type: 'integer',
    default: 300,
    min: 0,
    max: 10_000,
    step: 50,
    unit: 'ms',
  },
  softLimitMs: {
    label: 'Soft time limit',
    description:
      "At this age a job's signal aborts: the handler is asked to stop. The attempt fails here only if the handler stops (throws); one that ignores its signal runs on to the hard time limit.",
    type: 'integer',
    default: 2_000,
    min: 100,
    max: 60_000,
    step: 100,
    unit: 'ms',
  },
  hardLimitMs: {
    label: 'Hard time limit',
    description: 'At this age the worker stops waiting for a job that ignored its soft limit, and fails the attempt. Kept at least the soft limit.',
    type: 'integer',
    default: 4_000,
    min: 100,
    max: 60_000,
    step: 100,
    unit: 'ms',
  },
});
