/**
 * The CQRS pattern's own telemetry: its event types (added to the kit's
 * `TelemetryEventMap`) and how each reaches a browser that falls behind. The
 * lab (lab.ts) records them around the command bus, the read side and the
 * projection; the implementation itself emits nothing. SQL statements are the
 * kit's own `sql` events.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * A command of request `requestId` went through the command bus: `ok` with
     * the `position` of the event it recorded, or refused with `error` (the
     * error's name and message).
     */
    'cqrs.command': {
      requestId?: string;
      clientKey: string;
      command: string;
      ok: boolean;
      position?: number;
      error?: string;
      durationMs: number;
    };
    /**
     * A query of request `requestId` was answered under the `consistency` in
     * force, from the read model or the write side (`source`), after waiting
     * `waitedMs` for the read model. `stale`: the answer missed an order the
     * same client had been told was placed (counted by the lab, which knows
     * what each client was told); `staleReads`: the lab's count so far.
     */
    'cqrs.query': {
      requestId?: string;
      clientKey: string;
      query: string;
      consistency: string;
      ok: boolean;
      stale: boolean;
      staleReads: number;
      source?: 'read-model' | 'write-side';
      waitedMs: number;
      wantedPosition?: number;
      error?: string;
    };
    /**
     * One poll of the projection. The lag it found when it woke up, which is
     * what a query read just before: `eventsBehind` the newest event (`head`),
     * and `msBehind`, the age of the oldest event not yet applied. Then what
     * its batch did: `applied`, `skipped` (already applied, delivered again),
     * whether it was `redelivered`, whether it failed (`ok`, `error`), the
     * `position` it reached and whether that is the head it saw (`caughtUp`).
     */
    'cqrs.projection': {
      projection: string;
      position: number;
      head: number;
      eventsBehind: number;
      msBehind: number;
      caughtUp: boolean;
      applied: number;
      skipped: number;
      redelivered: boolean;
      ok: boolean;
      error?: string;
    };
    /**
     * The read model was rebuilt from zero (`reason`: a new read model
     * version, or the schema in projection.ts changed), up to `position`: the
     * orders and cents it counted before and after, so a double count shows
     * as the difference.
     */
    'cqrs.rebuild': {
      projection: string;
      version: number;
      reason: string;
      position: number;
      ordersBefore: number;
      ordersAfter: number;
      centsBefore: number;
      centsAfter: number;
    };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // One per request: a slow browser may miss some, and is told how many.
  'cqrs.command': 'droppable',
  'cqrs.query': 'droppable',
  // A few a second; the next one carries the whole lag again.
  'cqrs.projection': 'droppable',
  // Rare, and the story of the read model is wrong without it.
  'cqrs.rebuild': 'always',
} satisfies TelemetryDelivery;
