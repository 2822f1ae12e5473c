/**
 * A level over time, for the charts' `levels` (a projection's lag, the
 * connections in use): per whole second of run time, the highest value of a
 * field among the events that report it, held through seconds with no
 * report, kept for the last MAX_SECONDS seconds. Each point sits at the end
 * of its second, as the rates' and the metrics' do, so the charts line up.
 */
import type { ChartsViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { fieldOf, matchesWhere } from '../shared/fields.ts';
import { typeOf, type ViewReducer } from '../shared/reducer.ts';
import { MAX_SECONDS } from './rates.ts';

export type Level = NonNullable<ChartsViewSpec['levels']>[number];

export interface LevelPoint {
  /** Run time at the end of the second, ms. */
  t: number;
  /** The highest value reported in that second, or the last one before it; NaN before the first. */
  value: number;
}

export interface LevelSeries {
  level: Level;
  points: LevelPoint[];
  /** The newest value reported. */
  latest: number | undefined;
}

interface SecondHighs {
  second: number;
  /** One per level of the spec, in its order; undefined: nothing reported that second. */
  highs: Array<number | undefined>;
}

export interface LevelsAcc {
  firstSecond: number | undefined;
  newestSecond: number;
  seconds: SecondHighs[];
  /** Per level: the value held before the oldest second kept, and the newest value reported. */
  before: Array<number | undefined>;
  latest: Array<number | undefined>;
}

export const makeLevelsReducer = (levels: readonly Level[]): ViewReducer<LevelsAcc, LevelSeries[]> => ({
  init: () => ({ firstSecond: undefined, newestSecond: -Infinity, seconds: [], before: levels.map(() => undefined), latest: levels.map(() => undefined) }),
  step(acc, event: TelemetryEvent) {
    const second = Math.floor(event.t / 1000);
    acc.firstSecond ??= second;
    if (second > acc.newestSecond) acc.newestSecond = second;
    const type = typeOf(event);
    levels.forEach((level, i) => {
      if (level.event !== type || !matchesWhere(event, level.where)) return;
      const value = Number(fieldOf(event, level.field));
      if (!Number.isFinite(value)) return;
      const highs = highsAt(acc, second, levels.length);
      highs[i] = Math.max(highs[i] ?? -Infinity, value);
      acc.latest[i] = value;
    });
  },
  view(acc, nowT) {
    // Only whole seconds, as the rates, and none past the newest event.
    const last = Math.min(Math.floor(nowT / 1000) - 1, acc.newestSecond);
    const first = Math.max(acc.firstSecond ?? Infinity, last - MAX_SECONDS + 1);
    const held = [...acc.before];
    const series: LevelSeries[] = levels.map((level, i) => ({ level, points: [], latest: acc.latest[i] }));
    let next = 0;
    while (next < acc.seconds.length && acc.seconds[next]!.second < first) {
      acc.seconds[next]!.highs.forEach((h, i) => h !== undefined && (held[i] = h));
      next++;
    }
    for (let second = first; second <= last; second++) {
      const highs = acc.seconds[next]?.second === second ? acc.seconds[next++]!.highs : undefined;
      series.forEach((s, i) => {
        if (highs?.[i] !== undefined) held[i] = highs[i];
        s.points.push({ t: (second + 1) * 1000, value: held[i] ?? Number.NaN });
      });
    }
    return series;
  },
});

/** The highs of `second`, added in order; the oldest second let go hands its values to `before`. */
const highsAt = (acc: LevelsAcc, second: number, levels: number): Array<number | undefined> => {
  let i = acc.seconds.length - 1;
  while (i >= 0 && acc.seconds[i]!.second > second) i--;
  if (acc.seconds[i]?.second === second) return acc.seconds[i]!.highs;
  const entry: SecondHighs = { second, highs: new Array<number | undefined>(levels).fill(undefined) };
  acc.seconds.splice(i + 1, 0, entry);
  // Let go of the oldest seconds a few at a time, as trimFront does; what they held stays as `before`.
  if (acc.seconds.length > MAX_SECONDS + 16) {
    for (const dropped of acc.seconds.splice(0, acc.seconds.length - MAX_SECONDS)) {
      dropped.highs.forEach((h, j) => h !== undefined && (acc.before[j] = h));
    }
  }
  return entry.highs;
};
