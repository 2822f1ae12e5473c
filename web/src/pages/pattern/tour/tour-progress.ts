/**
 * Where a learner is in a guided tour, from the run's events: which steps are
 * done (and when), and the current step. Steps complete in order: a step's
 * matchers only see events after the previous step completed (the first
 * step's, events from when the tour started). Pure: unit-tested in node.
 */
import type { EventMatcher, TelemetryEvent, Tour, TourStep } from '../../../../../patterns/kit/index.ts';

type Condition = NonNullable<EventMatcher['where']>[string];

/** The value at a dotted path (`spec.errorRate`) inside an event, if there is one. */
export const valueAt = (event: unknown, path: string): unknown => {
  let value: unknown = event;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
};

const satisfies = (value: unknown, condition: Condition): boolean => {
  if (condition !== null && typeof condition === 'object') {
    if (typeof value !== 'number' || Number.isNaN(value)) return false;
    const range = condition as { gte?: number; lte?: number };
    return (range.gte === undefined || value >= range.gte) && (range.lte === undefined || value <= range.lte);
  }
  return value === condition;
};

/** Whether one event matches a matcher's type and every `where` condition (ignoring `count`). */
export const matchesEvent = (matcher: EventMatcher, event: TelemetryEvent): boolean => {
  if (event.type !== matcher.type) return false;
  for (const [path, condition] of Object.entries(matcher.where ?? {})) {
    if (!satisfies(valueAt(event, path), condition)) return false;
  }
  return true;
};

/** How many matching events a matcher needs: its `count`, at least 1. */
export const needed = (matcher: EventMatcher): number => Math.max(1, Math.floor(matcher.count ?? 1));

export interface StepProgress {
  step: TourStep;
  index: number;
  state: 'done' | 'current' | 'upcoming';
  /** Run time the step started counting from (done and current steps). */
  startedAt?: number;
  /** Run time of the event that completed it (done steps). */
  doneAt?: number;
  /** Matching events seen so far per matcher, capped at what each needs (done and current steps). */
  counts: number[];
}

export interface TourProgress {
  steps: StepProgress[];
  /** The step being worked on; undefined once every step is done. */
  current: number | undefined;
  done: number;
  complete: boolean;
}

/**
 * The tour's progress over `events` (in arrival order), counting from run
 * time `startT`. Events of other runs (a page that just switched runs) are
 * skipped when `runId` is given. The event that completes a step does not
 * count for the next one.
 *
 * `resume` gives the completion times of steps already known done (from an
 * earlier call): the page keeps a bounded window of events, and a step
 * completed by events that have since fallen out must stay done. The next
 * step then counts events after the last of those times.
 */
export const tourProgress = (
  tour: Pick<Tour, 'steps'>,
  events: readonly TelemetryEvent[],
  startT: number,
  runId?: string,
  resume: readonly number[] = [],
): TourProgress => {
  const steps: StepProgress[] = tour.steps.map((step, index) => ({ step, index, state: 'upcoming', counts: step.until.map(() => 0) }));
  let current = 0;
  let stepStart = startT;
  // A resumed step's completing event is no longer told apart by position: later events count from strictly after it.
  let after = -Infinity;
  const begin = (index: number, at: number) => {
    const progress = steps[index];
    if (!progress) return;
    progress.state = 'current';
    progress.startedAt = at;
    stepStart = at;
  };
  begin(0, startT);
  for (const doneAt of resume.slice(0, steps.length)) {
    steps[current]!.state = 'done';
    steps[current]!.doneAt = doneAt;
    steps[current]!.counts = steps[current]!.step.until.map(needed);
    current++;
    begin(current, doneAt);
    after = doneAt;
  }
  // A step with no matchers is done as soon as it starts.
  const settleEmpty = (at: number) => {
    while (current < steps.length && steps[current]!.step.until.length === 0) {
      steps[current]!.state = 'done';
      steps[current]!.doneAt = at;
      current++;
      begin(current, at);
    }
  };
  settleEmpty(stepStart);

  for (const event of events) {
    if (current >= steps.length) break;
    if (event.t < stepStart || event.t <= after || (runId !== undefined && event.runId !== runId)) continue;
    const progress = steps[current]!;
    const { until } = progress.step;
    let changed = false;
    until.forEach((matcher, i) => {
      if (progress.counts[i]! < needed(matcher) && matchesEvent(matcher, event)) {
        progress.counts[i]!++;
        changed = true;
      }
    });
    if (!changed || !until.every((matcher, i) => progress.counts[i]! >= needed(matcher))) continue;
    progress.state = 'done';
    progress.doneAt = event.t;
    current++;
    begin(current, event.t);
    settleEmpty(event.t);
  }

  const done = steps.filter((s) => s.state === 'done').length;
  return { steps, current: current < steps.length ? current : undefined, done, complete: steps.length > 0 && done === steps.length };
};
