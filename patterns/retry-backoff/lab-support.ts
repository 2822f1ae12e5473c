/**
 * What both labs share: building a retry policy from the lab's knobs, turning
 * the policy's typed events into telemetry, and mapping a give-up to the
 * request log's outcome. The pattern (retry.ts, backoff.ts, retryable.ts)
 * stays free of telemetry calls; this is the only place that emits for it.
 */
import type { DisposableStore, HttpResponse, LabContext, LabResult } from '../kit/index.ts';
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
      // The event has no reason field: it leads the message instead.
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

/**
 * Real-clock timers may fire a little late; a wait or an attempt that much
 * past its bound is the event loop, not the policy. (On virtual time, exact.)
 */
export const TIMER_SLACK_MS = 50;

export interface AttemptLimits {
  maxAttempts: number;
  /** The backoff's cap: no wait the policy chooses itself is longer. */
  capDelayMs: number;
  /** The longest Retry-After the policy honours: the cap on a wait the server asked for. */
  maxRetryAfterMs: number;
  /** The request's budget, when the lab sets one: no attempt starts past it. */
  deadlineMs?: number;
}

/**
 * Watches one request's attempts from the outside and checks the labs'
 * invariants (pattern.ts) on what actually happened, not on what the policy
 * reports: how many attempts were made, how long each wait between two of
 * them really was, and when each started.
 *
 *   const watch = watchAttempts(ctx, limits, request.id);
 *   await policy.execute(() => watch.attempt(() => inventory.request(...)).then(ensureOk));
 */
export const watchAttempts = (ctx: LabContext, limits: AttemptLimits, requestId: string) => {
  const startedAt = ctx.clock.now();
  let attempts = 0;
  let lastEndedAt: number | undefined;
  /** Whether the last answer carried a Retry-After: then the wait may be the server's (capped). */
  let askedToWait = false;
  return {
    async attempt(call: () => Promise<HttpResponse>): Promise<HttpResponse> {
      const now = ctx.clock.now();
      attempts++;
      ctx.invariant('attempts-bounded', attempts <= limits.maxAttempts, () => `${requestId} made attempt ${attempts}; maxAttempts is ${limits.maxAttempts}`);
      if (lastEndedAt !== undefined) {
        const waited = now - lastEndedAt;
        const cap = askedToWait ? Math.max(limits.capDelayMs, limits.maxRetryAfterMs) : limits.capDelayMs;
        ctx.invariant(
          'wait-capped',
          waited <= cap + TIMER_SLACK_MS,
          () => `${requestId} waited ${Math.round(waited)} ms before attempt ${attempts}; the cap is ${cap} ms${askedToWait ? ' (Retry-After)' : ''}`,
        );
      }
      if (limits.deadlineMs !== undefined) {
        const elapsed = now - startedAt;
        ctx.invariant(
          'attempt-within-deadline',
          elapsed < limits.deadlineMs + TIMER_SLACK_MS,
          () => `${requestId} started attempt ${attempts} ${Math.round(elapsed)} ms in; its deadline is ${limits.deadlineMs} ms`,
        );
      }
      askedToWait = false;
      try {
        const response = await call();
        askedToWait = response.headers['retry-after'] !== undefined;
        return response;
      } finally {
        lastEndedAt = ctx.clock.now();
      }
    },
  };
};
