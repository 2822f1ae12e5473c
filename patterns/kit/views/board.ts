import type { FieldDisplay, Tone, ViewSpecBase } from './common.ts';

/**
 * A board of items by state (jobs, as Bull Board shows them): a column per
 * state with its count and newest items; an item shows its latest fields
 * (attempt, error) and opens its history of transitions.
 */
export interface BoardViewSpec extends ViewSpecBase {
  kind: 'board';
  /** The event moving an item to a state, e.g. `job.state`. */
  event: string;
  /** The field naming the item (`jobId`) and the one naming its new state (`to`). */
  itemField: string;
  stateField: string;
  /**
   * The field naming the state an item leaves (`from`), if the event has one.
   * The board follows a bounded number of items; this keeps the column counts
   * exact when an item it has let go moves again.
   */
  fromField?: string;
  columns: Array<{ state: string; label: string; tone: Tone }>;
  /**
   * Starts the board afresh when an event of type `event` carries another
   * `field` value than the one before (the lab moved to another store of
   * items, say: a queue engine swapped). What it showed is no longer where
   * the items are; the board says since when it shows what.
   */
  startsAfresh?: { event: string; field: string; label: string };
  /** Fields of an item's latest event shown on its card. */
  cardFields?: FieldDisplay[];
}
