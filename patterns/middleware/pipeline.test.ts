import { describe, expect, it } from 'vitest';
import { HttpError, NextCalledTwiceError } from './errors.ts';
import { compose, makeRequest, makeResponse, router, toServiceDefinition, type Middleware, type Request } from './pipeline.ts';

const get = (path: string, headers: Record<string, string> = {}): Request =>
  makeRequest({ method: 'get', path, headers, body: undefined });

describe('compose', () => {
  it('runs middleware in order on the way in and in reverse on the way out (the onion)', async () => {
    const trace: string[] = [];
    const layer =
      (name: string): Middleware =>
      async (_req, _res, next) => {
        trace.push(`${name} in`);
        await next();
        trace.push(`${name} out`);
      };
    await compose([layer('a'), layer('b'), layer('c')])(get('/'), makeResponse());
    expect(trace).toEqual(['a in', 'b in', 'c in', 'c out', 'b out', 'a out']);
  });

  it('stops where a middleware answers without calling next', async () => {
    const trace: string[] = [];
    const refuse: Middleware = async (_req, res) => {
      res.status = 429;
    };
    const never: Middleware = async () => {
      trace.push('reached');
    };
    const res = makeResponse();
    await compose([refuse, never])(get('/'), res);
    expect(res.status).toBe(429);
    expect(trace).toEqual([]);
  });

  it('lets a middleware higher up catch what a later one threw', async () => {
    const seen: unknown[] = [];
    const catcher: Middleware = async (_req, _res, next) => {
      await next().catch((error: unknown) => seen.push(error));
    };
    const thrower: Middleware = async () => {
      throw new Error('boom');
    };
    await compose([catcher, thrower])(get('/'), makeResponse());
    expect(seen).toEqual([new Error('boom')]);
  });

  it('refuses a second next() from the same middleware', async () => {
    let runs = 0;
    const twice: Middleware = async (_req, _res, next) => {
      await next();
      await next();
    };
    const counted: Middleware = async () => {
      runs++;
    };
    await expect(compose([twice, counted])(get('/'), makeResponse())).rejects.toBeInstanceOf(NextCalledTwiceError);
    expect(runs).toBe(1);
  });
});

describe('router', () => {
  const api = router([
    { method: 'GET', path: '/products', handle: (_req, res) => void (res.body = 'list') },
    { method: 'GET', path: '/products/:id', handle: (req, res) => void (res.body = `product ${req.params.id}`) },
  ]);

  it('matches a route, fills params and names the route', async () => {
    const req = get('/products/3?fields=name');
    const res = makeResponse();
    await api(req, res, async () => undefined);
    expect(res).toMatchObject({ status: 200, body: 'product 3' });
    expect(req).toMatchObject({ method: 'GET', path: '/products/3', route: 'GET /products/:id', params: { id: '3' } });
  });

  it('leaves the 404 when nothing matches', async () => {
    const res = makeResponse();
    await api(get('/orders'), res, async () => undefined);
    expect(res.status).toBe(404);
    const post = makeRequest({ method: 'POST', path: '/products', headers: {}, body: {} });
    await api(post, res, async () => undefined);
    expect(res.status).toBe(404);
  });

  it('answers a malformed path segment with a 400 HttpError', async () => {
    await expect(api(get('/products/%E0%A4%A'), makeResponse(), async () => undefined)).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('toServiceDefinition', () => {
  it('serves a pipeline as an HTTP service, with lower-case request headers', async () => {
    const service = toServiceDefinition(async (req, res) => {
      res.status = 200;
      res.headers['x-seen'] = req.headers['x-client-key'] ?? '';
      res.body = { path: req.path };
    });
    const answer = await service.handle({ method: 'GET', path: '/a?b=c', headers: { 'X-Client-Key': 'k' }, body: undefined });
    expect(answer).toEqual({ status: 200, headers: { 'x-seen': 'k' }, body: { path: '/a' } });
  });

  it('answers a bare 500 when an error escapes the whole pipeline, keeping headers already set', async () => {
    const service = toServiceDefinition(async (_req, res) => {
      res.headers['x-request-id'] = 'r-1';
      throw new HttpError(418, 'uncaught');
    });
    const answer = await service.handle({ method: 'GET', path: '/', headers: {}, body: undefined });
    expect(answer).toEqual({ status: 500, headers: { 'x-request-id': 'r-1' }, body: { error: 'Internal Server Error' } });
  });
});
