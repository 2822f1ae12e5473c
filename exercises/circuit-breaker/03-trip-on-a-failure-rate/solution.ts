/**
 * Trip policies: when should a closed circuit open?
 *
 * The circuit breaker (circuit-breaker.ts) owns the state machine; a Breaker
 * only watches the calls made while the circuit is closed and answers one
 * question on each failure: "is that enough to open?". Keeping the two apart
 * means a new policy is a small class here, and the state machine never changes.
 *
 * Time comes in as an argument (`now`, read from the circuit's injected clock),
 * so a policy has no clock of its own to get out of step, and a test can feed
 * it plain numbers.
 */

/** Decides when the circuit opens. One instance per circuit: it holds that circuit's history. */
export interface Breaker {
  /** A call made while closed succeeded. */
  success(now: number): void;
  /** A call made while closed failed. Returns true when the circuit should open. */
  failure(now: number): boolean;
  /** Forgets the history. The circuit calls this whenever it closes. */
  reset(): void;
}

/**
 * Opens after `threshold` failures in a row; any success starts the count
 * again. Simple and predictable, but blind to a service that fails every
 * other call.
 */
export class ConsecutiveBreaker implements Breaker {
  private failures = 0;

  constructor(readonly threshold: number) {
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new RangeError(`ConsecutiveBreaker threshold must be an integer >= 1, got ${threshold}`);
    }
  }

  success(): void {
    this.failures = 0;
  }

  failure(): boolean {
    this.failures++;
    return this.failures >= this.threshold;
  }

  reset(): void {
    this.failures = 0;
  }
}

export interface FailureRateBreakerOptions {
  /** Open when failures / calls in the window reach this share, in (0, 1]. */
  threshold: number;
  /** How far back the window looks, in ms. */
  windowMs: number;
  /**
   * Calls the window must hold before the rate means anything: without it,
   * one failure out of one call is a 100% failure rate.
   */
  minimumCalls: number;
  /**
   * The window is kept as this many buckets of `windowMs / buckets` each, so
   * memory stays fixed whatever the traffic. Calls leave the window a bucket at
   * a time: more buckets, smoother sliding. Default 10.
   */
  buckets?: number;
}

interface Bucket {
  /** Which slice of time this bucket counts: floor(now / bucketMs). */
  index: number;
  calls: number;
  failures: number;
}

/**
 * Opens when the share of failed calls over a sliding time window reaches
 * `threshold`, once the window holds at least `minimumCalls` calls. Sees a
 * service that fails half its calls, and ignores a lone failure at low traffic.
 */
export class FailureRateBreaker implements Breaker {
  readonly threshold: number;
  readonly windowMs: number;
  readonly minimumCalls: number;
  private readonly bucketMs: number;
  private readonly ring: Bucket[];

  constructor(options: FailureRateBreakerOptions) {
    const { threshold, windowMs, minimumCalls, buckets = 10 } = options;
    if (!(threshold > 0 && threshold <= 1)) {
      throw new RangeError(`FailureRateBreaker threshold must be in (0, 1], got ${threshold}`);
    }
    if (!(windowMs > 0 && Number.isFinite(windowMs))) {
      throw new RangeError(`FailureRateBreaker windowMs must be a finite number > 0, got ${windowMs}`);
    }
    if (!Number.isInteger(minimumCalls) || minimumCalls < 1) {
      throw new RangeError(`FailureRateBreaker minimumCalls must be an integer >= 1, got ${minimumCalls}`);
    }
    if (!Number.isInteger(buckets) || buckets < 1) {
      throw new RangeError(`FailureRateBreaker buckets must be an integer >= 1, got ${buckets}`);
    }
    this.threshold = threshold;
    this.windowMs = windowMs;
    this.minimumCalls = minimumCalls;
    this.bucketMs = windowMs / buckets;
    this.ring = Array.from({ length: buckets }, () => ({ index: -Infinity, calls: 0, failures: 0 }));
  }

  success(now: number): void {
    this.record(now, false);
  }

  failure(now: number): boolean {
    const current = this.record(now, true);
    // Only the buckets of the last `buckets` slices are in the window; older ones are stale.
    const oldest = current - this.ring.length + 1;
    let calls = 0;
    let failures = 0;
    for (const bucket of this.ring) {
      if (bucket.index >= oldest) {
        calls += bucket.calls;
        failures += bucket.failures;
      }
    }
    return calls >= this.minimumCalls && failures / calls >= this.threshold;
  }

  reset(): void {
    for (const bucket of this.ring) {
      bucket.index = -Infinity;
      bucket.calls = 0;
      bucket.failures = 0;
    }
  }

  /** Counts one call in the bucket for `now`, recycling the bucket if it held an old slice. */
  private record(now: number, failed: boolean): number {
    const index = Math.floor(now / this.bucketMs);
    const n = this.ring.length;
    const bucket = this.ring[((index % n) + n) % n]!;
    if (bucket.index !== index) {
      bucket.index = index;
      bucket.calls = 0;
      bucket.failures = 0;
    }
    bucket.calls++;
    if (failed) bucket.failures++;
    return index;
  }
}
