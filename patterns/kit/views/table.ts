import type { FieldDisplay, FieldFilter, ViewSpecBase } from './common.ts';

/**
 * A filterable table of events (the request log, the logs, a query log):
 * the newest rows at the bottom, following the live end until the learner
 * scrolls up; a filter per listed field (a choice among the values seen) and
 * a text search; a row opens its details.
 */
export interface TableViewSpec extends ViewSpecBase {
  kind: 'table';
  /** The event types shown (one table may mix several). */
  events: string[];
  where?: FieldFilter;
  columns: FieldDisplay[];
  /** Fields offered as filters. */
  filters?: string[];
  /** A text search over these fields. */
  search?: string[];
  /**
   * Opening a row shows every event naming it: those whose `requestId` or
   * `parentId` equals the row's `field` (a request's attempts, retries, faults
   * and logs). Without it a row opens its own fields.
   */
  details?: { field: string };
  /**
   * Counts per row of other events that name it: those of `event` (matching
   * `where`) whose `field` equals the row's `details.field` (a request's
   * outbound calls, by `parentId`). Needs `details`.
   */
  relatedCounts?: Array<{ label: string; event: string; where?: FieldFilter; field: string }>;
  /** Rows kept. Default 5,000. */
  maxRows?: number;
}
