/**
 * Where the lab's jobs live: its queue engine. Two engines keep the kit's one
 * `JobQueue` contract, so the workers and the API cannot tell them apart:
 *
 * - `sqlite`, the default: this pattern's embedded queue (sqlite-queue.ts)
 *   on the run's own SQLite database. Nothing to install.
 * - `bullmq`: BullMQ on Redis, through `ctx.broker`, when the workbench was
 *   started with `--redis`. The queue lives outside the run's process, as
 *   it would with workers on other machines.
 *
 * Each engine also says how the lab watches its jobs for the invariants. On
 * SQLite the lab reads the jobs table itself rather than asking the queue:
 * the queue is the learner's code under test. On BullMQ the queue is the
 * workbench's own, so the lab asks it.
 */
import type { JobQueue, JobState, LabContext } from '../kit/index.ts';
import { SqliteJobQueue } from './sqlite-queue.ts';

export type EngineId = 'sqlite' | 'bullmq';

/** Where one job is, as the invariants need it. */
export interface JobWhereabouts {
  state: JobState;
  /** While active: who holds it, and until when (wall time), if known. */
  workerId?: string;
  leaseExpiresAt?: number;
}

export interface QueueEngine {
  queue: JobQueue;
  /** For the learner: which engine, and where. */
  description: string;
  /** How many jobs are in each state. */
  counts(): Promise<Record<JobState, number>>;
  /** Where each of `ids` is; a job that cannot be found is absent from the answer. */
  find(ids: readonly string[]): Promise<Map<string, JobWhereabouts>>;
}

/** The queue's name on the broker (the run's own: the workbench adds the run's id). */
const BROKER_QUEUE = 'credit-points';

const emptyCounts = (): Record<JobState, number> => ({ queued: 0, active: 0, retrying: 0, completed: 0, dead: 0 });

export function openEngine(ctx: LabContext, engine: EngineId): QueueEngine {
  return engine === 'bullmq' ? onBroker(ctx) : onSqlite(ctx);
}

function onSqlite(ctx: LabContext): QueueEngine {
  return {
    queue: new SqliteJobQueue({ db: ctx.db, clock: ctx.clock, random: ctx.random }),
    description: "the embedded queue on the run's SQLite database",
    async counts() {
      const counts = emptyCounts();
      for (const row of await ctx.db.all<{ state: JobState; n: number }>('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state')) {
        counts[row.state] = row.n;
      }
      return counts;
    },
    async find(ids) {
      const found = new Map<string, JobWhereabouts>();
      for (let i = 0; i < ids.length; i += 200) {
        const chunk = ids.slice(i, i + 200);
        const rows = await ctx.db.all<{ id: string; state: JobState; worker_id: string | null; lease_expires_at: number | null }>(
          `SELECT id, state, worker_id, lease_expires_at FROM jobs WHERE id IN (${chunk.map(() => '?').join(', ')})`,
          ...chunk,
        );
        for (const row of rows) {
          found.set(row.id, {
            state: row.state,
            ...(row.worker_id !== null && { workerId: row.worker_id }),
            ...(row.lease_expires_at !== null && { leaseExpiresAt: row.lease_expires_at }),
          });
        }
      }
      return found;
    },
  };
}

function onBroker(ctx: LabContext): QueueEngine {
  if (!ctx.broker) {
    throw new Error(
      'The BullMQ engine needs Redis, and this workbench was started without it: start it with --redis redis://127.0.0.1:6379 (or set WORKBENCH_REDIS), or set the engine back to SQLite.',
    );
  }
  const queue = ctx.broker.jobQueue(BROKER_QUEUE);
  return {
    queue,
    description: ctx.broker.description,
    counts: () => queue.counts(),
    async find(ids) {
      const found = new Map<string, JobWhereabouts>();
      // A few at a time: the workbench bounds the calls a run may have waiting on Redis.
      for (let i = 0; i < ids.length; i += 20) {
        const jobs = await Promise.all(ids.slice(i, i + 20).map((id) => queue.get(id)));
        for (const job of jobs) {
          if (!job) continue;
          found.set(job.id, {
            state: job.state,
            ...(job.workerId !== undefined && { workerId: job.workerId }),
            ...(job.leaseExpiresAt !== undefined && { leaseExpiresAt: job.leaseExpiresAt }),
          });
        }
      }
      return found;
    },
  };
}
