/** Test helpers for the load generator: a target that takes virtual time and remembers every call. */
import type { Clock } from '../../patterns/kit/clock.ts';
import type { LoadRequest, LoadTarget } from './types.ts';

export interface RecordedCall extends LoadRequest {
  /** Clock time the target was called. */
  at: number;
}

export interface FakeTarget {
  target: LoadTarget;
  calls: RecordedCall[];
  /** Calls being served right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
}

/**
 * A target answering after `latencyMs(request, now)` of clock time (0 answers
 * on the next promise turn), `ok` unless `fail(request)` says otherwise.
 */
export const makeTarget = (
  clock: Clock,
  options: { latencyMs?: number | ((request: LoadRequest, now: number) => number); fail?: (request: LoadRequest) => boolean } = {},
): FakeTarget => {
  const calls: RecordedCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const latencyOf = typeof options.latencyMs === 'function' ? options.latencyMs : () => (options.latencyMs as number | undefined) ?? 0;
  const target: LoadTarget = async (request) => {
    const now = clock.now();
    calls.push({ ...request, at: now });
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const latency = latencyOf(request, now);
    if (latency > 0) await clock.sleep(latency);
    inFlight -= 1;
    return { ok: !(options.fail?.(request) ?? false) };
  };
  return {
    target,
    calls,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
};
