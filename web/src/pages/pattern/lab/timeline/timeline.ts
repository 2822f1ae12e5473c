/**
 * The run timeline's layout: where markers sit along the run, in lanes so their labels never
 * overlap (markers that still do not fit are merged into one, with a count), and the spans and
 * slider step of the track. Pure.
 */
import type { Marker, MarkerKind } from '../../../../views/shared/markers.ts';
import type { SaturatedSpan } from '../saturation.ts';

/** One label on the track: a marker, or markers close together merged where the lanes ran out. */
export interface PlacedMarker {
  /** In time order; more than one when merged. */
  markers: Marker[];
  /** The first marker's time: where the label's line is. */
  t: number;
  /** The line, in px from the track's left. */
  x: number;
  lane: number;
  /** The label's box along the track, px: it starts at the line, or ends there (`flip`, near the right end). */
  from: number;
  width: number;
  flip: boolean;
  label: string;
  /** The markers' kind; `mixed` for a merged label of several kinds. */
  kind: MarkerKind | 'mixed';
}

export const LANES = 3;

export interface PlaceOptions {
  /** The track's width, px. */
  width: number;
  /** A label's width in px, as drawn (text, padding and border). */
  measure: (label: string) => number;
  lanes?: number;
  /** The least space between two labels in a lane, px. */
  gap?: number;
  /** The widest a label is drawn, px (longer ones are cut short with an ellipsis). */
  maxLabel?: number;
}

/** `3 changes`: a merged label. */
export const mergedLabel = (markers: readonly Marker[]): string => (markers.length === 1 ? markers[0]!.label : `${markers.length} changes`);

/**
 * Places the markers on [start, end] along a track `width` px wide. In time order, each label
 * takes the first lane where it clears the labels already there by `gap`; near the right end a
 * label sits to the left of its line. A label that finds no lane is merged with the one placed
 * just before it (`3 changes`), and the placing starts again: no two labels overlap, whatever
 * the width and however close the markers.
 */
export const placeMarkers = (markers: readonly Marker[], start: number, end: number, options: PlaceOptions): PlacedMarker[] => {
  const { width, measure, lanes = LANES, gap = 4, maxLabel = 144 } = options;
  const span = Math.max(1, end - start);
  const shown = markers.filter((m) => m.t >= start && m.t <= end).sort((a, b) => a.t - b.t);
  let groups = shown.map((m) => [m]);
  const labelWidth = (label: string) => Math.max(1, Math.min(measure(label), maxLabel, width));
  for (;;) {
    const laneEnds = new Array<number>(lanes).fill(-Infinity);
    const placed: PlacedMarker[] = [];
    let full = -1;
    for (const [index, group] of groups.entries()) {
      const t = group[0]!.t;
      const x = ((t - start) / span) * width;
      const label = mergedLabel(group);
      const w = labelWidth(label);
      const flip = x + w > width;
      const from = flip ? Math.max(0, x - w) : x;
      const lane = laneEnds.findIndex((laneEnd) => laneEnd + gap <= from);
      if (lane < 0) {
        full = index;
        break;
      }
      laneEnds[lane] = from + w;
      const kinds = new Set(group.map((m) => m.kind));
      placed.push({ markers: group, t, x, lane, from, width: w, flip, label, kind: kinds.size === 1 ? group[0]!.kind : 'mixed' });
    }
    if (full < 0) return placed;
    // The first label always finds a free lane, so `full` has one before it.
    groups = [...groups.slice(0, full - 1), [...groups[full - 1]!, ...groups[full]!], ...groups.slice(full + 1)];
  }
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
