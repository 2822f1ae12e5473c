import { describe, expect, it } from 'vitest';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeParamsChanged, makeRateLimit } from '../shared/testing.ts';
import { BUCKET_MS, chartRows, MAX_KEYS, OTHER, rateLimitReducer, WINDOW_MS } from './reducer.ts';

const reduce = (events: Parameters<typeof reduceEvents>[1], nowT = 1000) => reduceEvents(rateLimitReducer, events, nowT);

describe('rate-limit reducer', () => {
  it('counts allowed and limited per key, with the last remaining and limit', () => {
    const model = reduce([
      at(10, makeRateLimit({ key: 'client-1', remaining: 1 })),
      at(20, makeRateLimit({ key: 'client-1', remaining: 0 })),
      at(30, makeRateLimit({ key: 'client-1', allowed: false, remaining: 0 })),
      at(40, makeRateLimit({ key: 'client-0' })),
    ]);
    expect(model.keys).toEqual([
      { key: 'client-0', allowed: 1, limited: 0, remaining: 9, limit: 10 },
      { key: 'client-1', allowed: 2, limited: 1, remaining: 0, limit: 10 },
    ]);
    expect(model).toMatchObject({ allowed: 3, limited: 1, algorithm: 'fixed-window', limit: 10 });
  });

  it('buckets decisions per key over the last minute', () => {
    const model = reduce([at(10, makeRateLimit()), at(260, makeRateLimit({ allowed: false })), at(270, makeRateLimit({ allowed: false }))], 500);
    expect(model.buckets.map((b) => b.t)).toEqual([0, 250, 500]);
    expect(model.buckets[1]!.keys).toEqual({ 'client-0': { allowed: 0, limited: 2 } });
    expect(reduce([], 100_000).buckets).toHaveLength(WINDOW_MS / BUCKET_MS);
    expect(chartRows(model.buckets, 1000)).toEqual([{ t: 0, 'client-0 allowed': 1, 'client-0 limited': 2 }]);
  });

  it('takes the algorithm from the latest event, and notes when it changed', () => {
    const model = reduce([at(1, makeRateLimit()), at(500, makeRateLimit({ algorithm: 'token-bucket' }))]);
    expect(model).toMatchObject({ algorithm: 'token-bucket', changedAt: 500 });
  });

  it('falls back to the algorithm parameter before any decision', () => {
    expect(reduce([at(5, makeParamsChanged({ params: { algorithm: 'sliding-window' } }))]).algorithm).toBe('sliding-window');
  });

  it(`lumps keys past ${MAX_KEYS} together`, () => {
    const model = reduce(Array.from({ length: MAX_KEYS + 5 }, (_, i) => makeRateLimit({ key: `client-${i}` })));
    expect(model.keys).toHaveLength(MAX_KEYS + 1);
    expect(model.keys.at(-1)).toMatchObject({ key: OTHER, allowed: 5 });
  });
});
