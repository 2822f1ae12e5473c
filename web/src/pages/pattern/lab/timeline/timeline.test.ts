import { describe, expect, it } from 'vitest';
import type { Marker } from '../../../../views/shared/markers.ts';
import { placeMarkers, scrubStep } from './timeline.ts';

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

  it('picks a slider step that keeps the steps under 2,000', () => {
    expect(scrubStep(5000)).toBe(10);
    expect(scrubStep(60_000)).toBe(50);
    expect(scrubStep(3_600_000)).toBe(5000);
  });
});
