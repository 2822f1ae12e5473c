import { describe, expect, it } from 'vitest';
import { changedParams, describeFault, describeLoad } from './describe.ts';
import { fmtMs, fmtPct, fmtRunTime, niceTicks, percentile } from './format.ts';
import { makeMarkersReducer, markersReducer } from './markers.ts';
import { reduceEvents } from './reducer.ts';
import { at, makeFaultChanged, makeParamsChanged, makeSpec } from './testing.ts';

describe('markers', () => {
  const started = { type: 'run.started', patternId: 'p', lab: 'l', seed: 1, versions: {}, t: 2, seq: 2, runId: 'run-1' } as const;
  const load = (t: number) => ({ type: 'load.changed', profile: { model: 'open', rate: 5 }, t, seq: t, runId: 'run-1' }) as const;

  it('marks changes but not the run’s own setup (initial specs and load)', () => {
    const markers = reduceEvents(
      markersReducer,
      [
        makeFaultChanged({ spec: makeSpec({ enabled: false }) }),
        started,
        load(3),
        at(4000, makeFaultChanged({ spec: makeSpec({ errorRate: 1 }) })),
        at(5000, load(5000)),
        at(6000, makeParamsChanged({ params: { a: 1, b: 2 } })),
        at(7000, makeParamsChanged({ params: { a: 1, b: 3 } })),
        { type: 'run.deployed', file: 'circuit-breaker.ts', version: 2, t: 8000, seq: 8000, runId: 'run-1' },
        { type: 'run.error', message: 'boom', file: 'circuit-breaker.ts', line: 12, t: 9000, seq: 9000, runId: 'run-1' },
      ],
      Infinity,
    );
    expect(markers.map((m) => [m.t, m.kind, m.label])).toEqual([
      [4000, 'fault', 'payments: 100% HTTP 503'],
      [5000, 'load', 'load: open: 5 req/s'],
      [6000, 'params', 'a=1, b=2'],
      [7000, 'params', 'b=3'],
      [8000, 'deploy', 'v2'],
      [9000, 'error', 'error'],
    ]);
    expect(markers.at(-1)!.detail).toBe('boom (circuit-breaker.ts:12)');
  });

  it('labels the first parameter change against the lab’s defaults when it has them', () => {
    const markers = reduceEvents(makeMarkersReducer({ a: 1, b: 2 }), [at(6000, makeParamsChanged({ params: { a: 1, b: 3 } }))], Infinity);
    expect(markers.map((m) => m.label)).toEqual(['b=3']);
  });

  it('marks fault changes on a page that joined after the start', () => {
    expect(reduceEvents(markersReducer, [at(60_000, makeFaultChanged())], Infinity)).toHaveLength(1);
  });
});

describe('descriptions', () => {
  it('describes fault specs the way a learner says them', () => {
    expect(describeFault(makeSpec({ enabled: false, errorRate: 1 }))).toBe('healthy');
    expect(
      describeFault(
        makeSpec({
          errorRate: 0.5,
          error: { kind: 'status', status: 429, retryAfterSeconds: 2 },
          latency: { baseMs: 800, jitterMs: 200, rate: 0.5 },
          schedule: [{ startMs: 3000, durationMs: 3000, repeatEveryMs: 8000, error: { kind: 'down' } }],
        }),
      ),
    ).toBe('50% HTTP 429 (Retry-After 2s), +800±200 ms on 50%, down (refused) 3s–6s every 8s');
  });

  it('describes load profiles', () => {
    expect(describeLoad({ model: 'none' })).toBe('no load');
    expect(describeLoad({ model: 'open', rate: 10, stages: [{ durationMs: 5000, target: 100 }], durationMs: 30_000 })).toBe('open: 10 req/s → 100/s, for 30s');
    expect(describeLoad({ model: 'closed', concurrency: 100, amount: 100, clients: 100 })).toBe('closed: 100 concurrent, 100 requests, 100 clients');
  });

  it('finds changed parameters', () => {
    expect(changedParams({ a: 1, b: 2 }, { a: 1, b: 3 })).toEqual({ b: 3 });
    expect(changedParams(undefined, { a: 1 })).toEqual({ a: 1 });
  });
});

describe('formatting', () => {
  it('formats run time, durations and shares', () => {
    expect([fmtRunTime(1234), fmtRunTime(65_000), fmtRunTime(150_000)]).toEqual(['1.23 s', '65.0 s', '2:30']);
    expect([fmtMs(0.123), fmtMs(4.56), fmtMs(123.4), fmtMs(2500), fmtMs(undefined)]).toEqual(['0.12 ms', '4.6 ms', '123 ms', '2.50 s', '–']);
    expect([fmtPct(0), fmtPct(0.056), fmtPct(0.5), fmtPct(1)]).toEqual(['0%', '5.6%', '50%', '100%']);
  });

  it('makes round ticks', () => {
    expect(niceTicks(0, 10_000, 5)).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    expect(niceTicks(1000, 27_000, 5)).toEqual([5000, 10_000, 15_000, 20_000, 25_000]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });


  it('takes nearest-rank percentiles', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 0.9)).toBe(5);
    expect(percentile([], 0.9)).toBeUndefined();
  });
});

