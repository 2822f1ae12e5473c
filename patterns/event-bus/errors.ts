/**
 * The errors an event bus throws of its own, one class per kind, so a caller
 * can tell "the bus refused" from "a handler failed".
 */

/** The bus was disposed: it takes no more events or subscriptions, and in-flight deliveries were abandoned. */
export class BusDisposedError extends Error {
  override readonly name = 'BusDisposedError';

  constructor(message = 'The event bus was disposed') {
    super(message);
  }
}

/** One handler attempt took longer than `handlerTimeoutMs`: its signal was aborted and the attempt failed. */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`The handler did not finish within ${timeoutMs} ms`);
  }
}

/** `replay(id)` named a dead letter that is not in the store (already replayed, or never there). */
export class DeadLetterNotFoundError extends Error {
  override readonly name = 'DeadLetterNotFoundError';

  constructor(readonly deadLetterId: string) {
    super(`No dead letter '${deadLetterId}'`);
  }
}

/** A dead letter cannot be replayed because no handler of its name is subscribed to its event now. */
export class NoSuchHandlerError extends Error {
  override readonly name = 'NoSuchHandlerError';

  constructor(
    readonly eventName: string,
    readonly handler: string,
  ) {
    super(`No handler '${handler}' is subscribed to '${eventName}'`);
  }
}

export const isBusDisposedError = (error: unknown): error is BusDisposedError => error instanceof BusDisposedError;

export const isHandlerTimeoutError = (error: unknown): error is HandlerTimeoutError =>
  error instanceof HandlerTimeoutError;
