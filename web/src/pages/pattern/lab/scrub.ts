/** Looking back through a run: the events up to a cursor, found by binary search on `t`. */
import type { TelemetryEvent } from '../../../../../patterns/kit/index.ts';

/** How many leading events have `t <= cursor` (events are in time order). */
export const countUpTo = (events: readonly TelemetryEvent[], cursor: number): number => {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.t <= cursor) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** The events a view sees: all of them live, or those up to the cursor. */
export const eventsUpTo = (events: readonly TelemetryEvent[], cursor: number | null): readonly TelemetryEvent[] => {
  if (cursor === null) return events;
  const n = countUpTo(events, cursor);
  return n === events.length ? events : events.slice(0, n);
};

/** Keeps a cursor inside the recorded span. */
export const clampCursor = (cursor: number, start: number, end: number): number => Math.min(end, Math.max(start, cursor));
