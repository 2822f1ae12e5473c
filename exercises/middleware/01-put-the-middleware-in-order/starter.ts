/**
 * The application: the middleware, then the routes.
 *
 * The rate limiter comes first, so that a client over its limit costs us
 * nothing at all. The error handler comes last, after the routes, as error
 * handlers do in Express.
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
    rateLimit({ limiter }),
    requestId({ random }),
    requestLogger({ logger, clock }),
    responseTime({ clock }),
    router(routes),
    errorHandler({ logger }),
  ]);
};
