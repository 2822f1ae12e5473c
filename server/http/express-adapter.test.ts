/**
 * The adapter's promise: whatever a handler throws becomes an answer. A client
 * error keeps its status and message; anything else is a 500 whose id is both
 * in the answer and in the log line, with nothing internal leaked.
 */
import express from 'express';
import pino from 'pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createGuard } from './auth.ts';
import { HttpError } from './errors.ts';
import { apiRouter, finalErrorHandler } from './express-adapter.ts';
import type { Route } from './routes.ts';

const TOKEN = 'adapter-test-token';

const appWith = (routes: Route[]) => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const guard = createGuard({ token: TOKEN, port: () => 80 });
  const app = express();
  app.use('/api', apiRouter(routes, guard, log));
  app.get('/page', () => {
    throw new Error('a page broke');
  });
  app.use(finalErrorHandler(log));
  return { app, lines };
};

const call = (app: express.Express, method: 'get' | 'post', path: string) =>
  request(app)[method](path).set('host', '127.0.0.1').set('authorization', `Bearer ${TOKEN}`);

describe('the express adapter', () => {
  it('an unexpected throw → 500 with an id that the log line carries too; no internals in the answer', async () => {
    const { app, lines } = appWith([
      { method: 'get', path: '/api/boom', handler: () => { throw new TypeError('secret internals at /root/x'); } },
    ]);
    const res = await call(app, 'get', '/api/boom');
    expect(res.status).toBe(500);
    const { errorId, message } = res.body.error as { errorId: string; message: string };
    expect(errorId).toMatch(/^[0-9a-f]{8}$/);
    expect(message).toBe(`internal error (id ${errorId}); see the workbench log`);
    expect(JSON.stringify(res.body)).not.toMatch(/secret/);
    const logged = lines.find((line) => line.errorId === errorId);
    expect(logged).toMatchObject({ level: 50, msg: 'request failed', method: 'GET', path: '/boom' });
    expect(JSON.stringify(logged)).toMatch(/secret internals/);
  });

  it('an async rejection is answered the same way', async () => {
    const { app } = appWith([{ method: 'get', path: '/api/later', handler: async () => Promise.reject(new Error('later')) }]);
    const res = await call(app, 'get', '/api/later');
    expect(res.status).toBe(500);
    expect(res.body.error.errorId).toBeTruthy();
  });

  it('an HttpError keeps its status and message', async () => {
    const { app, lines } = appWith([{ method: 'get', path: '/api/teapot', handler: () => { throw new HttpError(409, 'taken'); } }]);
    const res = await call(app, 'get', '/api/teapot');
    expect(res.body).toEqual({ error: { status: 409, message: 'taken' } });
    expect(lines).toHaveLength(0);
  });

  it("a route's own body limit is enforced and named", async () => {
    const { app } = appWith([{ method: 'post', path: '/api/small', bodyLimitBytes: 100, handler: () => ({ body: 'ok' }) }]);
    const res = await call(app, 'post', '/api/small').send({ text: 'x'.repeat(200) });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe('body: larger than 100 bytes');
  });

  it('a page route that throws → 500 with an id, through the final handler', async () => {
    const { app } = appWith([]);
    const res = await request(app).get('/page').set('host', '127.0.0.1');
    expect(res.status).toBe(500);
    expect(res.body.error.errorId).toBeTruthy();
  });
});
