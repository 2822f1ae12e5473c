/**
 * The API versioning pattern's own telemetry: its event types (added to the
 * kit's `TelemetryEventMap`) and how each reaches a browser that falls
 * behind. The lab (lab.ts) turns the versioned API's typed events, and what
 * its clients found in their answers, into these.
 */
import type { TelemetryDelivery } from '../kit/index.ts';

declare module '../kit/telemetry.ts' {
  interface TelemetryEventMap {
    /**
     * The API answered request `requestId` of `client` in `version` (its
     * label; `versionId` is its date name), chosen by `scheme` (`url`,
     * `header`, `media-type`, or `pinned` for a client that named none).
     * `chain` is the handler that ran and the changes taken back after it
     * (`newest handler → take back v3 → take back v2`); `deprecated` says the version has a
     * lifecycle announced.
     */
    'api-versioning.served': {
      requestId?: string;
      client?: string;
      scheme: string;
      version: string;
      versionId: string;
      chain: string;
      transformations: number;
      status: number;
      deprecated: boolean;
    };
    /** The API refused a request before any version ran (`status`, `reason`): an unknown version, or conflicting ones. */
    'api-versioning.refused': { requestId?: string; client?: string; status: number; reason: string };
    /**
     * Client `client`, written against `expected` and naming it by `scheme`,
     * read its answer: `served` is the version the answer says it is (`-` when
     * it names none), `ok` whether the client could use it (its contract kept,
     * or an error status it understands), `detail` what was wrong.
     */
    'api-versioning.checked': {
      requestId?: string;
      client: string;
      scheme: string;
      expected: string;
      served: string;
      status: number;
      ok: boolean;
      detail: string;
    };
    /** The API pinned `client`, which named no version, to `version` at its first request. */
    'api-versioning.pinned': { client: string; version: string; versionId: string };
    /** Client `client` was moved by its team from version `from` to `to`, after a Deprecation header told them. */
    'api-versioning.migrated': { client: string; from: string; to: string };
    /** How many clients were written against each version (a client naming none counts under its contract too). */
    'api-versioning.fleet': { v1: number; v2: number; v3: number; unversioned: number };
    /** A version's deprecation was announced (`deprecation` and `sunset` as ISO dates, `link` the migration notes) or withdrawn (`announced` false). */
    'api-versioning.lifecycle': { version: string; announced: boolean; deprecation?: string; sunset?: string; link?: string };
  }
}

/** How each of this pattern's event types reaches a browser that falls behind. */
export const telemetry = {
  // One per request, like `request` itself: a slow browser may miss some, and is told how many.
  'api-versioning.served': 'droppable',
  'api-versioning.refused': 'droppable',
  'api-versioning.checked': 'droppable',
  // Rare, and the views are wrong without them.
  'api-versioning.pinned': 'always',
  'api-versioning.migrated': 'always',
  'api-versioning.fleet': 'always',
  'api-versioning.lifecycle': 'always',
} satisfies TelemetryDelivery;
