/**
 * Runs a view reducer over the stream incrementally. The live stream only
 * grows at its end (and loses its oldest events past the page's bound), so
 * each batch folds just the new events into the accumulator kept here; a
 * stream that is not a continuation — a new run, a scrub backwards — is
 * folded again from scratch. Recomputed only when `revision` or `nowT` moves.
 */
import { useMemo, useRef } from 'react';
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import type { ViewReducer } from './reducer.ts';

interface Folded<Acc> {
  reducer: ViewReducer<Acc, unknown>;
  acc: Acc;
  /** The last event folded and where it was. */
  last: TelemetryEvent | undefined;
  index: number;
}

/** Where to resume folding `events`, or -1 when they do not continue what was folded. */
export const resumeIndex = (events: readonly TelemetryEvent[], last: TelemetryEvent | undefined, index: number): number => {
  if (!last) return 0;
  const from = Math.min(index, events.length - 1);
  if (from < 0) return -1;
  if (events[from] === last) return from + 1;
  // Trimmed at the front: the last folded event moved towards the start.
  const found = events.lastIndexOf(last, from);
  return found < 0 ? -1 : found + 1;
};

export const useViewModel = <Acc, Model>(
  reducer: ViewReducer<Acc, Model>,
  events: readonly TelemetryEvent[],
  revision: number,
  nowT: number,
): Model => {
  const folded = useRef<Folded<Acc> | undefined>(undefined);
  return useMemo(() => {
    let state = folded.current;
    let start = state && state.reducer === reducer ? resumeIndex(events, state.last, state.index) : -1;
    if (!state || start < 0) {
      state = { reducer: reducer as ViewReducer<Acc, unknown>, acc: reducer.init(), last: undefined, index: 0 };
      start = 0;
    }
    for (let i = start; i < events.length; i++) reducer.step(state.acc, events[i]!);
    if (events.length > 0) {
      state.last = events[events.length - 1];
      state.index = events.length - 1;
    }
    folded.current = state;
    return reducer.view(state.acc, nowT);
    // `revision` is the stream's change counter: the events array is compared too.
  }, [reducer, events, revision, nowT]);
};
