/**
 * The background-jobs pattern's own telemetry: its event types (added to the
 * kit's `TelemetryEventMap`) and how each reaches a browser that falls
 * behind. The lab (lab.ts) turns the workers' typed events into these; the
 * queue and the workers themselves emit nothing.
 */
import type { JobState, TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * Job `jobId` moved from `from` to `to` on its attempt `attempt` (0 while
     * queued): enqueued by the API (`from` absent), claimed by `workerId`,
     * completed, failed with `error` (to `retrying` after `retryInMs`, or to
     * `dead`), or taken back from `lostBy`, whose lease expired.
     */
    'background-jobs.job': {
      jobId: string;
      from?: JobState;
      to: JobState;
      attempt: number;
      workerId?: string;
      lostBy?: string;
      error?: string;
      retryInMs?: number;
      durationMs?: number;
      priority?: number;
      delayMs?: number;
    };
    /** Worker `workerId` started, or was killed holding `jobs` jobs (`running` now the workers alive). */
    'background-jobs.worker': { workerId: string; event: 'started' | 'killed'; jobs?: string[]; running: number };
    /** A worker's lease on `jobId` was extended to `expiresAt`, or refused (`lost`): the job was taken back. */
    'background-jobs.lease': { jobId: string; workerId: string; event: 'extended' | 'lost'; expiresAt?: number };
    /** A job ran past its `soft` (signal aborted) or `hard` (attempt given up) time limit. */
    'background-jobs.time-limit': { jobId: string; workerId: string; attempt: number; limit: 'soft' | 'hard' };
    /** A worker's call to the queue failed (`during` claim, extend, complete, fail or recover): the job keeps its lease until it expires. */
    'background-jobs.queue-error': { workerId: string; during: string; jobId?: string; error: string };
    /** A run of the credit job finished its work: `credited` false when an earlier run of the same job had credited the points. */
    'background-jobs.credit': { jobId: string; workerId: string; attempt: number; customer: string; points: number; credited: boolean };
    /** The lab started on a queue engine (at every start: a switch of engine starts the board afresh). */
    'background-jobs.engine': { engine: 'sqlite' | 'bullmq'; description: string };
    /** The queue's jobs, counted by state, once a second. */
    'background-jobs.counts': { queued: number; active: number; retrying: number; completed: number; dead: number };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // The board is wrong without every move, and a worker's death is the story.
  'background-jobs.job': 'always',
  'background-jobs.worker': 'always',
  'background-jobs.time-limit': 'always',
  'background-jobs.counts': 'always',
  'background-jobs.engine': 'always',
  // Detail, one or more per job: a slow browser may miss some, and is told how many.
  'background-jobs.lease': 'droppable',
  'background-jobs.queue-error': 'droppable',
  'background-jobs.credit': 'droppable',
} satisfies TelemetryDelivery;
