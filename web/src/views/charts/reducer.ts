/**
 * The charts' model: one point per `metrics` summary (each second), bounded
 * to the last MAX_POINTS, plus the run's markers so a spike sits beside the
 * fault or deploy that caused it.
 */
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { markersReducer, type Marker } from '../shared/markers.ts';
import { trimFront, type ViewReducer } from '../shared/reducer.ts';

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
  markers: Marker[];
  /** Bumped per metrics event: charts redraw only when it moves. */
  version: number;
  /** Latest figures, for the headline. */
  latest: MetricsPoint | undefined;
}

/** Ten minutes at one point a second. */
export const MAX_POINTS = 600;

interface Acc {
  points: MetricsPoint[];
  markers: ReturnType<typeof markersReducer.init>;
  version: number;
}

const perSecond = (n: number, windowMs: number) => (windowMs > 0 ? (n * 1000) / windowMs : n);

export const chartsReducer: ViewReducer<Acc, ChartsModel> = {
  init: () => ({ points: [], markers: markersReducer.init(), version: 0 }),
  step(acc, event: TelemetryEvent) {
    if (event.type !== 'metrics') {
      markersReducer.step(acc.markers, event);
      return;
    }
    const { windowMs } = event;
    const errors = perSecond(event.errors, windowMs);
    const rejected = perSecond(event.rejected, windowMs);
    // An empty window has no latency: leave a gap rather than draw a fake zero.
    const p = (v: number) => (event.count > 0 ? v : Number.NaN);
    acc.points.push({
      t: event.t,
      rate: event.rate,
      ok: Math.max(0, event.rate - errors - rejected),
      errors,
      rejected,
      errorPct: event.errorRate * 100,
      p50: p(event.p50),
      p90: p(event.p90),
      p99: p(event.p99),
    });
    trimFront(acc.points, MAX_POINTS);
    acc.version++;
  },
  view(acc, nowT) {
    const points = acc.points.filter((p) => p.t <= nowT).slice(-MAX_POINTS);
    const first = points[0]?.t ?? 0;
    return {
      points,
      markers: markersReducer.view(acc.markers, nowT).filter((m) => m.t >= first),
      version: acc.version,
      latest: points[points.length - 1],
    };
  },
};
