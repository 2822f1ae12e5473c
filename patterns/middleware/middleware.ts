/**
 * The cross-cutting middleware every endpoint gets: a request id, a log line
 * per request, a timing header and an error handler. Each is a function that
 * takes its collaborators (clock, random, logger) and returns a middleware;
 * app.ts puts them in order.
 */
import type { Clock, Random } from '../kit/index.ts';
import { isHttpError } from './errors.ts';
import type { Middleware, Request } from './pipeline.ts';

/** Where log lines go: a message that stays the same, and the facts as fields. */
export interface Logger {
  info(msg: string, fields: Record<string, unknown>): void;
  warn(msg: string, fields: Record<string, unknown>): void;
  error(msg: string, fields: Record<string, unknown>): void;
}

export interface RequestIdOptions {
  /** Draws new ids. Seeded in the lab and in tests, so ids repeat run after run. */
  random: Random;
  /** The header read and written. Default `x-request-id`, the de-facto standard. */
  header?: string;
}

/**
 * An id a caller may hand us: 1 to 64 letters, digits, `-`, `_`, `.` or `:`.
 * That covers UUIDs and the ids proxies and gateways make, and keeps out what
 * would forge a log line or bloat every log (newlines, quotes, a megabyte).
 */
export const isValidRequestId = (id: string): boolean => /^[A-Za-z0-9._:-]{1,64}$/.test(id);

/** 16 hex digits (64 bits): unique enough to find one request in the logs, not a secret. */
export const newRequestId = (random: Random): string => {
  const word = () =>
    Math.floor(random.next() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return word() + word();
};

/**
 * Gives every request an id: the caller's `x-request-id` when it sent a valid
 * one (so one id follows a request through the gateway, this service and the
 * services it calls), a new one otherwise. The id goes back in the response
 * header, so a user can quote it in a bug report. Runs first, so everything
 * after it, including a 429, can use `req.id`.
 */
export const requestId = (options: RequestIdOptions): Middleware => {
  const { random, header = 'x-request-id' } = options;
  const name = header.toLowerCase();
  return async (req, res, next) => {
    const incoming = req.headers[name];
    req.id = incoming !== undefined && isValidRequestId(incoming) ? incoming : newRequestId(random);
    res.headers[name] = req.id;
    await next();
  };
};

export interface RequestLoggerOptions {
  logger: Logger;
  /** Measures the duration: monotonic, unlike the wall clock. */
  clock: Clock;
}

/** 5xx is our fault (error), 4xx the client's (warn), the rest is business as usual. */
const levelFor = (status: number): keyof Logger => (status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info');

const round = (ms: number): number => Math.round(ms * 100) / 100;

const requestFields = (req: Request) => ({
  requestId: req.id,
  method: req.method,
  path: req.path,
  ...(req.route !== undefined && { route: req.route }),
});

/**
 * One structured line per request, written on the way out when the status is
 * known: request id, method, path, route, status and duration as fields, so
 * the logs can be filtered and counted ("every 429 of client-3"). It must wrap
 * everything that can answer, or the answers given without it (a 429, a 500)
 * never show up in the log.
 */
export const requestLogger = (options: RequestLoggerOptions): Middleware => {
  const { logger, clock } = options;
  return async (req, res, next) => {
    const start = clock.now();
    try {
      await next();
    } catch (error) {
      // Nothing inside turned the error into an answer: the server will send a 500.
      const fields = { ...requestFields(req), status: 500, durationMs: round(clock.now() - start) };
      logger.error('request failed', { ...fields, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    const fields = { ...requestFields(req), status: res.status, durationMs: round(clock.now() - start) };
    logger[levelFor(res.status)]('request completed', fields);
  };
};

export interface ResponseTimeOptions {
  clock: Clock;
  /** The metric's name in `server-timing`. Default `app`. */
  metric?: string;
}

/**
 * Says how long the server spent on the request in a `server-timing` header
 * (`app;dur=3.25`), which browser dev tools show beside the network timings.
 * It times what runs after it. Setting the header after `await next()` works
 * because the response is sent when the whole pipeline has returned; in
 * Express, where a handler sends it, the header has to be set just before the
 * headers go out (the `on-headers` hook that `response-time` uses).
 */
export const responseTime = (options: ResponseTimeOptions): Middleware => {
  const { clock, metric = 'app' } = options;
  return async (_req, res, next) => {
    const start = clock.now();
    try {
      await next();
    } finally {
      res.headers['server-timing'] = `${metric};dur=${round(clock.now() - start)}`;
    }
  };
};

export interface ErrorHandlerOptions {
  logger: Logger;
}

/**
 * Turns an error thrown further in into an answer: an HttpError into its
 * status and message, anything else into a 500 that shows the client only the
 * request id (the details are for the log, not for whoever sent the request).
 */
export const errorHandler = (options: ErrorHandlerOptions): Middleware => {
  const { logger } = options;
  return async (req, res, next) => {
    try {
      await next();
    } catch (error) {
      if (isHttpError(error)) {
        res.status = error.status;
        res.body = { error: error.message, requestId: req.id };
        return;
      }
      logger.error('unhandled error', {
        ...requestFields(req),
        error: error instanceof Error ? error.message : String(error),
      });
      res.status = 500;
      res.body = { error: 'Internal Server Error', requestId: req.id };
    }
  };
};
