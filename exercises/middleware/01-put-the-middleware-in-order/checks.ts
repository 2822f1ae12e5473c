import { defineChecks, type CheckContext } from '../../../patterns/kit/index.ts';
import { FixedWindow } from '../../../patterns/middleware/algorithms.ts';
import { createApp } from '../../../patterns/middleware/app.ts';
import { HttpError } from '../../../patterns/middleware/errors.ts';
import type { Logger } from '../../../patterns/middleware/middleware.ts';
import { makeRequest, makeResponse, type Handler, type Route } from '../../../patterns/middleware/pipeline.ts';
import { RateLimiter } from '../../../patterns/middleware/rate-limit.ts';

interface LogLine {
  level: keyof Logger;
  msg: string;
  fields: Record<string, unknown>;
}

const products: Route[] = [
  {
    method: 'GET',
    path: '/products/:id',
    handle(req, res) {
      if (req.params.id === '0') throw new TypeError("Cannot read properties of undefined (reading 'priceCents')");
      if (req.params.id === '9') throw new HttpError(404, 'no product 9');
      res.body = { id: req.params.id, name: 'Espresso cup' };
    },
  },
];

/** The products API behind createApp, allowing each client one request per second. */
const makeApp = ({ clock, random }: CheckContext) => {
  const lines: LogLine[] = [];
  const at = (level: keyof Logger) => (msg: string, fields: Record<string, unknown>) => void lines.push({ level, msg, fields });
  const logger: Logger = { info: at('info'), warn: at('warn'), error: at('error') };
  const limiter = new RateLimiter({ algorithm: new FixedWindow({ limit: 1, windowMs: 1_000 }), clock });
  const app = createApp({ clock, random, logger, limiter, routes: products });
  return { app, lines, limiter };
};

/** Serves one GET through the app; an error that escapes the whole app is caught and returned. */
const serve = async (app: Handler, path: string, headers: Record<string, string>) => {
  const req = makeRequest({ method: 'GET', path, headers, body: undefined });
  const res = makeResponse();
  let escaped: unknown;
  try {
    await app(req, res);
  } catch (error) {
    escaped = error;
  }
  return { res, escaped };
};

const show = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** One log line as a learner reads it: `warn "request completed" status 429, id second`. */
const summary = (l: LogLine) =>
  `${l.level} "${l.msg}"${l.fields.status === undefined ? '' : ` status ${String(l.fields.status)}`}, id ${String(l.fields.requestId)}`;

