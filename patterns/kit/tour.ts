/**
 * Guided tours: steps shown beside a live lab, each ticked when the run's
 * events show what it asks for. Tours are plain data (the web app evaluates
 * them with a pure matcher), so a pattern's `tour.ts` imports only types.
 */
import type { TelemetryType } from './telemetry.ts';

/**
 * Matches telemetry events: the type, and fields that must equal the given
 * values (dotted paths reach inside objects: `spec.errorRate`). Numbers can
 * be compared with `{ gte }` / `{ lte }`.
 */
export interface EventMatcher {
  type: TelemetryType;
  where?: Record<string, string | number | boolean | { gte: number } | { lte: number }>;
  /** How many matching events the step needs, counted from when it started. Default 1. */
  count?: number;
}

/**
 * A condition on the run's current state, as its latest control events tell it:
 * - `{ fault: 'payments', injected: true }`: a fault is (or, with `false`, no fault is) injected at that point;
 * - `{ param: 'jitter', is: 'none' }`: a parameter has that value (numbers also `{ gte }` / `{ lte }`);
 * - `{ load: 'stopped' }` / `{ load: 'running' }`: the generated load.
 * A condition on state the page does not know yet (no params or load event seen) does not hold.
 */
export type RunCondition =
  | { fault: string; injected: boolean }
  | { param: string; is: string | number | boolean | { gte: number } | { lte: number } }
  | { load: 'stopped' | 'running' };

/** Why a step cannot progress in the run's current state, and what to do about it. */
export interface StepBlock {
  /** Every condition holds: the step is blocked. */
  when: RunCondition[];
  /** What to do, markdown, learner-facing ("Clear the payments fault first"). */
  hint: string;
}

export interface TourStep {
  title: string;
  /** What to do, markdown. */
  instruction: string;
  /** Done when every matcher is satisfied by events since the step started. */
  until: EventMatcher[];
  /** What just happened and why, markdown: shown once the step is done. */
  explanation: string;
  /**
   * States of the run in which the step cannot progress, each with what to
   * do: while the step is current, the first that holds shows its hint.
   */
  blockedWhen?: StepBlock[];
}

export interface Tour {
  /** The lab the tour runs on. */
  lab: string;
  title: string;
  intro: string;
  steps: TourStep[];
}

/**
 * What is wrong with a tour's `blockedWhen` conditions against its lab: a
 * fault point or parameter the lab does not have, a condition list that is
 * empty, a hint with nothing to say. Empty when all is well.
 */
export const tourBlockProblems = (
  tour: Pick<Tour, 'steps'>,
  lab: { faultPoints: ReadonlyArray<{ id: string }>; params: ReadonlyArray<{ id: string }> },
): string[] => {
  const problems: string[] = [];
  for (const step of tour.steps) {
    for (const block of step.blockedWhen ?? []) {
      const where = `step '${step.title}'`;
      if (block.when.length === 0) problems.push(`${where}: a block with no conditions`);
      if (block.hint.trim() === '') problems.push(`${where}: a block with an empty hint`);
      for (const condition of block.when) {
        if ('fault' in condition && !lab.faultPoints.some((p) => p.id === condition.fault)) problems.push(`${where}: no fault point '${condition.fault}' in the lab`);
        if ('param' in condition && !lab.params.some((p) => p.id === condition.param)) problems.push(`${where}: no parameter '${condition.param}' in the lab`);
      }
    }
  }
  return problems;
};
