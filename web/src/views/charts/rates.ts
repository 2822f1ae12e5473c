/**
 * How many of an event happened each second (retries/s, statements/s), for
 * the charts' `rates`: a count per whole second of run time, kept for the
 * last MAX_SECONDS seconds. Each point sits at the end of its second, as a
 * `metrics` summary sits at the end of its window, so the charts line up.
 */
import type { ChartsViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { matchesWhere } from '../shared/fields.ts';
import { trimFront, typeOf, type ViewReducer } from '../shared/reducer.ts';

/** Ten minutes, as many seconds as the metrics charts keep points. */
export const MAX_SECONDS = 600;

export interface RatePoint {
  /** Run time at the end of the second, ms. */
  t: number;
  /** Events in that second. */
  perSecond: number;
}

export interface RateSeries {
  label: string;
  /** One per whole second from the run's start (at most the last MAX_SECONDS), none missing. */
  points: RatePoint[];
}

interface SecondCounts {
  /** Whole seconds of run time: this second covers [second, second + 1) s. */
  second: number;
  /** One count per rate of the spec, in its order. */
  counts: number[];
}

export interface RatesAcc {
  /** The seconds of the first and the newest event seen (of any type): rates are charted between them, zeros included. */
  firstSecond: number | undefined;
  newestSecond: number;
  /** Seconds that had a counted event, oldest first; at most one entry per second. */
  seconds: SecondCounts[];
}

type Rate = NonNullable<ChartsViewSpec['rates']>[number];

export const makeRatesReducer = (rates: readonly Rate[]): ViewReducer<RatesAcc, RateSeries[]> => ({
  init: () => ({ firstSecond: undefined, newestSecond: -Infinity, seconds: [] }),
  step(acc, event: TelemetryEvent) {
    const second = Math.floor(event.t / 1000);
    acc.firstSecond ??= second;
    if (second > acc.newestSecond) acc.newestSecond = second;
    const type = typeOf(event);
    rates.forEach((rate, i) => {
      if (rate.event !== type || !matchesWhere(event, rate.where)) return;
      countAt(acc, second, rates.length)[i]!++;
    });
  },
  view(acc, nowT) {
    // Only whole seconds (the one under way would show as a dip at the right edge), and none past the newest event.
    const last = Math.min(Math.floor(nowT / 1000) - 1, acc.newestSecond);
    const first = Math.max(acc.firstSecond ?? Infinity, last - MAX_SECONDS + 1);
    const series: RateSeries[] = rates.map((rate) => ({ label: rate.label, points: [] }));
    let next = 0;
    while (next < acc.seconds.length && acc.seconds[next]!.second < first) next++;
    for (let second = first; second <= last; second++) {
      const counted = acc.seconds[next]?.second === second ? acc.seconds[next++]!.counts : undefined;
      series.forEach((s, i) => s.points.push({ t: (second + 1) * 1000, perSecond: counted?.[i] ?? 0 }));
    }
    return series;
  },
});

/** The counts of `second`, added in order; an event a little out of order finds its second near the end. */
const countAt = (acc: RatesAcc, second: number, rates: number): number[] => {
  let i = acc.seconds.length - 1;
  while (i >= 0 && acc.seconds[i]!.second > second) i--;
  if (acc.seconds[i]?.second === second) return acc.seconds[i]!.counts;
  const entry = { second, counts: new Array<number>(rates).fill(0) };
  acc.seconds.splice(i + 1, 0, entry);
  trimFront(acc.seconds, MAX_SECONDS);
  return entry.counts;
};
