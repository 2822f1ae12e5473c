/**
 * The service layer pattern's own telemetry: its event types (added to the
 * kit's `TelemetryEventMap`) and how each reaches a browser that falls behind.
 * The lab (lab.ts) records them around the layers it wires together; the
 * implementation itself emits nothing. SQL statements are the kit's own `sql`
 * events.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * One call through one layer of request `requestId`: a `route`
     * (`POST /users`), a `service` use case (`signUp`), a `repository` method
     * (`findByEmail`) or a `collaborator` of the service (`emailCheck`), with
     * its duration on the run's clock (the layers below included) and whether
     * it succeeded; `error` names what it threw, `status` is a route's answer.
     */
    'service-layer.span': {
      requestId?: string;
      layer: 'route' | 'service' | 'repository' | 'collaborator';
      name: string;
      durationMs: number;
      ok: boolean;
      error?: string;
      status?: number;
    };
    /**
     * The lab applied the schema of repository.ts to the run's database:
     * `created` the users table, or re-created it with the rows it held
     * (`kept` of them fitted the new schema, `dropped` broke one of its
     * constraints, such as duplicate emails under a new UNIQUE).
     */
    'service-layer.schema': { created: boolean; kept: number; dropped: number };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // Several per request: a slow browser may miss some, and is told how many.
  'service-layer.span': 'droppable',
  // Once per deploy, and the table's story would be wrong without it.
  'service-layer.schema': 'always',
} satisfies TelemetryDelivery;
