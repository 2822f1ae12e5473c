/**
 * Layout for stacked bar charts drawn as plain SVG (no chart library): a
 * bar per bucket, a segment per series, in a viewBox of one unit per bucket
 * and the value scale upwards. Pure: tested without a DOM.
 */
import { niceTicks } from './format.ts';

export interface BarDatum {
  /** The bucket's start (run time, ms). */
  t: number;
  /** One value per series, stacked bottom-up in this order. */
  values: readonly number[];
}

export interface BarSegment {
  x: number;
  y: number;
  height: number;
  series: number;
}

export interface BarLayout {
  segments: BarSegment[];
  /** The top of the value axis: a round number at or above the highest bar. */
  max: number;
  /** Round values for the value axis, 0 to max. */
  yTicks: number[];
  /** Round times for the time axis, with their position 0–1 across the chart. */
  xTicks: Array<{ t: number; at: number }>;
  buckets: number;
}

export const barLayout = (data: readonly BarDatum[], options: { yTicks?: number; xTicks?: number } = {}): BarLayout => {
  const highest = Math.max(0, ...data.map((d) => d.values.reduce((a, b) => a + b, 0)));
  const yTicks = highest > 0 ? niceTicks(0, highest, options.yTicks ?? 3) : [0, 1];
  let max = yTicks[yTicks.length - 1]!;
  if (max < highest) {
    max += yTicks[1]! - yTicks[0]!;
    yTicks.push(max);
  }
  const segments: BarSegment[] = [];
  data.forEach((d, x) => {
    let base = 0;
    d.values.forEach((v, series) => {
      if (v > 0) segments.push({ x, y: max - base - v, height: v, series });
      base += v;
    });
  });
  const first = data[0]?.t ?? 0;
  const step = data.length > 1 ? data[1]!.t - first : 1;
  const last = first + step * Math.max(0, data.length - 1);
  const xTicks = data.length > 1 ? niceTicks(first, last, options.xTicks ?? 5).map((t) => ({ t, at: ((t - first) / step + 0.5) / data.length })) : [];
  return { segments, max, yTicks, xTicks, buckets: data.length };
};
