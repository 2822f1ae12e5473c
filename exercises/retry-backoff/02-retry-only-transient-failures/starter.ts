/**
 * What is worth retrying. A retry only helps when the next attempt can get a
 * different answer: the failure was about the moment (a service restarting,
 * overloaded, a dropped connection), not about the request itself.
 */
import { HttpStatusError } from './errors.ts';
import { parseRetryAfter } from './retry-after.ts';

/** The statuses whose `Retry-After` header we honour. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** The default answer to "should this failure be retried?". */
export function isRetryable(_error: unknown): boolean {
  // As the seed's `except Exception`: whatever failed might work on the next try.
  return true;
}

/**
 * How long the server asked us to wait, in ms, when `error` is a 429 or 503
 * with a `Retry-After` header; undefined otherwise. `now` is the clock's time,
 * used for an HTTP date when the answer carries no `Date` header.
 */
export function retryAfterMs(error: unknown, now: number): number | undefined {
  if (!(error instanceof HttpStatusError) || !RETRY_AFTER_STATUSES.has(error.status)) return undefined;
  return parseRetryAfter(error.headers['retry-after'], { now, date: error.headers['date'] });
}
