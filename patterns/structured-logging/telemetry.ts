/**
 * The structured logging pattern's own telemetry: its event types (added to
 * the kit's `TelemetryEventMap`) and how each reaches a browser that falls
 * behind. The lab (lab.ts) makes them from the JSON lines the services'
 * loggers write to its sink; the logger itself emits nothing.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * One JSON line a service's logger wrote, as the lab read it: which
     * `service` wrote it (`checkout`, `payments`), its `level` and `msg`, the
     * `requestId` it carries (absent when it carries none), its other
     * `fields`, and `text`, the fields as `key=value` pairs (logfmt) to search
     * by (`userId=u-7`). A line that is not one JSON object has level
     * `invalid` and its raw text as `msg`.
     */
    'structured-logging.line': {
      service: string;
      level: string;
      msg: string;
      requestId?: string;
      fields: Record<string, unknown>;
      text: string;
    };
    /**
     * Every second, the lines the services wrote at each level in the last
     * `windowMs`, as the lab counted them, and `sampledOut`: the lines the
     * sampler dropped in it (lines below the minimum level are not counted).
     */
    'structured-logging.volume': { windowMs: number; debug: number; info: number; warn: number; error: number; sampledOut: number };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // Several per request: a slow browser may miss some, and is told how many.
  'structured-logging.line': 'droppable',
  // One a second: the volume chart is wrong without every one.
  'structured-logging.volume': 'always',
} satisfies TelemetryDelivery;
