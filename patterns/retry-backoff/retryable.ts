/**
 * What is worth retrying. A retry only helps when the next attempt can get a
 * different answer: the failure was about the moment (a service restarting,
 * overloaded, a dropped connection), not about the request itself.
 *
 * The default is an allow-list: only failures known to be transient are
 * retried. Anything else, including a validation error, a bug in our own code
 * (a TypeError), an open circuit breaker or a caller's abort, fails at once.
 * Retrying those costs time and load and can never succeed.
 */
import { isDownstreamError } from '../kit/index.ts';
import { HttpStatusError } from './errors.ts';
import { parseRetryAfter } from './retry-after.ts';

/**
 * Statuses that say "not now" rather than "not this":
 * - 408 Request Timeout, 429 Too Many Requests: the server asks us to come back.
 * - 502 Bad Gateway, 503 Service Unavailable, 504 Gateway Timeout: something
 *   between us and the service, or the service itself, is briefly unable.
 * - 500 Internal Server Error: a judgement call. It is often transient (a
 *   crashed worker, a deadlock, a failover) but can be a bug that fails every
 *   time; a bounded number of retries costs little, so it is in (as in the
 *   AWS and Google client libraries). Take it out for a service whose 500s
 *   you know to be deterministic.
 *
 * Every other 4xx (400, 401, 403, 404, 409, 422, …) is about the request:
 * sending it again gets the same answer. 501 and 505 are about what the
 * server supports, which does not change in a second either.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** The statuses whose `Retry-After` header we honour. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** The default answer to "should this failure be retried?". */
export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpStatusError) return RETRYABLE_STATUSES.has(error.status);
  // A connection reset or refused, or a per-attempt timeout: the request may
  // never have reached the service. ABORTED means our caller gave up: not retried.
  if (isDownstreamError(error)) return error.code !== 'ABORTED';
  // Timeouts from other layers (AbortSignal.timeout, a circuit breaker's call timeout).
  if (error instanceof Error && error.name === 'TimeoutError') return true;
  return false;
}

/**
 * How long the server asked us to wait, in ms, when `error` is a 429 or 503
 * with a `Retry-After` header; undefined otherwise. `now` is the clock's wall
 * time (`clock.wallNow()`, epoch ms), used for an HTTP date when the answer
 * carries no `Date` header.
 */
export function retryAfterMs(error: unknown, now: number): number | undefined {
  if (!(error instanceof HttpStatusError) || !RETRY_AFTER_STATUSES.has(error.status)) return undefined;
  return parseRetryAfter(error.headers['retry-after'], { now, date: error.headers['date'] });
}
