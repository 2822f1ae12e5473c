/**
 * How a view turns the event stream into its model, as a fold: a fresh
 * accumulator, one step per event, and a snapshot at a given run time.
 *
 * `step` may mutate the accumulator it is given (and nothing else): at 1,000
 * requests/s a copy per event would be the bottleneck. The whole
 * `events → model` function stays pure: same events, same model. Accumulators
 * aggregate (counters, buckets, the last N rows) so their size is bounded
 * whatever the run's length.
 */
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';

export interface ViewReducer<Acc, Model> {
  /** A fresh, empty accumulator. */
  init(): Acc;
  /** Folds one event into the accumulator. Amortised O(1), bounded memory. */
  step(acc: Acc, event: TelemetryEvent): void;
  /** The model at run time `nowT`: a new object that later steps never change. */
  view(acc: Acc, nowT: number): Model;
}

/** Folds every event from scratch: what tests call, and what the hook does after a scrub backwards. */
export const reduceEvents = <Acc, Model>(reducer: ViewReducer<Acc, Model>, events: readonly TelemetryEvent[], nowT: number): Model => {
  const acc = reducer.init();
  for (const event of events) reducer.step(acc, event);
  return reducer.view(acc, nowT);
};

/** The run time of the latest event, 0 before any. */
export const lastT = (events: readonly TelemetryEvent[]): number => (events.length ? events[events.length - 1]!.t : 0);

/** Patterns add event types of their own (declaration merging on the server side); views read them loosely. */
export const typeOf = (event: TelemetryEvent): string => (event as { type: string }).type;

/** Keeps the newest `max` items of an array that grows at the end, trimming in chunks (amortised O(1)). */
export const trimFront = <T>(items: T[], max: number): void => {
  if (items.length > max + Math.max(16, max >> 3)) items.splice(0, items.length - max);
};

/** `trimFront`'s exact counterpart for a view: the newest `max` items, copied. */
export const newest = <T>(items: readonly T[], max: number): T[] => items.slice(Math.max(0, items.length - max));
