import type { FieldDisplay, FieldFilter, ViewSpecBase } from './common.ts';

/**
 * A filterable table of events (the request log, the logs, a query log):
 * the newest rows at the bottom, following the live end until the learner
 * scrolls up; a filter per listed field (a choice among the values seen) and
 * a text search; a row opens its details.
 *
 * Cells are drawn by their column's format: `outcome` as a coloured pill,
 * `level` as a level badge, `json` as compact text, and a number in a
 * `status` field as an HTTP status coloured by its class (2xx, 4xx, 5xx).
 * A row is tinted by its `outcome` or `level` column.
 */
export interface TableViewSpec extends ViewSpecBase {
  kind: 'table';
  /** The event types shown (one table may mix several). */
  events: string[];
  where?: FieldFilter;
  columns: FieldDisplay[];
  /**
   * Fields offered as filters: a choice among the values seen. A field
   * formatted `outcome` also offers "not ok"; one formatted `level` filters
   * by minimum level (warn: warnings and errors).
   */
  filters?: string[];
  /** A text search over these fields: a row matches when every word appears in one of them. */
  search?: string[];
  /**
   * Opening a row shows every event naming it: those whose `requestId` or
   * `parentId` (or, for a log line, `fields.requestId`) equals the row's
   * `field` (a request's attempts, retries, faults and logs). Without it a
   * row opens its own fields.
   */
  details?: { field: string };
  /**
   * Counts per row of other events that name it: those of `event` (matching
   * `where`) whose `field` equals the row's `details.field` (a request's
   * outbound calls, by `parentId`), counted when they come before the row.
   * Counts above `warnAbove` are highlighted (a request that called out more
   * than once was retried). Needs `details`.
   */
  relatedCounts?: Array<{ label: string; event: string; where?: FieldFilter; field: string; warnAbove?: number }>;
  /** What the table says before its first row ("No requests yet."). */
  empty?: string;
  /** Rows kept. Default 5,000. */
  maxRows?: number;
}
