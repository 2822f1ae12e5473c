/** The thin layer between the routes table and express: parsing, auth and errors. */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Guard } from './auth.ts';
import { errorResponse, HttpError } from './errors.ts';
import type { Route } from './routes.ts';

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
  router.use(express.json({ limit: '1mb' }));
  for (const route of routes) {
    router[route.method](route.path.replace(/^\/api/, ''), async (req: Request, res: Response) => {
      try {
        const result = await route.handler({
          params: req.params as Record<string, string>,
          query: req.query as Record<string, unknown>,
          body: req.body,
        });
        res.status(result.status ?? 200).json(result.body);
      } catch (error) {
        const { status, body } = errorResponse(error);
        if (status >= 500) log.error({ err: error, path: req.path }, 'request failed');
        res.status(status).json(body);
      }
    });
  }
  router.use((req: Request, res: Response) => {
    res.status(404).json({ error: { status: 404, message: `no API route ${req.method} ${req.originalUrl}` } });
  });
  // Malformed JSON, oversized bodies and unsupported charsets or encodings arrive here from
  // express.json() (errors with a `type`); a malformed %-escape in the path from the router.
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, type } = error as { status?: number; type?: string };
    const message = (error as Error).message;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    const known =
      type === 'entity.parse.failed'
        ? new HttpError(400, `body: not valid JSON (${message})`)
        : status === 413
          ? new HttpError(413, 'body: larger than 1 MB')
          : error instanceof URIError && clientError
            ? new HttpError(400, `path: ${message}`)
            : clientError
              ? new HttpError(status, `body: ${message}`)
              : error;
    const response = errorResponse(known);
    if (response.status >= 500) log.error({ err: error, path: req.path }, 'request failed');
    res.status(response.status).json(response.body);
  });
  return router;
};
