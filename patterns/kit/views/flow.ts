import type { FieldFilter, ViewSpecBase } from './common.ts';

/**
 * A flow graph: columns of nodes, left to right (publisher → event →
 * handlers; route → service → repository). Each node is one value of a field
 * of a stage's event, with its count, outcomes, retries and latency; an edge
 * joins a node to the nodes of the previous stage it follows (events sharing
 * a link value, like an `eventId`), or to every one when the stage has no link.
 */
export interface FlowViewSpec extends ViewSpecBase {
  kind: 'flow';
  stages: FlowStage[];
}

export interface FlowStage {
  /** The column's heading: "Publishers", "Events", "Handlers". */
  label: string;
  event: string;
  where?: FieldFilter;
  /** The field whose values are this column's nodes: `target`, `name`, `handler`. */
  nodeField: string;
  /**
   * How a node's name reads. `sql`: a statement shortened to what tells it
   * apart from its neighbours (`SELECT … FROM users WHERE id = ?`: the column
   * lists go), over two lines; the whole statement stays in its tooltip.
   */
  nodeFormat?: 'sql';
  /** What a node's count counts, shown after the number: `requests`, `published`, `attempts` (default `events`). */
  countLabel?: string;
  /**
   * How an event here follows one of the previous stage: this event's `field`
   * equals that event's `previousField` (`eventId` and `eventId`; `requestId`
   * and `id`). Either may come first: an inbound `request` is recorded when it
   * ends, after the calls it made.
   */
  link?: { field: string; previousField: string };
  /** A boolean field telling success (`ok`), or a field holding a `RequestOutcome` (`outcome`). */
  okField?: string;
  outcomeField?: string;
  /** A field holding the error of a failed event, shown with the node's last outcome. */
  errorField?: string;
  /** A numeric field of durations, ms: average and p90 per node. */
  durationField?: string;
  /** A field numbering attempts from 1: attempts past the first count as retries. */
  attemptField?: string;
  /** Other events counted against a node, by the same node field (dead letters per handler). */
  counts?: Array<{ event: string; nodeField: string; label: string; tone?: 'bad' | 'warn' | 'info' }>;
}
