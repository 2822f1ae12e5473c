/**
 * The repository pattern's own telemetry: its event types (added to the kit's
 * `TelemetryEventMap`) and how each reaches a browser that falls behind. The
 * store lab (lab.ts) emits them; the statements themselves are the kit's core
 * `sql` events, which `ctx.db` records.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

/** Which implementation served: `sqlite` (sqlite-repository.ts) or `memory` (memory-repository.ts). */
type Storage = 'sqlite' | 'memory';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * A store holds the lab's users and orders: added now, or (`alreadyThere`)
     * found from an earlier lab instance of the run. `durationMs` on the run's clock.
     */
    'repository.seeded': { storage: Storage; users: number; orders: number; alreadyThere: boolean; durationMs: number };
    /**
     * One deep page of users: by `offset` (the database reads and throws away
     * `rowsSkipped` rows to reach it) or by `keyset` (the index finds the first
     * id after `depth`). `statements` sent for it, `durationMs` it took.
     */
    'repository.page': {
      requestId: string;
      storage: Storage;
      strategy: 'offset' | 'keyset';
      depth: number;
      users: number;
      rowsSkipped: number;
      statements: number;
      durationMs: number;
    };
    /**
     * One page of users with their orders: `n-plus-one` (the page, then one
     * query per user) or `join` (one query). `statements` sent for it.
     */
    'repository.listing': {
      requestId: string;
      storage: Storage;
      strategy: 'n-plus-one' | 'join';
      users: number;
      orders: number;
      statements: number;
      durationMs: number;
    };
    /**
     * One attempt to write an edit of user `userId`, expecting it still at
     * `expectedVersion`: `applied`, or refused as a `conflict` (someone else
     * wrote first; the request reads again and retries).
     * `edits` is the user's edit count the write carries.
     */
    'repository.edit': {
      requestId: string;
      storage: Storage;
      userId: number;
      attempt: number;
      expectedVersion: number;
      outcome: 'applied' | 'conflict';
      edits: number;
    };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // Rare, and the lab's state: a store became ready.
  'repository.seeded': 'always',
  // One per request, like `request` and `sql` themselves.
  'repository.page': 'droppable',
  'repository.listing': 'droppable',
  'repository.edit': 'droppable',
} satisfies TelemetryDelivery;
