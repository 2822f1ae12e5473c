/**
 * Runs a view reducer over the stream, through a CheckpointedFold: live, each
 * batch folds just the new events; scrubbed, a move folds at most a
 * checkpoint's span (CHECKPOINT_EVERY events) from the nearest checkpoint, not
 * the whole run again. Recomputed only when `revision` or `nowT` moves.
 */
import { useMemo, useRef } from 'react';
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { CheckpointedFold } from './checkpoints.ts';
import type { ViewReducer } from './reducer.ts';

export const useViewModel = <Acc, Model>(
  reducer: ViewReducer<Acc, Model>,
  events: readonly TelemetryEvent[],
  revision: number,
  nowT: number,
): Model => {
  const fold = useRef<CheckpointedFold<Acc, Model> | undefined>(undefined);
  return useMemo(() => {
    if (fold.current?.reducer !== reducer) fold.current = new CheckpointedFold(reducer);
    return fold.current.model(events, nowT);
    // `revision` is the stream's change counter: the events array is compared too.
  }, [reducer, events, revision, nowT]);
};
