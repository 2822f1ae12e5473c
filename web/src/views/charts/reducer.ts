/**
 * The charts' model, built from their spec: one point per `metrics` summary
 * (each second), bounded to the last MAX_POINTS; the per-second counts of
 * the spec's `rates`; and the run's markers, so a spike sits beside the
 * fault or deploy that caused it.
 */
import type { ChartsViewSpec, TelemetryOf } from '../../../../patterns/kit/index.ts';
import { markersReducer, type Marker } from '../shared/markers.ts';
import { trimFront, type ViewReducer } from '../shared/reducer.ts';
import { makeLevelsReducer, type LevelsAcc, type LevelSeries } from './levels.ts';
import { makeRatesReducer, MAX_SECONDS, type RatesAcc, type RateSeries } from './rates.ts';

export interface MetricsPoint {
  /** Run time at the end of the window, ms. */
  t: number;
  /** Requests per second by outcome. */
  ok: number;
  errors: number;
  rejected: number;
  rate: number;
  /** 0–100. */
  errorPct: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface ChartsModel {
  points: MetricsPoint[];
  /** One per rate of the spec, in its order. */
  rates: RateSeries[];
  /** One per level of the spec, in its order. */
  levels: LevelSeries[];
  /** Those of the charted span. */
  markers: Marker[];
  /** Latest figures, for the headline. */
  latest: MetricsPoint | undefined;
}

/** Ten minutes at one point a second. */
export const MAX_POINTS = MAX_SECONDS;

interface Acc {
  points: MetricsPoint[];
  rates: RatesAcc;
  levels: LevelsAcc;
  markers: ReturnType<typeof markersReducer.init>;
}

const perSecond = (n: number, windowMs: number) => (windowMs > 0 ? (n * 1000) / windowMs : n);

const toPoint = (event: TelemetryOf<'metrics'>): MetricsPoint => {
  const { windowMs } = event;
  const errors = perSecond(event.errors, windowMs);
  const rejected = perSecond(event.rejected, windowMs);
  // An empty window has no latency: leave a gap rather than draw a fake zero.
  const p = (v: number) => (event.count > 0 ? v : Number.NaN);
  return {
    t: event.t,
    rate: event.rate,
    ok: Math.max(0, event.rate - errors - rejected),
    errors,
    rejected,
    errorPct: event.errorRate * 100,
    p50: p(event.p50),
    p90: p(event.p90),
    p99: p(event.p99),
  };
};

export const makeChartsReducer = (spec: ChartsViewSpec): ViewReducer<Acc, ChartsModel> => {
  const rates = makeRatesReducer(spec.rates ?? []);
  const levels = makeLevelsReducer(spec.levels ?? []);
  return {
    init: () => ({ points: [], rates: rates.init(), levels: levels.init(), markers: markersReducer.init() }),
    step(acc, event) {
      rates.step(acc.rates, event);
      levels.step(acc.levels, event);
      if (event.type !== 'metrics') {
        markersReducer.step(acc.markers, event);
        return;
      }
      acc.points.push(toPoint(event));
      trimFront(acc.points, MAX_POINTS);
    },
    view(acc, nowT) {
      const points = acc.points.filter((p) => p.t <= nowT).slice(-MAX_POINTS);
      const series = rates.view(acc.rates, nowT);
      const levelSeries = levels.view(acc.levels, nowT);
      const first = Math.min(points[0]?.t ?? Infinity, ...[...series, ...levelSeries].map((s) => s.points[0]?.t ?? Infinity));
      return {
        points,
        rates: series,
        levels: levelSeries,
        markers: markersReducer.view(acc.markers, nowT).filter((m) => m.t >= first),
        latest: points[points.length - 1],
      };
    },
  };
};
