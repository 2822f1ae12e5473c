/**
 * The middleware pattern's own telemetry: its event types (added to the kit's
 * `TelemetryEventMap`) and how each reaches a browser that falls behind. The
 * lab (lab.ts) turns the rate limiter's decisions into these.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * The rate limiter decided on one request of client `key`: let through
     * (`allowed`) or limited (a 429), with what is left of its `limit` under
     * `algorithm` (`fixed-window`, `sliding-window`, `token-bucket`).
     */
    ratelimit: { key: string; allowed: boolean; remaining: number; limit: number; algorithm: string };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // One per request, like `request` itself: a slow browser may miss some, and is told how many.
  ratelimit: 'droppable',
} satisfies TelemetryDelivery;
