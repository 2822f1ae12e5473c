import { describe, expect, it } from 'vitest';
import type { Marker } from '../../../../views/shared/markers.ts';
import { placeMarkers, placeSpans, scrubStep } from './timeline.ts';

const makeMarker = (overrides: Partial<Marker> = {}): Marker => ({ t: 0, kind: 'fault', label: 'payments', detail: '', ...overrides });

describe('timeline layout', () => {
  it('places markers along the span', () => {
    const placed = placeMarkers([makeMarker({ t: 0 }), makeMarker({ t: 5000 }), makeMarker({ t: 10_000 })], 0, 10_000);
    expect(placed.map((m) => [m.left, m.lane])).toEqual([
      [0, 0],
      [50, 0],
      [100, 0],
    ]);
  });

  it('moves crowded labels to other lanes, then shares the lane that frees first', () => {
    const placed = placeMarkers([1, 2, 3, 4].map((t) => makeMarker({ t: t * 10 })), 0, 1000);
    expect(placed.map((m) => m.lane)).toEqual([0, 1, 2, 0]);
  });

  it('leaves out markers outside the span', () => {
    expect(placeMarkers([makeMarker({ t: -1 }), makeMarker({ t: 11 })], 0, 10)).toEqual([]);
  });

  it('lays saturated spans along the track, clipped to it, an open one running to the end', () => {
    const spans = [
      { from: -500, to: 1000 },
      { from: 2000, to: 4000 },
      { from: 9000, to: undefined },
      { from: 20_000, to: 30_000 },
    ];
    expect(placeSpans(spans, 0, 10_000)).toEqual([
      { left: 0, width: 10 },
      { left: 20, width: 20 },
      { left: 90, width: 10 },
    ]);
  });

  it('keeps a very short span visible, and inside the track', () => {
    expect(placeSpans([{ from: 5000, to: 5001 }], 0, 3_600_000)[0]!.width).toBe(0.5);
    expect(placeSpans([{ from: 10_000, to: undefined }], 0, 10_000)).toEqual([{ left: 99.5, width: 0.5 }]);
  });

  it('picks a slider step that keeps the steps under 2,000', () => {
    expect(scrubStep(5000)).toBe(10);
    expect(scrubStep(60_000)).toBe(50);
    expect(scrubStep(3_600_000)).toBe(5000);
  });
});
