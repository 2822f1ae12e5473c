/**
 * The errors of the middleware pipeline, one class per kind.
 */

/**
 * An error that knows its HTTP answer. Route handlers throw it for answers
 * that are not bugs ("no product 7" is a 404); the error handler turns it into
 * that status with its message. Any other error is a bug and becomes a 500
 * whose message is not shown to the client.
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer from 400 to 599, got ${status}`);
    }
  }
}

/** A middleware called `next()` twice: the rest of the pipeline would run twice. */
export class NextCalledTwiceError extends Error {
  override readonly name: string = 'NextCalledTwiceError';

  constructor(readonly index: number) {
    super(`middleware #${index} called next() more than once`);
  }
}

export const isHttpError = (error: unknown): error is HttpError => error instanceof HttpError;
