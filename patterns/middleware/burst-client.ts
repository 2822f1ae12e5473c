/**
 * A scripted client that games fixed windows, for the lab's `boundaryBurst`
 * switch. Every third window it sends `limit` requests a tenth of a window
 * before a boundary of the clock's windows and `limit` more 1 ms after it,
 * then logs how many got through. Under a fixed window all of them do (twice
 * the limit in about a tenth of a window); under the sliding window and the
 * token bucket about `limit` do.
 *
 * Its requests go to the lab's server like any client's (with the key
 * `burst-client`), so they show up in the rate-limit view and the logs, but
 * not in the request log: that one records the load generator's requests.
 */
import type { Clock, Disposable, HttpClient, LabLogger } from '../kit/index.ts';

export const BURST_CLIENT_KEY = 'burst-client';

export interface BoundaryBurstOptions {
  clock: Clock;
  /** The lab's own server. */
  api: HttpClient;
  /** The limit and window the rate limiter was given. */
  limit: number;
  windowMs: number;
  algorithm: string;
  log: LabLogger;
}

/** Starts bursting; dispose to stop (requests in flight finish, unreported). */
export const startBoundaryBurst = (options: BoundaryBurstOptions): Disposable => {
  const { clock, api, limit, windowMs, algorithm, log } = options;
  // Long enough before the boundary that requests sent then arrive before it, even over real sockets.
  const leadMs = windowMs / 10;
  let timer: Disposable | undefined;
  let disposed = false;
  let seq = 0;

  const at = (time: number, fn: () => void) => {
    timer = clock.setTimeout(() => {
      timer = undefined;
      fn();
    }, Math.max(0, time - clock.now()));
  };

  /** Sends `count` requests at once; resolves to how many were allowed. */
  const send = async (count: number): Promise<number> => {
    const statuses = await Promise.all(
      Array.from({ length: count }, () =>
        api
          .request({
            method: 'GET',
            path: '/products',
            headers: { 'x-client-key': BURST_CLIENT_KEY, 'x-request-id': `burst-${++seq}` },
          })
          .then(
            (response) => response.status,
            () => 0,
          ),
      ),
    );
    return statuses.filter((status) => status !== 429).length;
  };

  const cycle = () => {
    // Two windows of rest first: every algorithm has given the client its whole limit back.
    const boundary = (Math.floor(clock.now() / windowMs) + 3) * windowMs;
    at(boundary - leadMs, () => {
      const before = send(limit);
      at(boundary + 1, () => {
        const after = send(limit);
        void Promise.all([before, after]).then(([allowedBefore, allowedAfter]) => {
          if (disposed) return;
          const allowed = allowedBefore + allowedAfter;
          const fields = { algorithm, allowedBefore, allowedAfter, sent: 2 * limit, limit, windowMs, spanMs: leadMs + 1 };
          const msg = `boundary burst: ${allowed} of ${2 * limit} allowed within ${leadMs + 1} ms (limit ${limit} per ${windowMs} ms)`;
          // A full window's limit, plus what the sustained rate adds over the span, is fair; more is the burst.
          if (allowed > limit + Math.ceil((limit * (leadMs + 1)) / windowMs)) log.warn(msg, fields);
          else log.info(msg, fields);
        });
        cycle();
      });
    });
  };
  cycle();

  return {
    dispose() {
      disposed = true;
      timer?.dispose();
      timer = undefined;
    },
  };
};
