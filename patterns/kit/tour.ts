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

export interface TourStep {
  title: string;
  /** What to do, markdown. */
  instruction: string;
  /** Done when every matcher is satisfied by events since the step started. */
  until: EventMatcher[];
  /** What just happened and why, markdown: shown once the step is done. */
  explanation: string;
}

export interface Tour {
  /** The lab the tour runs on. */
  lab: string;
  title: string;
  intro: string;
  steps: TourStep[];
}
