/**
 * What both labs share: building a retry policy from the lab's knobs, turning
 * the policy's typed events into telemetry, and mapping a give-up to the
 * request log's outcome. The pattern (retry.ts, backoff.ts, retryable.ts)
 * stays free of telemetry calls; this is the only place that emits for it.
 */
import type { DisposableStore, LabContext, LabResult } from '../kit/index.ts';
import { Backoff, type DelayStrategy, type JitterStrategy } from './backoff.ts';
import { DeadlineExceededError } from './errors.ts';
import { RetryPolicy, type RetryOptions } from './retry.ts';

/** A readable one-liner for any thrown value. */
export const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The backoff knobs the labs declare (params.ts); a lab without `delayStrategy` backs off exponentially. */
export interface BackoffKnobs {
  jitter: JitterStrategy;
  delayStrategy?: DelayStrategy;
  baseDelayMs: number;
  capDelayMs: number;
}

/** The backoff the labs' knobs describe. */
export const backoffFrom = ({ jitter, delayStrategy = 'exponential', baseDelayMs, capDelayMs }: BackoffKnobs): Backoff =>
  new Backoff({ strategy: delayStrategy, jitter, baseMs: baseDelayMs, capMs: Math.max(capDelayMs, baseDelayMs) });

/**
 * A policy on the run's clock and seeded random, owned by `store`, whose
 * retries and give-ups become `retry.attempt` and `retry.giveup` events for
 * the inbound request being served.
 */
export const instrumentedPolicy = (ctx: LabContext, store: DisposableStore, options: RetryOptions): RetryPolicy => {
  const policy = store.add(new RetryPolicy({ clock: ctx.clock, random: ctx.random, ...options }));
  // The engine keeps the inbound request's id across async calls, so these
  // shared listeners still know which request retried.
  const requestId = () => ctx.currentRequestId() ?? 'unknown';
  store.add(
    policy.onRetry(({ attempt, delayMs, error }) =>
      ctx.emit({ type: 'retry.attempt', requestId: requestId(), attempt, delayMs: Math.round(delayMs), error: describeError(error) }),
    ),
  );
  store.add(
    policy.onGiveUp(({ attempts, error, reason }) =>
      // The core event has no reason field: it leads the message instead.
      ctx.emit({ type: 'retry.giveup', requestId: requestId(), attempts, error: `${reason}: ${describeError(error)}` }),
    ),
  );
  return policy;
};

/** Maps what execute() rejected with to the request log's outcome. */
export const toResult = (error: unknown, route: string): LabResult => {
  const message = describeError(error);
  if (error instanceof DeadlineExceededError) return { outcome: 'timeout', status: 504, error: message, route };
  // The downstream said no for good, or kept failing: a bad gateway for our caller.
  return { outcome: 'error', status: 502, error: message, route };
};

/**
 * The requests a lab is serving. Stopping a lab aborts their retries; its
 * dispose then waits for them to answer, so every request of a stopped run
 * has ended (and been recorded) by the time the stop completes.
 */
export class InFlight {
  private readonly requests = new Set<Promise<unknown>>();

  track<T>(request: Promise<T>): Promise<T> {
    this.requests.add(request);
    void request.finally(() => this.requests.delete(request)).catch(() => undefined);
    return request;
  }

  settled(): Promise<void> {
    return Promise.allSettled([...this.requests]).then(() => undefined);
  }
}
