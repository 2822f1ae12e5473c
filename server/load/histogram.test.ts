import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.ts';

// HdrHistogram keeps 3 significant digits: a percentile may read up to 0.1 % high.
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.001 + 0.001);

describe('LatencyHistogram', () => {
  it('answers percentiles, count, min, max and mean on known data', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    const summary = histogram.summary();
    expect(summary.count).toBe(1000);
    expect(summary.min).toBe(1);
    expect(summary.max).toBe(1000);
    expect(summary.mean).toBeCloseTo(500.5, 9);
    close(summary.p50, 500);
    close(summary.p90, 900);
    close(summary.p99, 990);
    close(summary.p999, 999);
  });

  it('keeps sub-millisecond values to the microsecond, and zeros', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0);
    histogram.record(0.25);
    histogram.record(0.0004); // below a microsecond: rounds to 0
    expect(histogram.count).toBe(3);
    expect(histogram.min).toBe(0);
    expect(histogram.max).toBe(0.25);
    expect(histogram.percentile(100)).toBe(0.25);
  });

  it('never reports a percentile above the true maximum', () => {
    const histogram = new LatencyHistogram();
    histogram.record(123.456);
    // The value's bucket reaches past 123.456; the answer is clamped to what was recorded.
    expect(histogram.percentile(99.9)).toBe(123.456);
    expect(histogram.percentile(0)).toBe(123.456);
  });

  it('reads zeros when empty and after reset', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.summary()).toEqual({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0 });
    histogram.record(5);
    histogram.reset();
    expect(histogram.summary()).toEqual({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0 });
    histogram.record(7);
    expect(histogram.summary()).toMatchObject({ count: 1, min: 7, max: 7, mean: 7 });
  });

  it('records values beyond its first range by growing', () => {
    const histogram = new LatencyHistogram({ highestMs: 10 });
    histogram.record(3_600_000);
    expect(histogram.max).toBe(3_600_000);
    close(histogram.percentile(50), 3_600_000);
  });

  it('corrects for coordinated omission like recordValueWithExpectedInterval', () => {
    const histogram = new LatencyHistogram();
    // A tester meant to send every 10 ms saw one 100 ms answer: the 9 requests it
    // never sent meanwhile would have waited 90, 80, …, 10 ms.
    histogram.recordCorrected(100, 10);
    expect(histogram.count).toBe(10);
    expect(histogram.min).toBe(10);
    expect(histogram.max).toBe(100);
    expect(histogram.mean).toBeCloseTo(55, 9);
    // A value within the interval needs no correction.
    histogram.recordCorrected(5, 10);
    expect(histogram.count).toBe(11);
  });

  it('refuses values no latency can have', () => {
    const histogram = new LatencyHistogram();
    expect(() => histogram.record(-1)).toThrow(RangeError);
    expect(() => histogram.record(Number.NaN)).toThrow(RangeError);
    expect(() => histogram.recordCorrected(10, 0)).toThrow(RangeError);
    expect(() => histogram.percentile(101)).toThrow(RangeError);
  });
});
