/**
 * The plumbing under the middleware: the request and response a middleware
 * sees, `compose` (which runs a list of middleware as one handler), a tiny
 * router, and the adapter that serves a handler as an HTTP service.
 *
 * Every web framework has these few lines (Koa's `koa-compose`, Express's
 * router); they are not the lesson, so this file is not editable. The lesson
 * is what each middleware does (middleware.ts, rate-limit.ts) and the order
 * they run in (app.ts).
 *
 * The model is Koa's "onion": a middleware gets `(req, res, next)`, does its
 * work on the way in, `await next()` runs everything after it, and then it
 * does its work on the way out, when the response is known. A middleware that
 * answers by itself (a 429) simply does not call `next()`.
 */
import type { HttpResponse, ServiceDefinition, ServiceRequest } from '../kit/index.ts';
import { HttpError, NextCalledTwiceError } from './errors.ts';

/** What a middleware sees of the request. Header names are lower case. */
export interface Request {
  /** Upper case: `GET`, `POST`. */
  readonly method: string;
  /** The path without its query string: `/products/3`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The request's id; set by the request-id middleware, '' until it has run. */
  id: string;
  /** The route that matched, e.g. `GET /products/:id`; set by the router. */
  route: string | undefined;
  /** The route's parameters, e.g. `{ id: '3' }`; set by the router. */
  params: Record<string, string>;
}

/**
 * The answer being built. Middleware and handlers set its fields; it is sent
 * once the whole pipeline has returned, so a middleware may still set headers
 * after `await next()`. Header names are lower case.
 */
export interface Response {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Runs the rest of the pipeline. Call it at most once, and await it. */
export type Next = () => Promise<void>;

export type Middleware = (req: Request, res: Response, next: Next) => Promise<void>;

/** A whole pipeline, composed. */
export type Handler = (req: Request, res: Response) => Promise<void>;

/**
 * Runs `stack` as one handler, first to last on the way in and last to first
 * on the way out. An error thrown anywhere rejects every `next()` above it, so
 * a middleware higher up can catch it.
 */
export const compose = (stack: readonly Middleware[]): Handler => {
  const middleware = [...stack];
  return (req, res) => {
    let called = -1;
    const dispatch = async (index: number): Promise<void> => {
      // A second next() from the same middleware would run the rest twice.
      if (index <= called) throw new NextCalledTwiceError(index - 1);
      called = index;
      const current = middleware[index];
      if (current) await current(req, res, () => dispatch(index + 1));
    };
    return dispatch(0);
  };
};

/** One route of the API. */
export interface Route {
  method: string;
  /** `/products/:id`: a `:name` segment matches any one segment and lands in `req.params`. */
  path: string;
  handle(req: Request, res: Response): Promise<void> | void;
}

const segmentsOf = (path: string): string[] => path.split('/').filter((s) => s !== '');

/** Matches `path` against a route's segments; the params when it matches. */
const match = (pattern: readonly string[], path: readonly string[]): Record<string, string> | undefined => {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of pattern.entries()) {
    const actual = path[i]!;
    if (segment.startsWith(':')) {
      try {
        params[segment.slice(1)] = decodeURIComponent(actual);
      } catch {
        throw new HttpError(400, `malformed path segment '${actual}'`);
      }
    } else if (segment !== actual) {
      return undefined;
    }
  }
  return params;
};

/**
 * The innermost middleware: hands the request to the first route that
 * matches. When none does it calls `next()`, and the response keeps its
 * default 404.
 */
export const router = (routes: readonly Route[]): Middleware => {
  const table = routes.map((route) => ({ route, method: route.method.toUpperCase(), segments: segmentsOf(route.path) }));
  return async (req, res, next) => {
    const path = segmentsOf(req.path);
    for (const { route, method, segments } of table) {
      if (method !== req.method) continue;
      const params = match(segments, path);
      if (!params) continue;
      req.route = `${method} ${route.path}`;
      req.params = params;
      res.status = 200;
      res.body = undefined;
      await route.handle(req, res);
      return;
    }
    await next();
  };
};

/** The request a pipeline sees for an incoming call. */
export const makeRequest = (incoming: ServiceRequest): Request => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) headers[name.toLowerCase()] = value;
  const query = incoming.path.indexOf('?');
  return {
    method: incoming.method.toUpperCase(),
    path: query === -1 ? incoming.path : incoming.path.slice(0, query),
    headers,
    body: incoming.body,
    id: '',
    route: undefined,
    params: {},
  };
};

/** What a response is before anything answered: nothing matched. */
export const makeResponse = (): Response => ({ status: 404, headers: {}, body: { error: 'Not Found' } });

/**
 * Serves `handler` as an HTTP service (what `ctx.server` runs). If an error
 * escapes the whole pipeline (no error-handling middleware caught it), the
 * answer is a bare 500, as any server would give.
 */
export const toServiceDefinition = (handler: Handler): ServiceDefinition => ({
  async handle(incoming): Promise<HttpResponse> {
    const req = makeRequest(incoming);
    const res = makeResponse();
    try {
      await handler(req, res);
    } catch {
      return { status: 500, headers: { ...res.headers }, body: { error: 'Internal Server Error' } };
    }
    return { status: res.status, headers: { ...res.headers }, body: res.body };
  },
});
