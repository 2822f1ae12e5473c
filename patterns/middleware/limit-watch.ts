/**
 * The lab's check of what each rate-limiting algorithm promises, kept apart
 * from the algorithms themselves (algorithms.ts, which the learner edits):
 * it sees only which requests were allowed, and when, per client.
 *
 * - fixed window: at most `limit` allowed in each window of the clock;
 * - sliding window: at most `limit` allowed in any span of `windowMs`;
 * - token bucket: in any span of d ms, at most `limit` (the burst) plus
 *   d × limit / windowMs (the refill), checked as a shadow bucket that must
 *   never go below empty.
 *
 * The fixed window's promise is weaker than the sliding window's on purpose:
 * twice the limit at a boundary keeps the fixed window's promise and breaks
 * the sliding window's. Memory: one small state per client, dropped once it
 * can no longer matter (as the limiter does).
 */
export interface LimitPromise {
  algorithm: string;
  limit: number;
  windowMs: number;
}

/** Whether an allowed request keeps the promise, and if not, why. */
export type LimitCheck = (key: string, now: number) => string | undefined;

/** Float slack for the token bucket's arithmetic. */
const EPSILON = 1e-9;

export const watchLimit = ({ algorithm, limit, windowMs }: LimitPromise): LimitCheck => {
  switch (algorithm) {
    case 'fixed-window': {
      const counts = new Map<string, { window: number; count: number }>();
      return (key, now) => {
        const window = Math.floor(now / windowMs);
        let state = counts.get(key);
        if (!state || state.window !== window) {
          if (counts.size > 10_000) for (const [k, s] of counts) if (s.window < window) counts.delete(k);
          state = { window, count: 0 };
          counts.set(key, state);
        }
        state.count++;
        return state.count > limit ? `${key} got ${state.count} requests through in the window from ${window * windowMs} ms (limit ${limit})` : undefined;
      };
    }
    case 'sliding-window': {
      const logs = new Map<string, number[]>();
      return (key, now) => {
        let log = logs.get(key);
        if (!log) {
          if (logs.size > 10_000) for (const [k, l] of logs) if (l.at(-1)! <= now - windowMs) logs.delete(k);
          logs.set(key, (log = []));
        }
        let expired = 0;
        while (expired < log.length && log[expired]! <= now - windowMs) expired++;
        if (expired > 0) log.splice(0, expired);
        log.push(now);
        const count = log.length;
        const since = log[0]!;
        // Only the newest `limit` + 1 can matter for the next check.
        if (log.length > limit + 1) log.splice(0, log.length - limit - 1);
        if (count <= limit) return undefined;
        return `${key} got ${count} requests through within ${Math.round(now - since)} ms (limit ${limit} per ${windowMs} ms)`;
      };
    }
    case 'token-bucket': {
      const rate = limit / windowMs;
      const buckets = new Map<string, { tokens: number; at: number }>();
      return (key, now) => {
        let bucket = buckets.get(key);
        if (!bucket) {
          if (buckets.size > 10_000) for (const [k, b] of buckets) if (b.tokens + (now - b.at) * rate >= limit) buckets.delete(k);
          buckets.set(key, (bucket = { tokens: limit, at: now }));
        }
        bucket.tokens = Math.min(limit, bucket.tokens + Math.max(0, now - bucket.at) * rate) - 1;
        bucket.at = now;
        if (bucket.tokens >= -EPSILON) return undefined;
        const over = -bucket.tokens;
        bucket.tokens = 0; // report each excess once
        return `${key} got ${over.toFixed(2)} request(s) more through than a bucket of ${limit} refilled at ${limit} per ${windowMs} ms allows`;
      };
    }
    default:
      // An algorithm the lab does not know makes no promise it can check.
      return () => undefined;
  }
};
