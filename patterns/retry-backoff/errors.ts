/**
 * The errors of the retry pattern, one class per kind, so a caller can tell
 * "the downstream answered with an error status" from "the retries ran out of
 * time".
 */
import type { HttpResponse } from '../kit/index.ts';

/**
 * A downstream answered, but not with a 2xx. HTTP clients (`fetch`, the kit's
 * HttpClient) resolve on any status: a 503 is an answer, not an exception. A
 * retry policy only sees what is thrown, so the call must turn a bad status
 * into this error (`ensureOk` does) for the policy to judge it.
 */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  /** The answer's headers, names in lower case (`retry-after`, `date`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    headers: Record<string, string> = {},
    readonly target = 'downstream',
  ) {
    super(`${target} answered ${status}`);
    this.headers = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  }
}

/** Returns `response` when its status is 2xx; throws HttpStatusError otherwise. */
export const ensureOk = (response: HttpResponse, target?: string): HttpResponse => {
  if (response.status >= 200 && response.status < 300) return response;
  throw new HttpStatusError(response.status, response.headers, target);
};

/**
 * The overall deadline passed during an attempt, or the next wait would have
 * ended after it, so no further attempt could start in time.
 */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';

  constructor(
    readonly deadlineMs: number,
    /** Attempts made, including one cut short by the deadline. */
    readonly attempts: number,
    /** The last attempt's own failure, if one failed before the deadline ended things. */
    readonly lastError?: unknown,
  ) {
    super(
      `gave up after ${attempts} attempt(s): the ${deadlineMs} ms deadline leaves no room for another` +
        (lastError instanceof Error ? ` (last error: ${lastError.message})` : ''),
      { cause: lastError },
    );
  }
}

export const isHttpStatusError = (error: unknown): error is HttpStatusError => error instanceof HttpStatusError;

export const isDeadlineExceededError = (error: unknown): error is DeadlineExceededError =>
  error instanceof DeadlineExceededError;
