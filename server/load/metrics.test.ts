import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../patterns/kit/clock.ts';
import { MetricsWindow, type MetricsSummary } from './metrics.ts';

const setup = (windowMs?: number) => {
  const clock = new VirtualClock();
  const window = new MetricsWindow({ clock, ...(windowMs !== undefined && { windowMs }) });
  const summaries: MetricsSummary[] = [];
  window.onSummary((s) => summaries.push(s));
  return { clock, window, summaries };
};

describe('MetricsWindow', () => {
  it('summarises each window: count, rate, errors, rejected, error rate and percentiles', async () => {
    const { clock, window, summaries } = setup();
    for (let ms = 1; ms <= 96; ms++) window.record('ok', ms);
    window.record('error', 200);
    window.record('timeout', 300);
    window.record('rejected', 0);
    window.record('rejected', 0);
    await clock.advance(999);
    expect(summaries).toHaveLength(0);
    await clock.advance(1);
    expect(summaries).toHaveLength(1);
    const [summary] = summaries;
    expect(summary).toMatchObject({ windowMs: 1000, count: 100, rate: 100, errors: 2, rejected: 2, errorRate: 0.04 });
    // Sorted: 0, 0, 1 … 96, 200, 300. Percentiles read within HdrHistogram's 0.1 %.
    const within = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.001 + 0.001);
    within(summary!.p50, 48);
    within(summary!.p90, 88);
    within(summary!.p99, 200);
    expect(summary!.p999).toBe(300);
  });

  it('starts each window afresh and still reports empty ones', async () => {
    const { clock, window, summaries } = setup(500);
    window.record('ok', 10);
    await clock.advance(500);
    await clock.advance(500);
    window.record('error', 4);
    await clock.advance(500);
    expect(summaries.map((s) => [s.count, s.rate, s.errors, s.errorRate, s.p50])).toEqual([
      [1, 2, 0, 0, 10],
      [0, 0, 0, 0, 0],
      [1, 2, 1, 1, 4],
    ]);
  });

  it('peeks at the current window without closing it', async () => {
    const { clock, window, summaries } = setup();
    window.record('ok', 2.5);
    expect(window.peek()).toMatchObject({ count: 1, p99: 2.5 });
    await clock.advance(1000);
    expect(summaries[0]).toMatchObject({ count: 1, p99: 2.5 });
  });

  it('stops on dispose, leaving no timer', async () => {
    const { clock, window, summaries } = setup();
    window.dispose();
    expect(clock.pending).toBe(0);
    await clock.advance(5000);
    expect(summaries).toHaveLength(0);
  });

  it('refuses a window that is not a positive length', () => {
    expect(() => new MetricsWindow({ clock: new VirtualClock(), windowMs: 0 })).toThrow(RangeError);
  });
});
