/**
 * One handler attempt with a deadline: the plumbing behind `handlerTimeoutMs`.
 *
 * The attempt gets its own AbortSignal. When the deadline passes, or the
 * delivery's signal aborts (the bus was disposed), that signal fires, so a
 * well-behaved handler stops its work (aborts its HTTP call), and the
 * attempt rejects at once even if the handler ignores its signal.
 *
 * A JavaScript promise cannot be killed: a handler that ignores its signal
 * goes on running after its attempt has failed, and may still finish its side
 * effect. Then the retry does it again. That is one reason handlers must be
 * idempotent (see the README).
 */
import type { Clock, Disposable } from '../kit/index.ts';
import { HandlerTimeoutError } from './errors.ts';

export interface AttemptOptions {
  clock: Clock;
  /** `Infinity` for no deadline. */
  timeoutMs: number;
  /** Aborts the attempt with the signal's reason: the delivery was cancelled. */
  signal: AbortSignal;
}

/** Runs `fn` once; resolves when it does, rejects with its error, a HandlerTimeoutError, or the signal's reason. */
export function runAttempt(fn: (signal: AbortSignal) => unknown, options: AttemptOptions): Promise<void> {
  const { clock, timeoutMs, signal: outer } = options;
  return new Promise<void>((resolve, reject) => {
    if (outer.aborted) {
      reject(outer.reason);
      return;
    }
    const controller = new AbortController();
    let timer: Disposable | undefined;
    let settled = false;
    const finish = (error?: unknown, failed = false) => {
      if (settled) return;
      settled = true;
      timer?.dispose();
      outer.removeEventListener('abort', onAbort);
      if (failed) {
        controller.abort(error);
        reject(error);
      } else {
        resolve();
      }
    };
    const onAbort = () => finish(outer.reason, true);
    outer.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== Infinity) timer = clock.setTimeout(() => finish(new HandlerTimeoutError(timeoutMs), true), timeoutMs);
    try {
      // A synchronous throw and a rejection are the same failure to the bus.
      Promise.resolve(fn(controller.signal)).then(
        () => finish(),
        (error: unknown) => finish(error, true),
      );
    } catch (error) {
      finish(error, true);
    }
  });
}
