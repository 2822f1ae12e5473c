import { describe, expect, it } from 'vitest';
import type { KeyedBarsViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { apiViews } from '../../../../patterns/middleware/views.ts';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeCustom, makeParamsChanged, makeRateLimit, type RateLimitFields } from '../shared/testing.ts';
import { DEFAULT_BUCKET_MS, keyBars, makeKeyedBarsReducer, MAX_KEYS, OTHER, WINDOW_MS } from './reducer.ts';

/** The middleware lab's rate-limiting view, as it ships. */
const rateLimitSpec = apiViews.find((v): v is KeyedBarsViewSpec => v.kind === 'keyed-bars')!;

/** A rate-limit decision, as the middleware lab emits it. */
const decision = (t: number, fields: Partial<RateLimitFields> = {}) => at(t, makeRateLimit(fields));

const reduce = (events: TelemetryEvent[], nowT = 1000, spec = rateLimitSpec) => reduceEvents(makeKeyedBarsReducer(spec), events, nowT);

describe('keyed-bars reducer, with the rate-limiting spec', () => {
  it('counts allowed and limited per key, with its latest remaining', () => {
    const model = reduce([
      decision(10, { key: 'client-1', remaining: 1 }),
      decision(20, { key: 'client-1', remaining: 0 }),
      decision(30, { key: 'client-1', allowed: false, remaining: 0 }),
      decision(40),
    ]);
    expect(model.keys).toEqual([
      { key: 'client-0', yes: 1, no: 0, latest: [9] },
      { key: 'client-1', yes: 2, no: 1, latest: [0] },
    ]);
    expect(model).toMatchObject({ yes: 3, no: 1, mode: 'fixed-window', heading: [10] });
  });

  it('buckets decisions per key over the last minute', () => {
    const model = reduce([decision(10), decision(260, { allowed: false }), decision(270, { allowed: false })], 500);
    expect(model.buckets.map((b) => b.t)).toEqual([0, 250, 500]);
    expect(model.buckets[1]!.keys).toEqual({ 'client-0': { yes: 0, no: 2 } });
    expect(reduce([], 100_000).buckets).toHaveLength(WINDOW_MS / 250);
    expect(reduce([decision(10), decision(260)], Infinity).buckets.map((b) => b.t)).toEqual([0, 250]);
    expect(keyBars(model.buckets, 'client-0', 1000)).toEqual([{ t: 0, values: [1, 2] }]);
    expect(keyBars(model.buckets, 'client-0', 250).map((b) => b.values)).toEqual([[1, 0], [0, 2], [0, 0]]);
  });

  it('keeps no more buckets than a minute and a fifth, however long the run', () => {
    const reducer = makeKeyedBarsReducer(rateLimitSpec);
    const acc = reducer.init();
    for (let t = 0; t < 10 * WINDOW_MS; t += 100) reducer.step(acc, decision(t));
    expect(acc.buckets.size).toBeLessThanOrEqual((WINDOW_MS / 250) * 1.2);
    const model = reducer.view(acc, 10 * WINDOW_MS);
    expect(model.buckets.at(-1)!.keys).toEqual({});
    expect(model.buckets.at(-2)!.keys).toEqual({ 'client-0': { yes: 2, no: 0 } });
  });

  it('takes the algorithm from the latest decision, and notes when it changed', () => {
    const model = reduce([decision(1), decision(500, { algorithm: 'token-bucket' })]);
    expect(model).toMatchObject({ mode: 'token-bucket', modeChangedAt: 500 });
    expect(reduce([decision(1), decision(500)]).modeChangedAt).toBeUndefined();
  });

  it('falls back to the algorithm parameter before any decision', () => {
    const model = reduce([at(5, makeParamsChanged({ params: { algorithm: 'sliding-window' } }))]);
    expect(model).toMatchObject({ mode: 'sliding-window', modeChangedAt: 5 });
    expect(reduce([]).mode).toBeUndefined();
  });

  it(`counts keys after the first ${MAX_KEYS} together`, () => {
    const model = reduce(Array.from({ length: MAX_KEYS + 5 }, (_, i) => decision(i, { key: `client-${i}`, remaining: i })));
    expect(model.keys).toHaveLength(MAX_KEYS + 1);
    expect(model.keys.at(-1)).toEqual({ key: OTHER, yes: 5, no: 0, latest: [MAX_KEYS + 4] });
    expect(model.keys.slice(0, 3).map((k) => k.key)).toEqual(['client-0', 'client-1', 'client-2']);
  });

  it('gives models that later events do not change', () => {
    const reducer = makeKeyedBarsReducer(rateLimitSpec);
    const acc = reducer.init();
    reducer.step(acc, decision(10));
    const before = reducer.view(acc, 100);
    reducer.step(acc, decision(20, { allowed: false, remaining: 0 }));
    expect(before.keys[0]).toEqual({ key: 'client-0', yes: 1, no: 0, latest: [9] });
    expect(before.buckets.at(-1)!.keys).toEqual({ 'client-0': { yes: 1, no: 0 } });
  });
});

