/** The run timeline's layout: where markers sit along the run, in lanes so their labels do not overlap. Pure. */
import type { Marker } from '../../../../views/shared/markers.ts';

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

/** The slider's step: fine for short runs, coarser for long ones (at most ~2,000 steps). */
export const scrubStep = (span: number): number => {
  for (const step of [10, 50, 100, 250, 500, 1000, 5000]) if (span / step <= 2000) return step;
  return 10_000;
};
