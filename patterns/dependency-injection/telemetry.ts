/**
 * The dependency-injection pattern's own telemetry: its event types (added to
 * the kit's `TelemetryEventMap`) and how each reaches a browser that falls
 * behind. The lab (lab.ts) turns the container's and the pool's typed events
 * into these; the container itself emits nothing.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * The container answered a resolve of `token` in the scope of request
     * `requestId`: with an instance it already had (`reused`) or a new one.
     * `node` is the token with its lifetime ("UserService · scoped"), `parent`
     * the node whose factory asked for it, `depth` 0 for the request's own
     * resolve. `implementation` is the class that answered.
     */
    'di.resolved': {
      requestId?: string;
      scopeId: string;
      token: string;
      lifetime: 'singleton' | 'scoped' | 'transient';
      node: string;
      parent?: string;
      depth: number;
      reused: boolean;
      implementation: string;
    };
    /** The container built an instance of `token`, owned by `scopeId` (`root` for a singleton). */
    'di.created': { requestId?: string; scopeId: string; token: string; lifetime: 'singleton' | 'scoped' | 'transient'; node: string };
    /** The container disposed an instance of `token` that `scopeId` had created. */
    'di.disposed': { requestId?: string; scopeId: string; token: string; lifetime: 'singleton' | 'scoped' | 'transient'; node: string };
    /**
     * Request `requestId`'s scope, once its work ended: how many instances it
     * `created` (scoped and transient), `reused` and `disposed`; `undisposed`
     * names what it left behind (empty when it disposed everything).
     */
    'di.scope': { requestId: string; scopeId: string; created: number; reused: number; disposed: number; undisposed: string; outcome: 'ok' | 'error' };
    /** The composition root registered `token` with its lifetime: at start, and again (`replaced`) when it swaps an implementation. */
    'di.registered': { token: string; lifetime: 'singleton' | 'scoped' | 'transient'; replaced: boolean };
    /**
     * The connection pool changed: a connection `leased` or `released`, or a
     * caller gave up waiting (`exhausted`). With the pool's state after it.
     * `requestId` is the request that leased, released or gave up: a caller
     * that waited in the queue gets its own id on `leased`, not that of the
     * request whose release freed the connection.
     */
    'pool.connection': {
      pool: string;
      kind: 'leased' | 'released' | 'exhausted';
      ok: boolean;
      connectionId?: string;
      requestId?: string;
      inUse: number;
      size: number;
      waiting: number;
      waitedMs?: number;
      heldMs?: number;
    };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // Several per request (one per service resolved): the bulk of the stream.
  'di.resolved': 'droppable',
  'di.created': 'droppable',
  'di.disposed': 'droppable',
  // One per request, like `request` itself.
  'di.scope': 'droppable',
  // Rare, and the registrations table is wrong without them.
  'di.registered': 'always',
  // Two per request; an exhausted one is the failure the lab is about, but
  // each also fails its request, which the request log always shows.
  'pool.connection': 'droppable',
} satisfies TelemetryDelivery;
