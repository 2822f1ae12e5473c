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
  /** The field naming the key. Keys past the 16 busiest are counted together. */
  keyField: string;
  /** The boolean field splitting each count, and what its two sides are called. */
  split: { field: string; yes: string; no: string };
  /** Fields shown per key from its latest event. */
  latest?: FieldDisplay[];
  /**
   * A field naming the mode in use (the algorithm), shown as the heading and
   * marked where it changes; before the first event, the parameter `param`.
   */
  mode?: { field: string; label: string; param?: string };
  /** Bucket width, ms. Default 250: fine enough to see a window boundary. */
  bucketMs?: number;
}
