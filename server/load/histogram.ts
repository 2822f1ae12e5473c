/**
 * A latency histogram in milliseconds, over HdrHistogram (hdr-histogram-js).
 *
 * Why HdrHistogram rather than an array of samples: recording is O(1) and
 * memory is fixed (tens of KB) however many requests a long run sends, and
 * percentiles keep 3 significant digits from microseconds to minutes. Values
 * are stored as whole microseconds, the histogram's integer unit.
 */
import type { Histogram } from 'hdr-histogram-js';
// The one class used, not the package's index: the index also loads its WebAssembly build and a
// compression library, 40–60 ms of every sandbox's start. A CommonJS default export: Node's
// ESM import hands over `module.exports`, a bundler its `default`.
import Int32HistogramModule from 'hdr-histogram-js/dist/Int32Histogram.js';

type HistogramClass = new (lowestDiscernibleValue: number, highestTrackableValue: number, significantDigits: number) => Histogram;
const Int32Histogram = ((Int32HistogramModule as unknown as { default?: HistogramClass }).default ?? Int32HistogramModule) as unknown as HistogramClass;

/** A snapshot of a histogram, in milliseconds. All zero when nothing was recorded. */
export interface LatencySummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

export interface LatencyHistogramOptions {
  /**
   * The largest latency tracked without resizing, in ms. Default 60 000: a
   * minute covers every realistic timeout; larger values still record (the
   * histogram grows), this only sizes the first allocation.
   */
  highestMs?: number;
  /** Significant decimal digits kept (1–5). Default 3, i.e. within 0.1 %. */
  significantDigits?: 1 | 2 | 3 | 4 | 5;
}

const defaults: Required<LatencyHistogramOptions> = { highestMs: 60_000, significantDigits: 3 };

const US_PER_MS = 1000;

const toMicros = (ms: number): number => Math.round(ms * US_PER_MS);

const checkLatency = (ms: number, name: string): void => {
  if (!(ms >= 0) || !Number.isFinite(ms)) {
    throw new RangeError(`${name} must be a finite number of ms >= 0, got ${ms}`);
  }
};

/** Records latencies in ms and answers percentiles, count, min, max and mean. */
export class LatencyHistogram {
  private readonly hdr: Histogram;
  // Min, max and sum are kept exactly beside the histogram: its own are
  // bucket-rounded, and its min ignores zeros (a 0 ms call on virtual time is common).
  private minUs = Infinity;
  private maxUs = 0;
  private sumUs = 0;

  constructor(options: LatencyHistogramOptions = {}) {
    const { highestMs, significantDigits } = { ...defaults, ...options };
    if (!(highestMs >= 1)) throw new RangeError(`highestMs must be >= 1, got ${highestMs}`);
    // Pure JS (not WebAssembly: it works synchronously and needs no init), 32-bit counts,
    // growing past its highest value rather than refusing it.
    this.hdr = new Int32Histogram(1, toMicros(highestMs), significantDigits);
    this.hdr.autoResize = true;
  }

  /** Records one latency in ms (rounded to the microsecond). */
  record(ms: number): void {
    checkLatency(ms, 'latency');
    this.add(toMicros(ms));
  }

  /**
   * Records one latency and corrects for coordinated omission, like
   * HdrHistogram's `recordValueWithExpectedInterval`: a tester that sends one
   * request every `expectedIntervalMs` and waits for each answer sent nothing
   * while a slow answer was outstanding, so the requests it *should* have sent
   * meanwhile are added, with latencies `ms - k * interval` down to the interval.
   *
   * Use it only for latencies measured from the actual send time of a
   * fixed-interval tester. The open-model LoadGenerator does not need it: it
   * measures from each request's intended start, which accounts for the same
   * delay already (correcting twice would double count). Costs O(ms / interval).
   */
  recordCorrected(ms: number, expectedIntervalMs: number): void {
    checkLatency(ms, 'latency');
    if (!(expectedIntervalMs > 0)) {
      throw new RangeError(`expectedIntervalMs must be > 0, got ${expectedIntervalMs}`);
    }
    const value = toMicros(ms);
    const interval = Math.max(1, toMicros(expectedIntervalMs));
    this.add(value);
    // The same series HdrHistogram generates, recorded through `add` so the
    // exact min and mean include the synthesized values.
    for (let missing = value - interval; missing >= interval; missing -= interval) this.add(missing);
  }

  /** The latency in ms at or below which `percentile` % (0–100) of recorded values fall. */
  percentile(percentile: number): number {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new RangeError(`percentile must be within 0..100, got ${percentile}`);
    }
    if (this.count === 0) return 0;
    // HdrHistogram answers the top of a value's bucket; clamp so p99.9 never
    // reads above the true maximum (a learner would rightly call that a bug).
    const us = Math.min(Math.max(this.hdr.getValueAtPercentile(percentile), this.minUs), this.maxUs);
    return us / US_PER_MS;
  }

  /** Number of values recorded (including synthesized ones from `recordCorrected`). */
  get count(): number {
    return this.hdr.totalCount;
  }

  get min(): number {
    return this.count === 0 ? 0 : this.minUs / US_PER_MS;
  }

  get max(): number {
    return this.maxUs / US_PER_MS;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sumUs / this.count / US_PER_MS;
  }

  /** Count, min, max, mean and p50/p90/p99/p99.9, in ms. */
  summary(): LatencySummary {
    return {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    };
  }

  /** Forgets every recorded value (the allocation is kept). */
  reset(): void {
    this.hdr.reset();
    this.minUs = Infinity;
    this.maxUs = 0;
    this.sumUs = 0;
  }

  toJSON(): LatencySummary {
    return this.summary();
  }

  private add(us: number): void {
    this.hdr.recordValue(us);
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
    this.sumUs += us;
  }
}
