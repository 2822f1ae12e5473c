/**
 * How long a failed job waits before its next attempt: exponential backoff,
 * capped, with jitter.
 *
 * The widely copied Python version retries with `countdown=2 ** retries`:
 * every job that failed at the same moment (the mail server went down for all
 * of them) comes back at the same moment, 1 s, 2 s, 4 s later, in lock-step,
 * and hits the service that is trying to recover with the whole backlog at
 * once; and with no cap, the 12th retry waits over an hour.
 *
 * Here the delay doubles per attempt up to `maxMs`, and only half of it is
 * fixed: the other half is drawn at random ("equal jitter", in Marc Brooker's
 * "Exponential Backoff And Jitter"). A job always waits at least half its
 * delay, so a failing handler is not hammered, and jobs that failed together
 * spread over the other half.
 */
import type { Random } from '../kit/index.ts';

export interface BackoffPolicy {
  /** The wait after the first failed attempt, before jitter, ms. */
  baseMs: number;
  /** No wait is longer than this, ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };

/**
 * The wait before the attempt after `failedAttempt` (1 for the first attempt),
 * between d/2 and d, where d = min(maxMs, baseMs · 2^(failedAttempt − 1)).
 */
export function retryDelay(failedAttempt: number, policy: BackoffPolicy, random: Random): number {
  if (!Number.isInteger(failedAttempt) || failedAttempt < 1) {
    throw new RangeError(`failedAttempt counts from 1, got ${failedAttempt}`);
  }
  if (!(policy.baseMs >= 0) || !(policy.maxMs >= policy.baseMs)) {
    throw new RangeError(`the backoff needs 0 <= baseMs <= maxMs, got ${policy.baseMs} and ${policy.maxMs}`);
  }
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (failedAttempt - 1));
  return Math.round(ceiling / 2 + random.next() * (ceiling / 2));
}
