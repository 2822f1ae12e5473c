/**
 * The application: the middleware in the order they run, then the routes.
 *
 * Order is the whole point of this file. A request goes down the list and
 * its response comes back up it, so each middleware sees only what runs
 * after it:
 *
 *   requestId      first: everything after it, and every log line, has the id
 *   requestLogger  wraps everything that can answer, so a 429 or a 500 is logged too
 *   responseTime   times the real work, including a refusal
 *   errorHandler   turns a throw into a 500 that the two above still see
 *   rateLimit      refuses before any work is done
 *   router         the API itself
 *
 * Try moving `rateLimit` above `requestLogger` and watch the 429s disappear
 * from the logs: that is the bug in the widely copied Python version.
 */
import type { Clock, Random } from '../kit/index.ts';
import { errorHandler, requestId, requestLogger, responseTime, type Logger } from './middleware.ts';
import { compose, router, type Handler, type Route } from './pipeline.ts';
import { rateLimit, type RateLimiter } from './rate-limit.ts';

export interface AppOptions {
  clock: Clock;
  random: Random;
  logger: Logger;
  limiter: RateLimiter;
  routes: readonly Route[];
}

export const createApp = (options: AppOptions): Handler => {
  const { clock, random, logger, limiter, routes } = options;
  return compose([
    requestId({ random }),
    requestLogger({ logger, clock }),
    responseTime({ clock }),
    errorHandler({ logger }),
    rateLimit({ limiter }),
    router(routes),
  ]);
};
