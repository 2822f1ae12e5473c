import { describe, expect, it } from 'vitest';
import type { Marker } from '../../../../views/shared/markers.ts';
import { placeMarkers, placeSpans, scrubStep, type PlacedMarker, type PlaceOptions } from './timeline.ts';

const makeMarker = (overrides: Partial<Marker> = {}): Marker => ({ t: 0, kind: 'fault', label: 'payments', detail: '', ...overrides });

describe('timeline layout', () => {
  /** Every label 7 px a character plus 10: `payments` is 66 px wide. */
  const measure = (label: string) => label.length * 7 + 10;
  const place = (markers: Marker[], start: number, end: number, width = 1000, extra: Partial<PlaceOptions> = {}) =>
    placeMarkers(markers, start, end, { width, measure, ...extra });
  /** Whether two placed labels' boxes intersect: the same lane and overlapping spans along the track. */
  const overlap = (a: PlacedMarker, b: PlacedMarker) => a.lane === b.lane && a.from < b.from + b.width && b.from < a.from + a.width;
  const noneOverlap = (placed: PlacedMarker[]) => placed.every((a, i) => placed.slice(i + 1).every((b) => !overlap(a, b)));

  it('places markers along the span, in px of the track', () => {
    const placed = place([makeMarker({ t: 0 }), makeMarker({ t: 5000 }), makeMarker({ t: 8000 })], 0, 10_000);
    expect(placed.map((m) => [m.x, m.lane, m.from, m.width, m.flip])).toEqual([
      [0, 0, 0, 66, false],
      [500, 0, 500, 66, false],
      [800, 0, 800, 66, false],
    ]);
  });

  it('puts a label that would run past the right end to the left of its line', () => {
    const [last] = place([makeMarker({ t: 10_000 })], 0, 10_000);
    expect(last).toMatchObject({ x: 1000, from: 934, width: 66, flip: true });
  });

  it('stacks labels of markers close together in lanes: a fault change and a load change 50 ms apart', () => {
    const placed = place(
      [makeMarker({ t: 5000, label: 'payments: 100% HTTP 503' }), makeMarker({ t: 5050, kind: 'load', label: 'load: none' })],
      0,
      60_000,
    );
    expect(placed.map((m) => [m.label, m.lane])).toEqual([
      ['payments: 100% HTTP 503', 0],
      ['load: none', 1],
    ]);
    expect(noneOverlap(placed)).toBe(true);
  });

  it('goes back to the first lane once the label there has ended, with a gap', () => {
    // `payments` ends at 66 px; the second starts at 69 (too close for the 4 px gap), the third at 71.
    const placed = place([0, 690, 710].map((t) => makeMarker({ t })), 0, 10_000);
    expect(placed.map((m) => m.lane)).toEqual([0, 1, 0]);
  });

  it('merges markers that find no lane into one label with a count, in time order, and none overlap', () => {
    const markers = [1, 2, 3, 4, 5].map((i) => makeMarker({ t: 1000 + i * 10, kind: i === 5 ? 'load' : 'params', label: `retries ${i}` }));
    const placed = place(markers, 0, 10_000);
    expect(placed.map((m) => [m.label, m.lane, m.kind])).toEqual([
      ['retries 1', 0, 'params'],
      ['retries 2', 1, 'params'],
      ['3 changes', 2, 'mixed'],
    ]);
    expect(placed[2]!.markers.map((m) => m.label)).toEqual(['retries 3', 'retries 4', 'retries 5']);
    expect(placed[2]!.t).toBe(1030);
    expect(noneOverlap(placed)).toBe(true);
  });

  it('keeps every label clear of the others on a narrow track with many markers', () => {
    const markers = Array.from({ length: 60 }, (_, i) => makeMarker({ t: i * 997, label: i % 3 ? `params: maxAttempts=${i}` : 'load: none' }));
    for (const width of [200, 480, 650, 1000]) {
      const placed = place(markers, 0, 60_000, width);
      expect(noneOverlap(placed), `at ${width} px`).toBe(true);
      // Nothing is lost: every marker is in exactly one label.
      expect(placed.flatMap((p) => p.markers)).toHaveLength(60);
      for (const p of placed) {
        expect(p.from).toBeGreaterThanOrEqual(0);
        expect(p.from + p.width).toBeLessThanOrEqual(width + 1e-9);
      }
    }
  });

  it('draws a long label no wider than the widest allowed, nor than the track', () => {
    const long = makeMarker({ label: 'x'.repeat(100) });
    expect(place([long], 0, 1000)[0]!.width).toBe(144);
    expect(place([long], 0, 1000, 100)[0]!.width).toBe(100);
  });

  it('leaves out markers outside the span', () => {
    expect(place([makeMarker({ t: -1 }), makeMarker({ t: 11 })], 0, 10)).toEqual([]);
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
