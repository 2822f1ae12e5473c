import { describe, expect, it } from 'vitest';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeFaultChanged, makeMetrics, makeSpec } from '../shared/testing.ts';
import { chartsReducer, MAX_POINTS } from './reducer.ts';

describe('charts reducer', () => {
  it('turns each metrics summary into a point, with per-second outcomes and error %', () => {
    const model = reduceEvents(chartsReducer, [at(1000, makeMetrics({ count: 20, rate: 20, errors: 4, rejected: 6, errorRate: 0.5 }))], 1000);
    expect(model.points).toEqual([{ t: 1000, rate: 20, ok: 10, errors: 4, rejected: 6, errorPct: 50, p50: 5, p90: 8, p99: 12 }]);
    expect(model.latest).toBe(model.points[0]);
  });

  it('scales counts of windows other than one second to per second', () => {
    const model = reduceEvents(chartsReducer, [makeMetrics({ windowMs: 500, count: 5, rate: 10, errors: 5 })], 0);
    expect(model.points[0]).toMatchObject({ errors: 10, ok: 0 });
  });

  it('leaves latency gaps for empty windows', () => {
    const model = reduceEvents(chartsReducer, [makeMetrics({ count: 0, rate: 0 })], 0);
    expect(model.points[0]!.p99).toBeNaN();
  });

  it('keeps the markers of the charted span', () => {
    const events = [at(500, makeFaultChanged({ spec: makeSpec({ errorRate: 1 }) })), at(1000, makeMetrics()), at(1500, makeFaultChanged())];
    const model = reduceEvents(chartsReducer, events, 2000);
    expect(model.markers.map((m) => [m.t, m.kind])).toEqual([[1500, 'fault']]);
  });

  it('is bounded and shows only what happened up to nowT', () => {
    const events = Array.from({ length: MAX_POINTS * 2 }, (_, i) => at(i * 1000, makeMetrics()));
    expect(reduceEvents(chartsReducer, events, Infinity).points).toHaveLength(MAX_POINTS);
    expect(reduceEvents(chartsReducer, events.slice(0, 20), 10_000).points.at(-1)!.t).toBe(10_000);
  });
});
