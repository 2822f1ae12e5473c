/**
 * The retry pattern's own telemetry: its event types (added to the kit's
 * `TelemetryEventMap`) and how each reaches a browser that falls behind. The
 * labs turn the policy's typed events into these (lab-support.ts) and the
 * contention lab adds its herd summary (contention-lab.ts); the policy itself
 * emits nothing.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * Attempt `attempt` (from 1) of the request `requestId` failed with
     * `error`, and the policy waits `delayMs` before the next one.
     */
    'retry.attempt': { requestId: string; attempt: number; delayMs: number; error: string };
    /**
     * The request `requestId` stopped retrying after `attempts` attempts;
     * `error` leads with the reason (`attempts`, `not-retryable`, `deadline`,
     * `aborted`), then the last failure: `not-retryable: inventory answered 400`.
     */
    'retry.giveup': { requestId: string; attempts: number; error: string };
    /** One herd is done: how hard the clients hit orders, and how long it took them all. */
    'retry.summary': {
      strategy: string;
      clients: number;
      /** Calls made to orders by the herd, every attempt counted. */
      totalCalls: number;
      /** From the first client's request to the last client's answer, ms. */
      doneAtMs: number;
      succeeded: number;
      failed: number;
      /**
       * The most calls orders got in any 100 ms once its outage was over: the
       * height of the worst wave to hit it as it came back.
       */
      recoveryPeakPer100ms: number;
    };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // One per failed attempt: under a herd, thousands a second.
  'retry.attempt': 'droppable',
  // How a request ended: a lost one would leave its bar in the attempts view unfinished.
  'retry.giveup': 'always',
  // One row per herd, the comparison the contention lab is for.
  'retry.summary': 'always',
} satisfies TelemetryDelivery;
