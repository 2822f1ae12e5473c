/**
 * One call with a deadline: the plumbing behind `callTimeoutMs`, on the kit's
 * one timeout helper (`Deadline` in patterns/kit/deadline.ts).
 *
 * The call gets its own AbortSignal. When the deadline passes, when the
 * caller's signal aborts, or when someone calls `cancel`, that signal fires
 * (so a well-behaved call stops its work: closes the socket, drops the query)
 * and the promise rejects at once, even if the call ignores its signal.
 */
import { Deadline, invokeWithSignal, type Clock } from '../kit/index.ts';
import { TimeoutError } from './errors.ts';

export interface GuardedCall<T> {
  readonly promise: Promise<T>;
  /** Ends the call now: aborts its signal and rejects the promise with `reason`. */
  cancel(reason: unknown): void;
}

export interface GuardOptions {
  clock: Clock;
  /** `Infinity` for no deadline. */
  timeoutMs: number;
  /** The caller's own signal: when it aborts, so does the call, with its reason. */
  signal?: AbortSignal;
}

export function guardCall<T>(fn: (signal: AbortSignal) => Promise<T>, options: GuardOptions): GuardedCall<T> {
  const { clock, timeoutMs, signal } = options;
  const deadline = new Deadline({ clock, timeoutMs, signal, timeoutError: (ms) => new TimeoutError(ms) });
  const promise = deadline.run(fn, () => deadline.dispose());
  return { promise, cancel: (reason) => deadline.abort(reason) };
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
export const invoke: <T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal) => Promise<T> = invokeWithSignal;
