/**
 * The circuit breaker's own telemetry: its event types (added to the kit's
 * `TelemetryEventMap`) and how each reaches a browser that falls behind. The
 * lab (lab.ts) turns the breaker's typed events into these; the breaker
 * itself emits nothing.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * The circuit `name` moved from one state to another (`closed`, `open`,
     * `half-open`), and why: `failure-threshold`, `reset-timeout`,
     * `probe-failed`, `probes-succeeded`.
     */
    'circuit.state': { name: string; from: string; to: string; reason?: string };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // A transition is the state the whole lab is about, and rare: a lost one would show a wrong circuit.
  'circuit.state': 'always',
} satisfies TelemetryDelivery;
