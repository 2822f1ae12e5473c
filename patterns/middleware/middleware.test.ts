import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SeededRandom, VirtualClock, type Random } from '../kit/index.ts';
import { FixedWindow } from './algorithms.ts';
import { createApp } from './app.ts';
import { HttpError } from './errors.ts';
import {
  errorHandler,
  isValidRequestId,
  newRequestId,
  requestId,
  requestLogger,
  responseTime,
  type Logger,
} from './middleware.ts';
import { compose, makeRequest, makeResponse, router, type Handler, type Middleware, type Request, type Route } from './pipeline.ts';
import { rateLimit, RateLimiter } from './rate-limit.ts';

interface LogLine {
  level: keyof Logger;
  msg: string;
  fields: Record<string, unknown>;
}

const makeLogger = () => {
  const lines: LogLine[] = [];
  const at = (level: keyof Logger) => (msg: string, fields: Record<string, unknown>) => lines.push({ level, msg, fields });
  const logger: Logger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
};

const get = (path: string, headers: Record<string, string> = {}): Request =>
  makeRequest({ method: 'GET', path, headers, body: undefined });

/** Runs `handler` once and returns the response. */
const serve = async (handler: Handler, req: Request) => {
  const res = makeResponse();
  await handler(req, res);
  return res;
};

/** A route that takes `ms` on the clock. */
const slowRoute = (clock: VirtualClock, ms: number): Route => ({
  method: 'GET',
  path: '/products',
  async handle(_req, res) {
    await clock.sleep(ms);
    res.body = [];
  },
});

/** Serves while moving the clock, so clock.sleep inside the pipeline resolves. */
const serveOnClock = async (clock: VirtualClock, handler: Handler, req: Request) => {
  const answer = serve(handler, req);
  await clock.runUntilIdle(10_000);
  return answer;
};

let clock: VirtualClock;
let random: Random;
beforeEach(() => {
  clock = new VirtualClock();
  random = new SeededRandom(1);
});

describe('requestId', () => {
  const ids = (req: Request) => serve(compose([requestId({ random }), async (r) => void r]), req).then((res) => ({ req, res }));

  it('reuses a valid incoming x-request-id and echoes it back', async () => {
    const { req, res } = await ids(get('/', { 'x-request-id': 'gw-3f9a:17' }));
    expect(req.id).toBe('gw-3f9a:17');
    expect(res.headers['x-request-id']).toBe('gw-3f9a:17');
  });

  it.each([
    ['missing', {}],
    ['empty', { 'x-request-id': '' }],
    ['a forged log line', { 'x-request-id': 'abc\nlevel=error msg=pwned' }],
    ['too long', { 'x-request-id': 'a'.repeat(65) }],
  ])('generates a new id when the incoming one is %s', async (_case, headers) => {
    const { req, res } = await ids(get('/', headers));
    expect(req.id).toMatch(/^[0-9a-f]{16}$/);
    expect(res.headers['x-request-id']).toBe(req.id);
  });

  it('draws ids from the injected Random: the same seed gives the same ids', () => {
    const first = [newRequestId(new SeededRandom(9)), newRequestId(new SeededRandom(9))];
    expect(first[0]).toBe(first[1]);
    const random = new SeededRandom(9);
    expect(newRequestId(random)).not.toBe(newRequestId(random));
    expect(isValidRequestId(first[0]!)).toBe(true);
  });

  it('reads and writes another header when told to', async () => {
    const handler = compose([requestId({ random, header: 'X-Correlation-Id' })]);
    const req = get('/', { 'x-correlation-id': 'c-1' });
    const res = await serve(handler, req);
    expect(res.headers).toEqual({ 'x-correlation-id': 'c-1' });
  });
});

describe('requestLogger', () => {
  it('logs one structured line per request, with its duration on the clock', async () => {
    const { logger, lines } = makeLogger();
    const handler = compose([requestId({ random }), requestLogger({ logger, clock }), router([slowRoute(clock, 40)])]);
    await serveOnClock(clock, handler, get('/products?page=2', { 'x-request-id': 'r-1' }));
    expect(lines).toEqual([
      {
        level: 'info',
        msg: 'request completed',
        fields: { requestId: 'r-1', method: 'GET', path: '/products', route: 'GET /products', status: 200, durationMs: 40 },
      },
    ]);
  });

  it('logs 4xx as warn and 5xx as error', async () => {
    const { logger, lines } = makeLogger();
    const answer =
      (status: number): Middleware =>
      async (_req, res) => {
        res.status = status;
      };
    await serve(compose([requestLogger({ logger, clock }), answer(404)]), get('/x'));
    await serve(compose([requestLogger({ logger, clock }), answer(503)]), get('/x'));
    expect(lines.map((l) => [l.level, l.fields.status])).toEqual([
      ['warn', 404],
      ['error', 503],
    ]);
  });

  it('still logs a request whose error nobody handled, as the 500 it becomes', async () => {
    const { logger, lines } = makeLogger();
    const thrower: Middleware = async () => {
      throw new Error('boom');
    };
    await expect(serve(compose([requestLogger({ logger, clock }), thrower]), get('/x'))).rejects.toThrow('boom');
    expect(lines).toEqual([
      { level: 'error', msg: 'request failed', fields: expect.objectContaining({ status: 500, error: 'boom' }) },
    ]);
  });
});

