import type { FieldDisplay, Tone, ViewSpecBase } from './common.ts';

/**
 * Requests and their attempts over time (a Gantt): each outbound attempt a
 * bar, each wait before the next one a gap, how the request ended; a
 * histogram of attempts per request; the downstream's load in small buckets
 * (synchronised retries show as waves); and the run split into segments by
 * parameter changes, to compare strategies. Outbound `request` events with
 * `parentId` (the inbound request) and `attempt` are the attempts: a lab
 * without wait or give-up events still gets the Gantt, the histogram and the
 * load.
 */
export interface AttemptsViewSpec extends ViewSpecBase {
  kind: 'attempts';
  /**
   * The event announcing a wait before the next attempt: which request, and
   * how long. Optionally which attempt it follows (else the request's latest
   * attempt so far) and why it waits, shown on the wait's tooltip.
   */
  wait?: { event: string; requestField: string; delayField: string; attemptField?: string; errorField?: string };
  /** The event saying a request gave up. */
  giveUp?: { event: string; requestField: string };
  /**
   * A lab's own summary event (one per finished batch of work), shown as a
   * table with a row per event and a column per entry of `fields`. Once the
   * first arrives, it takes the place of the table of run segments.
   */
  summary?: { event: string; title: string; fields: SummaryColumn[] };
}

/** A column of the summary table: a field, or one field per another (`totalCalls` per `clients`). */
export interface SummaryColumn extends FieldDisplay {
  /** Divides the value by this field's value (calls per client), to two decimals. */
  per?: string;
  /** How the value is coloured when it is not zero (`failed`: 'bad'). */
  tone?: Tone;
}