export default defineChecks([
  {
    task: 1,
    name: 'a refused request is logged: a warn line with status 429 and its request id',
    async run(context) {
      const { expect } = context;
      const { app, lines, limiter } = makeApp(context);
      const client = { 'x-client-key': 'client-0' };
      await serve(app, '/products/1', { ...client, 'x-request-id': 'first' });
      const refused = await serve(app, '/products/1', { ...client, 'x-request-id': 'second' });
      expect.equal(refused.res.status, 429, 'the status of the second request within the second (limit 1 per second)');
      expect.equal(
        lines.map(summary),
        ['info "request completed" status 200, id first', 'warn "request completed" status 429, id second'],
        'the log lines (level, message, status, request id) for an allowed request and a refused one',
      );
      limiter.dispose();
    },
  },
  {
    task: 1,
    name: 'every request gets exactly one log line, however many are refused',
    async run(context) {
      const { expect } = context;
      const { app, lines, limiter } = makeApp(context);
      for (let i = 1; i <= 5; i++) await serve(app, '/products/1', { 'x-client-key': 'client-0', 'x-request-id': `r-${i}` });
      expect.equal(
        lines.map((l) => `${String(l.fields.requestId)}: ${String(l.fields.status)}`),
        ['r-1: 200', 'r-2: 429', 'r-3: 429', 'r-4: 429', 'r-5: 429'],
        'the request id and status logged for 5 requests from one client within a second',
      );
      limiter.dispose();
    },
  },
  {
    task: 2,
    name: "a 429 carries the caller's request id and the server-timing header",
    async run(context) {
      const { expect } = context;
      const { app, limiter } = makeApp(context);
      const client = { 'x-client-key': 'client-0' };
      await serve(app, '/products/1', { ...client, 'x-request-id': 'gw-17:first' });
      const { res } = await serve(app, '/products/1', { ...client, 'x-request-id': 'gw-17:second' });
      expect.equal(res.status, 429, 'the status of the refused request');
      expect.equal(
        { 'x-request-id': res.headers['x-request-id'], 'server-timing': res.headers['server-timing'], 'retry-after': res.headers['retry-after'] },
        { 'x-request-id': 'gw-17:second', 'server-timing': 'app;dur=0', 'retry-after': '1' },
        'headers of the 429',
      );
      limiter.dispose();
    },
  },
  {
    task: 2,
    name: 'a 429 without an incoming id gets a new one, the same in its header and its log line',
    async run(context) {
      const { expect } = context;
      const { app, lines, limiter } = makeApp(context);
      await serve(app, '/products/1', { 'x-client-key': 'client-0' });
      const { res } = await serve(app, '/products/1', { 'x-client-key': 'client-0' });
      const id = res.headers['x-request-id'];
      expect.ok(
        typeof id === 'string' && /^[0-9a-f]{16}$/.test(id),
        `the 429's x-request-id header should be a new id (16 hex digits), got ${JSON.stringify(id)}`,
      );
      const logged = lines.find((l) => l.fields.status === 429);
      if (!logged) return expect.fail('no log line has status 429: the refused request was not logged (task 1)');
      expect.equal(logged.fields.requestId, id, "the request id in the 429's log line (the same as in its header)");
      limiter.dispose();
    },
  },
  {
    task: 3,
    name: 'a route that throws is answered with a 500 naming the request id, not thrown out of the app',
    async run(context) {
      const { expect } = context;
      const { app, limiter } = makeApp(context);
      const { res, escaped } = await serve(app, '/products/0', { 'x-client-key': 'client-0', 'x-request-id': 'r-7' });
      if (escaped !== undefined) {
        expect.fail(`the error escaped the whole app (${show(escaped)}): nothing turned it into an answer`);
      }
      expect.equal(
        { status: res.status, body: res.body, 'x-request-id': res.headers['x-request-id'] },
        { status: 500, body: { error: 'Internal Server Error', requestId: 'r-7' }, 'x-request-id': 'r-7' },
        'the answer to a route that threw a TypeError',
      );
      limiter.dispose();
    },
  },
  {
    task: 3,
    name: 'the logging middleware sees the 500 as an answer, and the error is logged with its id',
    async run(context) {
      const { expect } = context;
      const { app, lines, limiter } = makeApp(context);
      await serve(app, '/products/0', { 'x-client-key': 'client-0', 'x-request-id': 'r-7' });
      expect.equal(
        lines.map(summary),
        ['error "unhandled error", id r-7', 'error "request completed" status 500, id r-7'],
        "the log lines (level, message, status, request id) for a route that threw: the error handler's, then the request's own (\"request failed\" means the logger saw an exception, not an answer)",
      );
      expect.equal(
        lines[0]?.fields.error,
        "Cannot read properties of undefined (reading 'priceCents')",
        "the error logged by the error handler (the details go to the log, not to the client)",
      );
      limiter.dispose();
    },
  },
  {
    task: 3,
    name: 'an HttpError from a route keeps its status: 404 for a product that does not exist',
    async run(context) {
      const { expect } = context;
      const { app, lines, limiter } = makeApp(context);
      const { res, escaped } = await serve(app, '/products/9', { 'x-client-key': 'client-0', 'x-request-id': 'r-9' });
      if (escaped !== undefined) expect.fail(`the HttpError escaped the whole app (${show(escaped)}) instead of becoming a 404`);
      expect.equal({ status: res.status, body: res.body }, { status: 404, body: { error: 'no product 9', requestId: 'r-9' } }, 'the answer to GET /products/9');
      expect.equal(lines.map(summary), ['warn "request completed" status 404, id r-9'], 'the log lines for it');
      limiter.dispose();
    },
  },
]);
