import { describe, expect, it } from 'vitest';
import type { ChartsViewSpec } from '../../../../patterns/kit/index.ts';
import { metricsCharts } from '../../../../patterns/kit/views/presets.ts';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeCustom, makeFaultChanged, makeMetrics, makeRetryAttempt, makeSpec } from '../shared/testing.ts';
import { makeChartsReducer, MAX_POINTS } from './reducer.ts';

const chartsReducer = makeChartsReducer(metricsCharts());

describe('charts reducer', () => {
  it('turns each metrics summary into a point, with per-second outcomes and error %', () => {
    const model = reduceEvents(chartsReducer, [at(1000, makeMetrics({ count: 20, rate: 20, errors: 4, rejected: 6, errorRate: 0.5 }))], 1000);
    expect(model.points).toEqual([{ t: 1000, rate: 20, ok: 10, errors: 4, rejected: 6, errorPct: 50, p50: 5, p90: 8, p99: 12 }]);
    expect(model.latest).toBe(model.points[0]);
    expect(model.rates).toEqual([]);
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

describe('charts reducer, with rates', () => {
  const spec: ChartsViewSpec = {
    kind: 'charts',
    title: 'Retries',
    metrics: [],
    rates: [
      { event: 'retry.attempt', label: 'retries' },
      { event: 'sql', where: { error: 'locked' }, label: 'locked statements' },
    ],
  };
  const retry = (t: number) => at(t, makeRetryAttempt());
  const statement = (t: number, fields: Record<string, unknown> = {}) => makeCustom('sql', { statement: 'UPDATE stock', rows: 1, durationMs: 1, ...fields }, t);
  const perSecond = (model: ReturnType<typeof chartsReducer.view>) => model.rates.map((r) => [r.label, r.points.map((p) => [p.t, p.perSecond])]);

  it('counts each rate’s events per second, matching its filter, zeros included, each second ending at its point', () => {
    const events = [at(0, makeCustom('run.started')), retry(100), retry(900), statement(1200, { error: 'locked' }), statement(1300), retry(2500)];
    const model = reduceEvents(makeChartsReducer(spec), events, 3000);
    expect(perSecond(model)).toEqual([
      ['retries', [[1000, 2], [2000, 0], [3000, 1]]],
      ['locked statements', [[1000, 0], [2000, 1], [3000, 0]]],
    ]);
  });

  it('charts whole seconds only, up to nowT', () => {
    const events = [retry(100), retry(1100), retry(1900), retry(2100)];
    expect(perSecond(reduceEvents(makeChartsReducer(spec), events, 2999))[0]).toEqual(['retries', [[1000, 1], [2000, 2]]]);
    expect(reduceEvents(makeChartsReducer(spec), events, 999).rates[0]!.points).toEqual([]);
  });

  it('keeps the last ten minutes of seconds, however long the run', () => {
    const reducer = makeChartsReducer(spec);
    const acc = reducer.init();
    for (let second = 0; second < 3 * MAX_POINTS; second++) reducer.step(acc, retry(second * 1000 + 500));
    expect(acc.rates.seconds.length).toBeLessThanOrEqual(MAX_POINTS + MAX_POINTS / 8);
    const points = reducer.view(acc, 3 * MAX_POINTS * 1000).rates[0]!.points;
    expect(points).toHaveLength(MAX_POINTS);
    expect(points.every((p) => p.perSecond === 1)).toBe(true);
    expect(points.at(-1)!.t).toBe(3 * MAX_POINTS * 1000);
  });

  it('counts an event a little out of order in its own second', () => {
    const model = reduceEvents(makeChartsReducer(spec), [retry(100), retry(1500), retry(900)], 2000);
    expect(model.rates[0]!.points.map((p) => p.perSecond)).toEqual([2, 1]);
  });

  it('keeps the markers from the first charted second', () => {
    const events = [at(0, makeCustom('run.started')), at(1500, makeFaultChanged()), retry(1600)];
    const model = reduceEvents(makeChartsReducer(spec), events, 2000);
    expect(model.markers.map((m) => m.t)).toEqual([1500]);
    expect(model.points).toEqual([]);
  });
});
