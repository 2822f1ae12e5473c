/**
 * The event bus's own telemetry: its event types (added to the kit's
 * `TelemetryEventMap`) and how each reaches a browser that falls behind. The
 * lab (lab.ts) turns the bus's typed events into these; the bus itself emits
 * nothing.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /** The event `eventId` (named `name`, like `user.created`) went onto the bus. */
    'event.published': { eventId: string; name: string };
    /**
     * One attempt of `handler` at the event `eventId` ended: `ok`, or failed
     * with `error` (an exception or the handler timeout). `attempt` counts from 1.
     */
    'event.handled': { eventId: string; handler: string; ok: boolean; durationMs: number; attempt: number; error?: string };
    /** `handler` gave up on the event `eventId` (named `name`) after `attempts` tries: the event is kept in the dead-letter store. */
    'event.deadletter': { eventId: string; name: string; handler: string; attempts: number; error: string };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // Each publish is a node the flow view links handlers to: without it their attempts hang loose.
  'event.published': 'always',
  // Several per event (a handler each, and retries): the bulk of the lab's stream.
  'event.handled': 'droppable',
  // A lost event, as far as the handler is concerned: the learner must see every one.
  'event.deadletter': 'always',
} satisfies TelemetryDelivery;
