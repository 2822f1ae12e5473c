import { describe, expect, it } from 'vitest';
import { reduceEvents } from '../shared/reducer.ts';
import { makeCustom } from '../shared/testing.ts';
import { makeLevelsReducer } from './levels.ts';
import { MAX_SECONDS } from './rates.ts';

const lag = makeLevelsReducer([
  { event: 'projection.poll', field: 'eventsBehind', label: 'events behind' },
  { event: 'projection.poll', where: { projection: 'totals' }, field: 'msBehind', label: 'behind', unit: 'ms' },
]);
const poll = (t: number, eventsBehind: number, msBehind = 0, projection = 'totals') => makeCustom('projection.poll', { eventsBehind, msBehind, projection }, t);

describe('a level over time (the charts’ levels)', () => {
  it('charts the highest value of each second, held through seconds nobody reports', () => {
    const [behind, ms] = reduceEvents(lag, [poll(200, 3, 40), poll(700, 9, 120), poll(1_400, 2, 30), poll(4_100, 0, 0)], 5_000);
    expect(behind!.points).toEqual([
      { t: 1_000, value: 9 },
      { t: 2_000, value: 2 },
      { t: 3_000, value: 2 },
      { t: 4_000, value: 2 },
      { t: 5_000, value: 0 },
    ]);
    expect(behind!.latest).toBe(0);
    expect(ms!.points.map((p) => p.value)).toEqual([120, 30, 30, 30, 0]);
  });

  it('draws nothing before the first report, counts only matching events, and skips a value that is not a number', () => {
    const [behind, ms] = reduceEvents(lag, [makeCustom('request', {}, 100), poll(1_500, 4, 50, 'other'), poll(1_600, Number.NaN, 0, 'other')], 3_000);
    // No point past the newest event's second: the one under way is not whole yet.
    expect(behind!.points.map((p) => p.value)).toEqual([Number.NaN, 4]);
    expect(ms!.points.map((p) => p.value)).toEqual([Number.NaN, Number.NaN]);
    expect(ms!.latest).toBeUndefined();
  });

  it('keeps ten minutes, carrying the value held from before them', () => {
    const events = [poll(0, 7), ...Array.from({ length: MAX_SECONDS + 100 }, (_, i) => makeCustom('tick', {}, (i + 1) * 1_000))];
    const [behind] = reduceEvents(lag, events, Infinity);
    expect(behind!.points).toHaveLength(MAX_SECONDS);
    expect(behind!.points.every((p) => p.value === 7)).toBe(true);
  });
});
