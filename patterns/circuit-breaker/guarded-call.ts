/**
 * One call with a deadline: the plumbing behind `callTimeoutMs`.
 *
 * The call gets its own AbortSignal. When the deadline passes, when the
 * caller's signal aborts, or when someone calls `cancel`, that signal fires
 * (so a well-behaved call stops its work: closes the socket, drops the query)
 * and the promise rejects at once, even if the call ignores its signal.
 */
import type { Clock, Disposable } from '../kit/index.ts';
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
  const { clock, timeoutMs, signal: outer } = options;
  const controller = new AbortController();
  let timer: Disposable | undefined;
  let rejectEarly!: (reason: unknown) => void;
  const endedEarly = new Promise<never>((_, reject) => {
    rejectEarly = reject;
  });
  const cancel = (reason: unknown) => {
    timer?.dispose();
    controller.abort(reason);
    rejectEarly(reason);
  };
  if (timeoutMs !== Infinity) timer = clock.setTimeout(() => cancel(new TimeoutError(timeoutMs)), timeoutMs);
  const onAbort = () => cancel(outer!.reason);
  outer?.addEventListener('abort', onAbort, { once: true });

  const promise = Promise.race([invoke(fn, controller.signal), endedEarly]).finally(() => {
    timer?.dispose();
    outer?.removeEventListener('abort', onAbort);
  });
  return { promise, cancel };
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
export const invoke = <T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> => {
  try {
    return Promise.resolve(fn(signal));
  } catch (error) {
    return Promise.reject(error);
  }
};
