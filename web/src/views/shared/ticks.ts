/** The time axis's ticks for a chart of a given width: round, and never closer than a label needs. */
import { niceTicks } from './format.ts';

/** Room per tick label (`2:05`, `12.5s` at 11 px, and space around it), px. */
export const TICK_PX = 56;

/**
 * Round ticks over [min, max] for a plot `plotPx` wide: at most `most`, fewer on a narrow plot, and
 * thinned (every other, every third …) when the round step would still put labels closer than `minPx`.
 */
export const timeTicks = (min: number, max: number, plotPx: number, minPx = TICK_PX, most = 6): number[] => {
  const wanted = Math.max(2, Math.min(most, Math.floor(plotPx / minPx)));
  const ticks = niceTicks(min, max, wanted);
  if (ticks.length < 2 || !(max > min)) return ticks;
  const apart = ((ticks[1]! - ticks[0]!) / (max - min)) * plotPx;
  const every = Math.ceil(minPx / apart);
  return every > 1 ? ticks.filter((_, i) => i % every === 0) : ticks;
};
