import { describe, expect, it } from 'vitest';
import { timeTicks } from './ticks.ts';

/** The least distance between two ticks' positions on a plot `plotPx` wide. */
const closest = (ticks: number[], min: number, max: number, plotPx: number) =>
  Math.min(...ticks.slice(1).map((t, i) => ((t - ticks[i]!) / (max - min)) * plotPx));

describe('time axis ticks', () => {
  it('gives a wide chart round ticks, at most six', () => {
    expect(timeTicks(0, 60_000, 600)).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
  });

  it('gives a narrow chart fewer, never closer than a label needs', () => {
    for (const plotPx of [120, 180, 240, 320, 480]) {
      for (const [min, max] of [
        [1000, 5000],
        [0, 5500],
        [3000, 123_000],
        [0, 600_000],
      ] as const) {
        const ticks = timeTicks(min, max, plotPx);
        expect(ticks.length, `${min}–${max} on ${plotPx} px`).toBeGreaterThanOrEqual(1);
        if (ticks.length > 1) expect(closest(ticks, min, max, plotPx), `${min}–${max} on ${plotPx} px`).toBeGreaterThanOrEqual(56);
        for (const t of ticks) {
          expect(t).toBeGreaterThanOrEqual(min);
          expect(t).toBeLessThanOrEqual(max);
        }
      }
    }
  });

  it('keeps a single point to one tick', () => {
    expect(timeTicks(2000, 2000, 300)).toEqual([2000]);
  });
});
