/**
 * One handler attempt with a deadline: the plumbing behind `handlerTimeoutMs`,
 * on the kit's one timeout helper (`withDeadline` in patterns/kit/deadline.ts).
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
import { withDeadline, type Clock } from '../kit/index.ts';
import { HandlerTimeoutError } from './errors.ts';

export interface AttemptOptions {
  clock: Clock;
  /** `Infinity` for no deadline. */
  timeoutMs: number;
  /** Aborts the attempt with the signal's reason: the delivery was cancelled. */
  signal: AbortSignal;
}

/** Runs `fn` once; resolves when it does, rejects with its error, a HandlerTimeoutError, or the signal's reason. */
export async function runAttempt(fn: (signal: AbortSignal) => unknown, options: AttemptOptions): Promise<void> {
  const { clock, timeoutMs, signal } = options;
  // A synchronous throw and a rejection are the same failure to the bus.
  await withDeadline(fn, { clock, timeoutMs, signal, timeoutError: (ms) => new HandlerTimeoutError(ms) });
}
