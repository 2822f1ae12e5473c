/** The thin layer between the routes table and express: parsing, auth and errors. */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Guard } from './auth.ts';
import { errorResponse, HttpError } from './errors.ts';
import type { Route } from './routes.ts';

/** The JSON body a route accepts unless it says otherwise. */
const DEFAULT_BODY_LIMIT_BYTES = 1 << 20;

const size = (bytes: number): string =>
  bytes >= 1 << 20 ? `${Math.round((bytes / (1 << 20)) * 10) / 10} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;

/**
 * What a thrown error means for the client. Errors from express and its body parser carry a
 * client status (malformed JSON, oversized bodies, unsupported charsets or encodings; a
 * malformed %-escape in a path is a URIError with status 400); anything else is ours: a 500.
 */
const toHttpError = (error: unknown, bodyLimit: number, subject: 'body' | 'request'): unknown => {
  if (error instanceof HttpError) return error;
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  const message = error instanceof Error ? error.message : String(error);
  if (type === 'entity.parse.failed') return new HttpError(400, `body: not valid JSON (${message})`);
  if (status === 413) return new HttpError(413, `body: larger than ${size(bodyLimit)}`);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, error instanceof URIError ? `path: ${message}` : `${subject}: ${message}`);
  }
  return error;
};

/**
 * Answers `error` as JSON. A server-side failure gets an id that is both in the answer and in
 * the log line, so a learner can point at the one that bit them; nothing internal is leaked.
 */
const answerError = (
  log: Logger,
  error: unknown,
  req: Request,
  res: Response,
  options: { bodyLimit?: number; subject?: 'body' | 'request' } = {},
): void => {
  const { status, body } = errorResponse(toHttpError(error, options.bodyLimit ?? DEFAULT_BODY_LIMIT_BYTES, options.subject ?? 'request'));
  if (status === 500) {
    const errorId = randomUUID().slice(0, 8);
    log.error({ err: error, errorId, method: req.method, path: req.path }, 'request failed');
    body.error.message = `internal error (id ${errorId}); see the workbench log`;
    body.error.errorId = errorId;
  } else if (status > 500) {
    // Known and passing (the database busy with another program's lock): its own message says it.
    log.warn({ method: req.method, path: req.path, status }, body.error.message);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json(body);
};

export const apiRouter = (routes: Route[], guard: Guard, log: Logger): express.Router => {
  const router = express.Router();
  router.use((req, res, next) => {
    const verdict = guard.checkApi(req);
    if (!verdict.ok) {
      res.status(verdict.status).json({ error: { status: verdict.status, message: verdict.message } });
      return;
    }
    next();
  });
  for (const route of routes) {
    const bodyLimit = route.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
    const parseBody = express.json({ limit: bodyLimit });
    router[route.method](
      route.path.replace(/^\/api/, ''),
      (req: Request, res: Response, next: NextFunction) => parseBody(req, res, (error?: unknown) => (error ? answerError(log, error, req, res, { bodyLimit, subject: 'body' }) : next())),
      async (req: Request, res: Response) => {
        try {
          const result = await route.handler({
            params: req.params as Record<string, string>,
            query: req.query as Record<string, unknown>,
            body: req.body,
          });
          res.status(result.status ?? 200).json(result.body);
        } catch (error) {
          answerError(log, error, req, res, { bodyLimit });
        }
      },
    );
  }
  router.use((req: Request, res: Response) => {
    res.status(404).json({ error: { status: 404, message: `no API route ${req.method} ${req.originalUrl.slice(0, 300)}` } });
  });
  // A malformed %-escape in a route's path arrives here from the router.
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => answerError(log, error, req, res));
  return router;
};

/** The app's last handler: any error a page or static file request throws becomes an answer. */
export const finalErrorHandler =
  (log: Logger) =>
  (error: unknown, req: Request, res: Response, _next: NextFunction): void =>
    answerError(log, error, req, res);