describe('keyed-bars reducer, by the names in its spec', () => {
  const cacheSpec: KeyedBarsViewSpec = {
    kind: 'keyed-bars',
    title: 'Cache',
    event: 'cache.lookup',
    keyField: 'entry.key',
    split: { field: 'hit', yes: 'hits', no: 'misses' },
    latest: [{ field: 'ageMs', label: 'age', format: 'ms' }],
    mode: { field: 'policy', label: 'eviction', param: 'eviction' },
    bucketMs: 1000,
  };
  const lookup = (t: number, key: string, hit: boolean, fields: Record<string, unknown> = {}) =>
    makeCustom('cache.lookup', { entry: { key }, hit, ageMs: 40, policy: 'lru', ...fields }, t);

  it('counts the named event by the named key and split, and nothing else', () => {
    const model = reduce(
      [lookup(100, 'user:1', true), lookup(200, 'user:1', false), lookup(1500, 'user:2', true, { ageMs: 7 }), decision(1600)],
      2000,
      cacheSpec,
    );
    expect(model.keys).toEqual([
      { key: 'user:1', yes: 1, no: 1, latest: [40] },
      { key: 'user:2', yes: 1, no: 0, latest: [7] },
    ]);
    expect(model).toMatchObject({ yes: 2, no: 1, mode: 'lru', heading: [] });
  });

  it('buckets by the spec’s width', () => {
    const model = reduce([lookup(100, 'user:1', true), lookup(1500, 'user:1', false)], 1999, cacheSpec);
    expect(model.buckets).toEqual([
      { t: 0, keys: { 'user:1': { yes: 1, no: 0 } } },
      { t: 1000, keys: { 'user:1': { yes: 0, no: 1 } } },
    ]);
    expect(reduce([], 100_000, cacheSpec).buckets).toHaveLength(WINDOW_MS / 1000);
  });

  it('reads the mode from the named parameter, and marks its change', () => {
    const model = reduce([at(5, makeParamsChanged({ params: { eviction: 'lfu', algorithm: 'token-bucket' } })), lookup(10, 'a', true)], 100, cacheSpec);
    expect(model).toMatchObject({ mode: 'lru', modeChangedAt: 5 });
  });

  it('has no mode without one in its spec, and buckets of 250 ms by default', () => {
    const { mode: _mode, bucketMs: _bucketMs, ...plain } = cacheSpec;
    const model = reduce([at(5, makeParamsChanged({ params: { eviction: 'lfu' } })), lookup(10, 'a', true)], 1000, plain);
    expect(model).toMatchObject({ mode: undefined, modeChangedAt: undefined });
    expect(model.buckets.map((b) => b.t)).toEqual([0, DEFAULT_BUCKET_MS, 2 * DEFAULT_BUCKET_MS, 3 * DEFAULT_BUCKET_MS, 4 * DEFAULT_BUCKET_MS]);
  });
});
