/** The run timeline's layout: where markers sit along the run, in lanes so their labels do not overlap. Pure. */
import type { Marker } from '../../../../views/shared/markers.ts';
import type { SaturatedSpan } from '../saturation.ts';

export interface PlacedMarker extends Marker {
  /** 0–100, along the track. */
  left: number;
  lane: number;
}

export const LANES = 3;

/**
 * Places markers on [start, end]. Each takes the first lane whose previous
 * label ends before it (labels are about `labelPct` wide); when every lane
 * is taken it shares the lane that frees first.
 */
export const placeMarkers = (markers: readonly Marker[], start: number, end: number, labelPct = 12): PlacedMarker[] => {
  const span = Math.max(1, end - start);
  const laneEnds = new Array<number>(LANES).fill(-Infinity);
  return markers
    .filter((m) => m.t >= start && m.t <= end)
    .map((m) => {
      const left = ((m.t - start) / span) * 100;
      let lane = laneEnds.findIndex((e) => e <= left);
      if (lane < 0) lane = laneEnds.indexOf(Math.min(...laneEnds));
      laneEnds[lane] = left + labelPct;
      return { ...m, left, lane };
    });
};

/** A span of the run laid along the track: `left` and `width` in % of it. */
export interface PlacedSpan {
  left: number;
  width: number;
}

/**
 * Lays `spans` on [start, end], clipped to it; an open span (`to` undefined)
 * runs to `end`. Each is at least `minPct` wide, so a saturated second in an
 * hour-long run still shows.
 */
export const placeSpans = (spans: readonly SaturatedSpan[], start: number, end: number, minPct = 0.5): PlacedSpan[] => {
  const span = Math.max(1, end - start);
  const pct = (t: number) => ((Math.min(Math.max(t, start), end) - start) / span) * 100;
  return spans
    .filter((s) => s.from <= end && (s.to ?? end) >= start)
    .map((s) => {
      const left = pct(s.from);
      const width = Math.max(pct(s.to ?? end) - left, minPct);
      // Kept inside the track: a minimum-width span at the very end grows leftwards.
      return { left: Math.min(left, 100 - width), width };
    });
};

/** The slider's step: fine for short runs, coarser for long ones (at most ~2,000 steps). */
export const scrubStep = (span: number): number => {
  for (const step of [10, 50, 100, 250, 500, 1000, 5000]) if (span / step <= 2000) return step;
  return 10_000;
};
