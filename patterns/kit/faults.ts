/**
 * Fault specs: what is injected at a fault point (a downstream service, an
 * event handler, the database, a job worker). These are plain data so they
 * travel over the API, are stored with a run and drawn by the UI.
 */

/** How a call that the fault chooses fails. */
export type FaultError =
  /** The service answers with this HTTP status (500, 502, 503, 429, …). */
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** The connection is reset before any answer. */
  | { kind: 'reset' }
  /** No answer ever comes: the caller's own timeout decides. */
  | { kind: 'hang' }
  /** Nothing listens: the connection is refused at once. */
  | { kind: 'down' }
  /** For in-process points (an event handler, a job): the call throws. */
  | { kind: 'exception'; message?: string }
  /** For the database: the statement fails with SQLITE_BUSY ("database is locked"). */
  | { kind: 'busy' }
  /** For the database: the statement fails with SQLITE_LOCKED ("database table is locked"). */
  | { kind: 'locked' };

export type FaultErrorKind = FaultError['kind'];

/** Added delay; `rate` is the share of calls it hits. */
export interface FaultLatency {
  baseMs: number;
  jitterMs: number;
  rate: number;
}

/**
 * A timed window, in run time (ms since the run started). During the window
 * calls fail at the window's `errorRate` (default: all of them). With
 * `repeatEveryMs` the window comes back periodically: a flapping service.
 */
export interface FaultWindow {
  startMs: number;
  durationMs: number;
  errorRate?: number;
  error?: FaultError;
  repeatEveryMs?: number;
}

export interface FaultSpec {
  enabled: boolean;
  /** Share of calls that fail with `error`, 0 to 1. */
  errorRate: number;
  error: FaultError;
  latency: FaultLatency;
  /** The first N calls after the spec is applied fail with `error`. */
  failFirst: number;
  schedule: FaultWindow[];
  /** Same seed, spec and call sequence give the same decisions. */
  seed: number;
}

/** No fault at all: what every point starts with. */
export const healthySpec = (): FaultSpec => ({
  enabled: false,
  errorRate: 0,
  error: { kind: 'status', status: 503 },
  latency: { baseMs: 0, jitterMs: 0, rate: 1 },
  failFirst: 0,
  schedule: [],
  seed: 1,
});

/** What the fault model decided for one call. */
export interface FaultDecision {
  /** Delay to add before the call proceeds (or fails). */
  latencyMs: number;
  /** Set when the call fails; absent when it goes through. */
  error?: FaultError;
  /** Why it fails: the rate, the fail-first count or a scheduled window. */
  cause?: 'rate' | 'failFirst' | 'schedule';
}

/** A place where faults can be injected, as a lab declares it. */
export interface FaultPointInfo {
  id: string;
  /**
   * `http`: a downstream service behind the fault proxy. `in-process`: a call
   * inside the run. `database`: every statement through `ctx.db` (a lab that
   * uses `ctx.db` declares one; its errors are `busy` and `locked`).
   */
  kind: 'http' | 'in-process' | 'database';
  title: string;
  description: string;
}
