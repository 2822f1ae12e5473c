/**
 * The downstream's load: outbound calls counted by when they started, in
 * fine buckets over the last LOAD_WINDOW_MS. Retries that fire together show
 * as waves; the component sums the buckets into coarser ones (`rebin`) at
 * the size the learner picks.
 */

export interface LoadBucket {
  /** Run time of the bucket's start. */
  t: number;
  calls: number;
  failed: number;
}

export const BUCKET_MS = 50;
export const LOAD_WINDOW_MS = 30_000;
/** Buckets older than the window, plus this slack, are dropped. */
const SLACK_MS = 1000;

export interface Load {
  buckets: Map<number, LoadBucket>;
  newest: number;
}

export const newLoad = (): Load => ({ buckets: new Map(), newest: 0 });

/** Counts one call that started at `start`. */
export const countCall = (load: Load, start: number, failed: boolean): void => {
  const t = Math.floor(start / BUCKET_MS) * BUCKET_MS;
  let bucket = load.buckets.get(t);
  if (!bucket) {
    load.buckets.set(t, (bucket = { t, calls: 0, failed: 0 }));
    if (t > load.newest) load.newest = t;
    // Pruned only once the map outgrows the window by a fifth: amortised O(1).
    if (load.buckets.size > (LOAD_WINDOW_MS / BUCKET_MS) * 1.2) {
      for (const old of load.buckets.keys()) if (old < load.newest - LOAD_WINDOW_MS - SLACK_MS) load.buckets.delete(old);
    }
  }
  bucket.calls++;
  if (failed) bucket.failed++;
};

/** Every bucket of the window ending at `nowT`, empty ones included (a gap in the load is news too). */
export const loadAt = (load: Load, nowT: number): LoadBucket[] => {
  const buckets: LoadBucket[] = [];
  const last = Math.floor(nowT / BUCKET_MS) * BUCKET_MS;
  for (let t = Math.max(0, last - LOAD_WINDOW_MS + BUCKET_MS); t <= last; t += BUCKET_MS) {
    const bucket = load.buckets.get(t);
    buckets.push(bucket ? { ...bucket } : { t, calls: 0, failed: 0 });
  }
  return buckets;
};

/** Fine buckets summed into coarser ones of `size` ms (a multiple of BUCKET_MS). */
export const rebin = (buckets: readonly LoadBucket[], size: number): LoadBucket[] => {
  const out = new Map<number, LoadBucket>();
  for (const b of buckets) {
    const t = Math.floor(b.t / size) * size;
    let bin = out.get(t);
    if (!bin) out.set(t, (bin = { t, calls: 0, failed: 0 }));
    bin.calls += b.calls;
    bin.failed += b.failed;
  }
  return [...out.values()];
};