describe('responseTime', () => {
  it('sets server-timing from the injected clock', async () => {
    const handler = compose([responseTime({ clock }), router([slowRoute(clock, 12.5)])]);
    const res = await serveOnClock(clock, handler, get('/products'));
    expect(res.headers['server-timing']).toBe('app;dur=12.5');
  });
});

describe('errorHandler', () => {
  const failing = (error: unknown): Middleware => async () => {
    throw error;
  };

  it('answers an HttpError with its status and message', async () => {
    const { logger, lines } = makeLogger();
    const res = await serve(compose([errorHandler({ logger }), failing(new HttpError(404, 'no product 9'))]), get('/'));
    expect(res).toMatchObject({ status: 404, body: { error: 'no product 9' } });
    expect(lines).toEqual([]);
  });

  it('answers any other error with a 500 that hides the details, and logs them', async () => {
    const { logger, lines } = makeLogger();
    const handler = compose([requestId({ random }), errorHandler({ logger }), failing(new TypeError('x is undefined'))]);
    const res = await serve(handler, get('/', { 'x-request-id': 'r-7' }));
    expect(res).toMatchObject({ status: 500, body: { error: 'Internal Server Error', requestId: 'r-7' } });
    expect(lines).toEqual([
      { level: 'error', msg: 'unhandled error', fields: expect.objectContaining({ requestId: 'r-7', error: 'x is undefined' }) },
    ]);
  });
});

describe('createApp: the order of the middleware', () => {
  let limiter: RateLimiter;
  beforeEach(() => {
    limiter = new RateLimiter({ algorithm: new FixedWindow({ limit: 1, windowMs: 1_000 }), clock });
  });
  afterEach(() => limiter.dispose());

  const products: Route = {
    method: 'GET',
    path: '/products/:id',
    handle(req, res) {
      if (req.params.id === '0') throw new Error('division by zero');
      res.body = { id: req.params.id };
    },
  };

  it('still logs a rejected request, with its request id and status 429', async () => {
    const { logger, lines } = makeLogger();
    const app = createApp({ clock, random, logger, limiter, routes: [products] });
    const headers = { 'x-client-key': 'client-0' };
    await serve(app, get('/products/1', { ...headers, 'x-request-id': 'first' }));
    const refused = await serve(app, get('/products/1', { ...headers, 'x-request-id': 'second' }));
    expect(refused.status).toBe(429);
    expect(refused.headers).toMatchObject({ 'x-request-id': 'second', 'retry-after': '1', 'server-timing': 'app;dur=0' });
    expect(lines.map((l) => [l.level, l.fields.requestId, l.fields.status])).toEqual([
      ['info', 'first', 200],
      ['warn', 'second', 429],
    ]);
  });

  it('logs a handler that threw as the 500 the error handler answered', async () => {
    const { logger, lines } = makeLogger();
    const app = createApp({ clock, random, logger, limiter, routes: [products] });
    const res = await serve(app, get('/products/0', { 'x-client-key': 'client-0' }));
    expect(res.status).toBe(500);
    expect(lines.map((l) => `${l.level} ${l.msg} ${String(l.fields.status)}`)).toEqual([
      'error unhandled error undefined',
      'error request completed 500',
    ]);
  });

  it('loses the 429s when the limiter runs before the logger (the order of the widely copied Python version)', async () => {
    const { logger, lines } = makeLogger();
    const seedOrder = compose([rateLimit({ limiter }), requestId({ random }), requestLogger({ logger, clock }), router([products])]);
    await serve(seedOrder, get('/products/1'));
    const refused = await serve(seedOrder, get('/products/1'));
    expect(refused.status).toBe(429);
    expect(refused.headers['x-request-id']).toBeUndefined();
    expect(lines.map((l) => l.fields.status)).toEqual([200]);
  });
});
