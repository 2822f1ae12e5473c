/**
 * The settings pattern's own telemetry: its event types (added to the kit's
 * `TelemetryEventMap`) and how each reaches a browser that falls behind. The
 * lab (lab.ts) turns the settings store's typed events into these; the
 * implementation itself emits nothing.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * The service's state changed: `starting` → `running` (its settings
     * validated) or `refused` (they did not: it serves 503s and says why);
     * a refused service restarted with valid settings goes `running`.
     */
    'settings.service': { from: string; to: string; reason: string };
    /**
     * One setting as the service now uses it, after a start or an applied
     * reload (`generation` counts them): its `value` as shown (the mask for a
     * secret) and the `source` it came from (`line` of the .env file).
     * `pending` is what the edited inputs say instead, while a cached service
     * ignores them.
     */
    'settings.value': {
      setting: string;
      value: string;
      source: string;
      secret: boolean;
      generation: number;
      line?: number;
      pending?: string;
    };
    /**
     * The service read its sources: at `start`, after an `edit` of the
     * inputs, on the every-second `watch`, or at a `restart`; and what came
     * of it. `ignored` is a cached service not reading an edit at all.
     * `changed` names the variables whose value or source changed.
     */
    'settings.reload': {
      trigger: 'start' | 'edit' | 'watch' | 'restart';
      strategy: 'cached' | 'reload';
      outcome: 'started' | 'refused' | 'applied' | 'rejected' | 'ignored';
      changed: string;
      errors: number;
      generation: number;
    };
    /** One problem with the settings, among all those of one start or reload (`attempt`). */
    'settings.invalid': {
      attempt: number;
      phase: 'start' | 'reload';
      /** The setting's variable, or `.env` for a line of the file that is no setting at all. */
      variable: string;
      source: string;
      line?: number;
      expected: string;
      received?: string;
      message: string;
    };
    /** The connection pool to the pricing service: in use, its size, callers waiting. */
    'settings.pool': { inUse: number; size: number; waiting: number };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // Rare, and the views are wrong without them: what the service runs on, and why it refused.
  'settings.service': 'always',
  'settings.value': 'always',
  'settings.reload': 'always',
  'settings.invalid': 'always',
  // Twice per request.
  'settings.pool': 'droppable',
} satisfies TelemetryDelivery;
