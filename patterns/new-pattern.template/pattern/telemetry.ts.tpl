/**
 * The __title__ pattern's own telemetry: its event types (added to the kit's
 * `TelemetryEventMap`) and how each reaches a browser that falls behind. The
 * lab (lab.ts) turns the implementation's typed events into these; the
 * implementation itself emits nothing.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * The concurrency limit decided on a call of request `requestId`:
     * `admitted` (a slot was free) or turned away, with the calls `inFlight`
     * once it decided (an admitted call included) and the `limit`.
     */
    '__id__.decision': { requestId?: string; admitted: boolean; inFlight: number; limit: number };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // One per request, like `request` itself: a slow browser may miss some, and is told how many.
  '__id__.decision': 'droppable',
} satisfies TelemetryDelivery;
