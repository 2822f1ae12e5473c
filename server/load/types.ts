/** The types a LoadGenerator exchanges with its target and its listeners. */
import type { RequestOutcome, TelemetryEventMap } from '../../patterns/kit/telemetry.ts';

/** One request the generator asks its target to serve. */
export interface LoadRequest {
  /** Unique for the generator's lifetime (`load-0`, `load-1`, …), across profile changes. */
  id: string;
  /** `client-<index mod clients>`: the caller a rate limiter or a lab keys on. */
  clientKey: string;
  /** Position in the current profile's sequence, from 0. */
  index: number;
  /**
   * Clock time the request was meant to start. In the open model it is the
   * scheduled arrival, possibly a little before the actual call; latency is
   * measured from it (see LoadGenerator). A wrapper that records telemetry
   * should use `clock.now() - intendedAt` as the request's duration too.
   */
  intendedAt: number;
}

/**
 * What the generator needs to know of an answer: whether it succeeded, either
 * as `ok` or as a request outcome (so a lab's `LabResult` passes straight
 * through). A rejected promise counts as a failure.
 */
export type LoadResult = { ok: boolean } | { outcome: RequestOutcome };

/** True when `result` reports success. */
export const isOk = (result: LoadResult | undefined | null): boolean =>
  result != null && ('ok' in result ? result.ok === true : result.outcome === 'ok');

/** The system under load: called once per request; failures should be results, not rejections. */
export type LoadTarget = (request: LoadRequest) => Promise<LoadResult>;

/** The `load.progress` telemetry payload: counts for the current profile. */
export type LoadProgress = TelemetryEventMap['load.progress'];

/** Counters for the current profile. */
export interface LoadStats {
  /** Requests handed to the target. */
  sent: number;
  /** Requests answered (ok or not). */
  completed: number;
  /** Completed requests that were not ok (or rejected). */
  errors: number;
  /** Open model only: arrivals skipped because `maxInFlight` requests were outstanding. */
  dropped: number;
  inFlight: number;
}
