import type { FieldDisplay, ViewSpecBase } from './common.ts';

/**
 * Per-key bars and counters (a rate limiter's clients, a cache's keys): each
 * key's events over the last minute in short buckets, split in two by a
 * boolean field (allowed / limited), with totals and the latest values of
 * some fields per key (remaining of limit).
 */
export interface KeyedBarsViewSpec extends ViewSpecBase {
  kind: 'keyed-bars';
  /** The event counted, e.g. `ratelimit`. */
  event: string;
  /**
   * The field naming the key. The first 16 keys seen get counters of their
   * own; later ones are counted together as "other keys", so a run with
   * thousands of keys stays cheap to show.
   */
  keyField: string;
  /**
   * The field splitting each count in two, and what its sides are called:
   * events where it is true count as `yes`, the others as `no`.
   */
  split: { field: string; yes: string; no: string };
  /** Fields shown per key from its latest event. */
  latest?: FieldDisplay[];
  /** Fields shown in the heading from the latest event of any key: what every key shares, like the limit. */
  heading?: FieldDisplay[];
  /**
   * A field naming the mode in use (the algorithm), shown as the heading and
   * marked where it changes; before the first event, the parameter `param`.
   */
  mode?: { field: string; label: string; param?: string };
  /** Bucket width, ms. Default 250: fine enough to see a window boundary. */
  bucketMs?: number;
}
