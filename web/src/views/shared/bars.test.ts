import { describe, expect, it } from 'vitest';
import { barLayout } from './bars.ts';

describe('bar layout', () => {
  it('stacks each bucket’s series bottom-up under a round maximum', () => {
    const layout = barLayout([
      { t: 0, values: [3, 1] },
      { t: 1000, values: [0, 7] },
    ]);
    expect(layout.max).toBe(8);
    expect(layout.yTicks).toEqual([0, 2, 4, 6, 8]);
    expect(layout.segments).toEqual([
      { x: 0, y: 5, height: 3, series: 0 },
      { x: 0, y: 4, height: 1, series: 1 },
      { x: 1, y: 1, height: 7, series: 1 },
    ]);
  });

  it('puts round time ticks at the middle of their bucket', () => {
    const data = Array.from({ length: 10 }, (_, i) => ({ t: 1000 + i * 1000, values: [1] }));
    const { xTicks } = barLayout(data, { xTicks: 4 });
    expect(xTicks.map((x) => x.t)).toEqual([2000, 4000, 6000, 8000, 10_000]);
    expect(xTicks[0]!.at).toBeCloseTo(0.15);
  });

  it('draws nothing but an axis for empty data', () => {
    expect(barLayout([])).toMatchObject({ segments: [], max: 1, xTicks: [], buckets: 0 });
  });
});
