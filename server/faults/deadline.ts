/**
 * A call's deadline: its `timeoutMs` and its `signal`, applied the same way by
 * the simulated service and the real HTTP client.
 */
import type { Clock } from '../../patterns/kit/clock.ts';
import type { Disposable } from '../../patterns/kit/events.ts';
import { DownstreamError, type DownstreamErrorCode } from '../../patterns/kit/http.ts';

/** The parts of a request that bound how long it may take. */
export interface CallLimits {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `work` until it settles, the timeout passes on `clock` (rejects with
 * `ETIMEDOUT`) or the caller's signal aborts (rejects with `ABORTED`). `work`
 * gets a signal of its own that aborts when the call is given up, so it can
 * cancel its timers and sockets instead of leaking them.
 */
export const withDeadline = <T>(
  clock: Clock,
  target: string,
  limits: CallLimits,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const { signal, timeoutMs } = limits;
    if (signal?.aborted) {
      reject(new DownstreamError('ABORTED', target));
      return;
    }
    const inner = new AbortController();
    let timer: Disposable | undefined;
    const cleanUp = () => {
      timer?.dispose();
      signal?.removeEventListener('abort', onAbort);
    };
    const giveUp = (code: DownstreamErrorCode) => {
      cleanUp();
      reject(new DownstreamError(code, target));
      inner.abort(new DownstreamError(code, target));
    };
    const onAbort = () => giveUp('ABORTED');
    if (timeoutMs !== undefined) timer = clock.setTimeout(() => giveUp('ETIMEDOUT'), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Once given up, `work` settling later changes nothing: a promise settles once.
    work(inner.signal).then(
      (value) => {
        cleanUp();
        resolve(value);
      },
      (error: unknown) => {
        cleanUp();
        reject(error);
      },
    );
  });

/** Waits until `signal` aborts, then rejects with its reason: a call that never gets an answer. */
export const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
