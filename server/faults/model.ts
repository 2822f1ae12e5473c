/**
 * The fault model: given a fault spec, a call number and the run time, what
 * happens to that call. It is a pure function, so the simulated transport
 * (virtual time) and the real fault proxy (real sockets) make exactly the same
 * choices, and a run with the same seed can be replayed.
 *
 * Randomness comes from `hashToUnit(salt, seed, call)`: a stateless hash, so
 * deciding call 7 never depends on having decided calls 0..6 first. Each kind
 * of draw (error, latency, jitter) has its own salt, so "this call fails" and
 * "this call is slow" are independent coin flips.
 */
import type { FaultDecision, FaultError, FaultSpec, FaultWindow } from '../../patterns/kit/faults.ts';
import { hashToUnit } from '../../patterns/kit/random.ts';

// Distinct salts keep the three draws for one call independent of each other.
const ERROR_SALT = 0x4572_7221; // "Err!"
const LATENCY_SALT = 0x4c61_7421; // "Lat!"
const JITTER_SALT = 0x4a69_7421; // "Jit!"

/** The fault that applies at one moment, before the per-call draw. */
export interface EffectiveFault {
  error: FaultError;
  /** Share of calls that fail with `error`, 0 to 1. */
  errorRate: number;
  cause: 'rate' | 'schedule';
  /** The scheduled window in force, if any. */
  window?: FaultWindow;
}

/**
 * True when run time `tMs` falls inside `window`: in `[startMs, startMs + durationMs)`,
 * or in the same span shifted by a whole number of `repeatEveryMs` after it.
 */
export const isWindowActive = (window: FaultWindow, tMs: number): boolean => {
  if (!(window.durationMs > 0) || tMs < window.startMs) return false;
  const since = tMs - window.startMs;
  const every = repeatPeriod(window);
  return every === undefined ? since < window.durationMs : since % every < window.durationMs;
};

/** The first window of the schedule active at `tMs` (earlier entries win when windows overlap). */
export const activeWindow = (spec: FaultSpec, tMs: number): FaultWindow | undefined =>
  spec.schedule.find((window) => isWindowActive(window, tMs));

/**
 * The error and rate in force at `tMs`, ignoring `failFirst` (which depends on
 * the call number, not the time). An active window replaces the base rate and
 * error for its duration: a window is "what the service is like right now".
 */
export const effectiveFault = (spec: FaultSpec, tMs: number): EffectiveFault => {
  const window = activeWindow(spec, tMs);
  if (window) {
    return { error: window.error ?? spec.error, errorRate: window.errorRate ?? 1, cause: 'schedule', window };
  }
  return { error: spec.error, errorRate: spec.errorRate, cause: 'rate' };
};

/**
 * Decides one call.
 *
 * @param spec the point's fault spec
 * @param call the call's number; with `appliedAtCall`, the number the first
 *   call after the spec was applied had. Every rule and draw uses
 *   `call - appliedAtCall`, so a counter that never resets and one that restarts
 *   at 0 on each new spec give the same decisions.
 * @param tMs run time (ms since the run started), for scheduled windows
 *
 * Order of rules: disabled → no fault; the first `failFirst` calls fail; an
 * active window's rate; otherwise the base `errorRate`. Latency is drawn
 * independently of the error.
 */
export const decide = (spec: FaultSpec, call: number, tMs: number, appliedAtCall = 0): FaultDecision => {
  const n = call - appliedAtCall;
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`decide needs call >= appliedAtCall (whole numbers), got call ${call}, appliedAtCall ${appliedAtCall}`);
  }
  if (!spec.enabled) return { latencyMs: 0 };

  let error: FaultError | undefined;
  let cause: FaultDecision['cause'];
  if (n < spec.failFirst) {
    error = spec.error;
    cause = 'failFirst';
  } else {
    const fault = effectiveFault(spec, tMs);
    if (hashToUnit(ERROR_SALT, spec.seed, n) < fault.errorRate) {
      error = fault.error;
      cause = fault.cause;
    }
  }

  // A refused connection fails before anything could be slow, and a hang never
  // answers at all: added delay means nothing for either.
  const latencyMs = error?.kind === 'down' || error?.kind === 'hang' ? 0 : drawLatency(spec, n);
  return error ? { latencyMs, error, cause } : { latencyMs };
};

/**
 * Delay for call `n`: with probability `latency.rate`, `baseMs` plus a uniform
 * jitter in `[-jitterMs, +jitterMs]`, rounded to whole ms.
 *
 * Jitter that would make the delay negative is clamped to 0 rather than
 * redrawn or reflected: one draw per call keeps the model simple, and when
 * jitter exceeds the base a share of calls simply come back at full speed,
 * which is how a learner reads "sometimes slow".
 */
const drawLatency = (spec: FaultSpec, n: number): number => {
  const { baseMs, jitterMs, rate } = spec.latency;
  if (baseMs <= 0 && jitterMs <= 0) return 0;
  if (!(hashToUnit(LATENCY_SALT, spec.seed, n) < rate)) return 0;
  const offset = (2 * hashToUnit(JITTER_SALT, spec.seed, n) - 1) * Math.max(0, jitterMs);
  return Math.max(0, Math.round(baseMs + offset));
};

/**
 * True when every call at run time `tMs` is refused: the point is down at rate
 * 1, from the base spec or an active window. The real proxy closes its listener
 * for exactly this, so callers get a genuine "connection refused".
 */
export const isFullyDown = (spec: FaultSpec, tMs: number): boolean => {
  if (!spec.enabled) return false;
  const fault = effectiveFault(spec, tMs);
  return fault.error.kind === 'down' && fault.errorRate >= 1;
};

/**
 * The next run time after `tMs` at which a scheduled window starts or ends, or
 * `undefined` when nothing in the schedule will change any more. The proxy sets
 * a timer for it to close or reopen its listener on time.
 */
export const nextChangeAfter = (spec: FaultSpec, tMs: number): number | undefined => {
  if (!spec.enabled) return undefined;
  let next: number | undefined;
  for (const window of spec.schedule) {
    const boundary = nextBoundary(window, tMs);
    if (boundary !== undefined && (next === undefined || boundary < next)) next = boundary;
  }
  return next;
};

const nextBoundary = (window: FaultWindow, tMs: number): number | undefined => {
  const { startMs, durationMs } = window;
  if (!(durationMs > 0)) return undefined;
  if (tMs < startMs) return startMs;
  const every = repeatPeriod(window);
  if (every === undefined) {
    const end = startMs + durationMs;
    return end > tMs ? end : undefined;
  }
  // A window as long as its period never closes once it has opened.
  if (durationMs >= every) return undefined;
  const cycleStart = startMs + Math.floor((tMs - startMs) / every) * every;
  const end = cycleStart + durationMs;
  return end > tMs ? end : cycleStart + every;
};

/** The repeat period, when the window repeats at all. */
const repeatPeriod = (window: FaultWindow): number | undefined =>
  window.repeatEveryMs !== undefined && window.repeatEveryMs > 0 && Number.isFinite(window.repeatEveryMs)
    ? window.repeatEveryMs
    : undefined;
