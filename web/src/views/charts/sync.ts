/**
 * One cursor across the charts (recharts' syncId). Their points need not sit
 * at the same times, nor be as many (a `metrics` summary ends a little after
 * each whole second, a rate's second exactly on it), so the hovered time is
 * matched to each chart's nearest point rather than by index.
 */

/** Farther than this from any point, a chart shows no cursor: it has nothing at that time. */
const MAX_DISTANCE_MS = 1000;

/** The index of the tick nearest the hovered time; -1 (no cursor) when none is within MAX_DISTANCE_MS. */
export const nearestTick = (ticks: ReadonlyArray<{ value: unknown }>, hovered: { activeLabel?: unknown }): number => {
  const t = Number(hovered.activeLabel);
  if (hovered.activeLabel === undefined || !Number.isFinite(t)) return -1;
  let best = -1;
  let bestDistance = MAX_DISTANCE_MS;
  ticks.forEach((tick, i) => {
    const distance = Math.abs(Number(tick.value) - t);
    if (distance <= bestDistance) {
      best = i;
      bestDistance = distance;
    }
  });
  return best;
};
