/**
 * The errors a circuit breaker throws of its own, one class per kind, so the
 * caller can tell "the circuit refused the call" from "the call failed".
 */

/** The circuit refused the call without trying it: it is open (or half-open with its probes taken). */
export class BrokenCircuitError extends Error {
  override readonly name: string = 'BrokenCircuitError';

  constructor(message = 'The circuit is open: calls fail fast until it has recovered') {
    super(message);
  }
}

/** The circuit refused the call because someone isolated it by hand (`isolate()`). */
export class IsolatedCircuitError extends BrokenCircuitError {
  override readonly name: string = 'IsolatedCircuitError';

  constructor(message = 'The circuit is isolated: calls fail fast until the isolation is released') {
    super(message);
  }
}

/** The call took longer than `callTimeoutMs`; its signal was aborted and it counts as a failure. */
export class TimeoutError extends Error {
  override readonly name: string = 'TimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`The call did not finish within ${timeoutMs} ms`);
  }
}

/** True for both `BrokenCircuitError` and `IsolatedCircuitError`: the call was never made. */
export const isBrokenCircuitError = (error: unknown): error is BrokenCircuitError =>
  error instanceof BrokenCircuitError;

export const isIsolatedCircuitError = (error: unknown): error is IsolatedCircuitError =>
  error instanceof IsolatedCircuitError;

export const isTimeoutError = (error: unknown): error is TimeoutError => error instanceof TimeoutError;
