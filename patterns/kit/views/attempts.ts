import type { FieldDisplay, ViewSpecBase } from './common.ts';

/**
 * Requests and their attempts over time (a Gantt): each outbound attempt a
 * bar, each wait before the next one a gap, how the request ended; a
 * histogram of attempts per request; the downstream's load in small buckets
 * (synchronised retries show as waves); and the run split into segments by
 * parameter changes, to compare strategies. Outbound `request` events with
 * `parentId` (the inbound request) and `attempt` are the attempts.
 */
export interface AttemptsViewSpec extends ViewSpecBase {
  kind: 'attempts';
  /** The event announcing a wait before the next attempt: which request, and how long. */
  wait?: { event: string; requestField: string; delayField: string };
  /** The event saying a request gave up. */
  giveUp?: { event: string; requestField: string };
  /** A lab's own summary event (one per finished batch of work), its fields shown as a table row each. */
  summary?: { event: string; title: string; fields: FieldDisplay[] };
}
