/**
 * The page's window of a run's events, kept in `seq` order without duplicates:
 * the newest recorded history (loaded newest first) merged with the live
 * stream, which overlaps it while the page connects. Pure functions; the
 * useLiveRun hook (live.ts) holds the state.
 */
import type { TelemetryEvent } from '../../../patterns/kit/index.ts';

const bySeq = (a: TelemetryEvent, b: TelemetryEvent) => a.seq - b.seq;

/**
 * Merges `incoming` (any order, may repeat what is there) into `events` (in `seq` order, no
 * duplicates), in place. Returns how many were added. Newer events — the live stream's usual
 * case — are appended without sorting; anything else costs one sort.
 */
export const mergeBySeq = (events: TelemetryEvent[], incoming: readonly TelemetryEvent[]): number => {
  let added = 0;
  let last = events.length ? events[events.length - 1]!.seq : -Infinity;
  let rest: TelemetryEvent[] | undefined;
  for (const event of incoming) {
    if (event.seq > last) {
      events.push(event);
      last = event.seq;
      added++;
    } else {
      (rest ??= []).push(event);
    }
  }
  if (!rest) return added;
  // Older than the newest held (history arriving after live, or out of order): merge by seq.
  const known = new Set<number>();
  for (const event of events) known.add(event.seq);
  const fresh = rest.filter((e) => !known.has(e.seq) && (known.add(e.seq), true));
  if (fresh.length === 0) return added;
  for (const event of fresh) events.push(event);
  events.sort(bySeq);
  return added + fresh.length;
};

/**
 * The event types that say what state the run is in — the circuit's state, faults, load,
 * params, code, start and end: sparse, and what a view needs to show the present truly.
 * Before the window of full history the page loads these alone (the "prelude"), so a
 * circuit that closed long ago shows as closed since then, not since the window's start.
 */
export const STATE_TYPES: readonly string[] = [
  'run.started',
  'run.deployed',
  'run.error',
  'run.stopped',
  'fault.changed',
  'load.changed',
  'params.changed',
  'circuit.state',
];

/** Most state events loaded from before the window. */
export const PRELUDE_LIMIT = 1_000;

/** The run time from which the window holds every event (not only state changes); undefined when empty. */
export const fullFromT = (events: readonly TelemetryEvent[], fullFromSeq: number): number | undefined => {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.seq < fullFromSeq) lo = mid + 1;
    else hi = mid;
  }
  return events[lo]?.t;
};

/** A recorded page, newest first as the API sends it with `order=desc`, in `seq` order. */
export const oldestFirst = (newestFirst: readonly TelemetryEvent[]): TelemetryEvent[] => newestFirst.slice().reverse();

/**
 * Drops the oldest events beyond `max`, in chunks (a tenth of `max` at once) so that a page
 * at its bound does not trim, and restart what depends on the window's start, on every batch.
 * Returns how many were dropped.
 */
export const trimOldest = (events: TelemetryEvent[], max: number): number => {
  if (events.length <= max) return 0;
  const drop = events.length - max + Math.floor(max / 10);
  events.splice(0, drop);
  return drop;
};

/**
 * Whether the run has events older than the window holds: the history page said there are
 * more, or the page trimmed some, or the window starts after the run's first event.
 */
export const olderNotLoaded = (events: readonly TelemetryEvent[], historyHadMore: boolean, trimmed: number): boolean =>
  historyHadMore || trimmed > 0 || (events.length > 0 && events[0]!.seq > 0);
