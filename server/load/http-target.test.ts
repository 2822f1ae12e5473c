import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock, VirtualClock } from '../../patterns/kit/clock.ts';
import type { Disposable } from '../../patterns/kit/events.ts';
import { LoadGenerator } from './generator.ts';
import { connectionsFor, createHttpTarget, errorCodeOf, OPEN_MODEL_CONNECTIONS, type HttpTarget, type HttpTargetOptions } from './http-target.ts';
import type { LoadProgress, LoadRequest } from './types.ts';

/** What the test server saw: every request, and every connection (with how many were open at once). */
interface Seen {
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  connections: number;
  open: number;
  maxOpen: number;
  /** Requests being handled now, and the most at once. */
  active: number;
  maxActive: number;
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

const servers: http.Server[] = [];
const targets: HttpTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((target) => target.close()));
  for (const server of servers.splice(0)) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback server whose answer the test sets with `handle`. */
const startServer = async (initial: Handler = (_req, res) => res.end('ok')) => {
  const seen: Seen = { requests: [], connections: 0, open: 0, maxOpen: 0, active: 0, maxActive: 0 };
  let handler = initial;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.requests.push({ method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString() });
      seen.active += 1;
      seen.maxActive = Math.max(seen.maxActive, seen.active);
      response.once('close', () => (seen.active -= 1));
      handler(request, response);
    });
  });
  server.on('connection', (socket: Socket) => {
    seen.connections += 1;
    seen.open += 1;
    seen.maxOpen = Math.max(seen.maxOpen, seen.open);
    socket.once('close', () => (seen.open -= 1));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, handle: (next: Handler) => void (handler = next) };
};

const makeTarget = (options: HttpTargetOptions): HttpTarget => {
  const target = createHttpTarget(options);
  targets.push(target);
  return target;
};

const request = (n = 0, clientKey = 'client-0'): LoadRequest => ({ id: `load-${n}`, clientKey, index: n, intendedAt: 0 });

const status = (code: number): Handler => (_req, res) => {
  res.statusCode = code;
  res.end();
};

/** The real clock, counting timers set on it that have neither fired nor been cancelled. */
class CountingClock extends RealClock {
  live = 0;

  override setTimeout(callback: () => void, ms: number): Disposable {
    this.live += 1;
    let done = false;
    const finish = () => {
      if (!done) this.live -= 1;
      done = true;
    };
    const timer = super.setTimeout(() => {
      finish();
      callback();
    }, ms);
    return {
      dispose: () => {
        finish();
        timer.dispose();
      },
    };
  }
}

describe('createHttpTarget: answers', () => {
  it('makes a status below 400 ok, 429 rejected and any other an error, with the status', async () => {
    const server = await startServer();
    const target = makeTarget({ url: server.url, connections: 2 });
    const results = [];
    for (const code of [200, 204, 302, 429, 404, 500, 503]) {
      server.handle(status(code));
      results.push(await target.target(request()));
    }
    expect(results).toEqual([
      { outcome: 'ok', status: 200 },
      { outcome: 'ok', status: 204 },
      { outcome: 'ok', status: 302 },
      { outcome: 'rejected', status: 429 },
      { outcome: 'error', status: 404 },
      { outcome: 'error', status: 500 },
      { outcome: 'error', status: 503 },
    ]);
  });

  it('sends the method, path, headers and JSON body, with the client key and request id of each request', async () => {
    const server = await startServer();
    const target = makeTarget({
      url: `${server.url}/checkout?express=1`,
      method: 'post',
      headers: { 'X-Tenant': 'acme', 'x-client-key': 'overridden' },
      body: { items: [1, 2] },
      connections: 1,
    });
    await target.target(request(7, 'client-3'));
    expect(server.seen.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/checkout?express=1',
        headers: expect.objectContaining({
          'x-tenant': 'acme',
          'x-client-key': 'client-3',
          'x-request-id': 'load-7',
          'content-type': 'application/json',
        }),
        body: '{"items":[1,2]}',
      }),
    ]);
  });

  it('sends no client key or request id header when told not to', async () => {
    const server = await startServer();
    const target = makeTarget({ url: server.url, connections: 1, clientKeyHeader: false, requestIdHeader: false });
    await target.target(request());
    expect(server.seen.requests[0]!.headers).not.toHaveProperty('x-client-key');
    expect(server.seen.requests[0]!.headers).not.toHaveProperty('x-request-id');
  });

  it('reads a large answer to its end', async () => {
    const server = await startServer((_req, res) => res.end('x'.repeat(1_000_000)));
    const target = makeTarget({ url: server.url, connections: 1 });
    expect(await target.target(request())).toEqual({ outcome: 'ok', status: 200 });
  });
});

describe('createHttpTarget: connections', () => {
  it('keeps its connection alive across requests', async () => {
    const server = await startServer();
    const target = makeTarget({ url: server.url, connections: 1 });
    for (let n = 0; n < 20; n++) expect((await target.target(request(n))).outcome).toBe('ok');
    expect(server.seen.connections).toBe(1);
    expect(target.connected).toBe(1);
  });

  it('never opens more than `connections`; requests beyond them wait their turn', async () => {
    const server = await startServer((_req, res) => setTimeout(() => res.end('ok'), 20));
    const target = makeTarget({ url: server.url, connections: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, n) => target.target(request(n))));
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    expect(server.seen.connections).toBe(3);
    expect(server.seen.maxActive).toBe(3);
  });

  it('connectionsFor: one per closed-model client, a ceiling for the open model', () => {
    expect(connectionsFor({ model: 'closed', concurrency: 48 })).toBe(48);
    expect(connectionsFor({ model: 'open', rate: 5000 })).toBe(OPEN_MODEL_CONNECTIONS);
    expect(connectionsFor({ model: 'none' })).toBe(1);
  });

  it('refuses options no pool could run with', () => {
    expect(() => createHttpTarget({ url: 'http://127.0.0.1:1', connections: 0 })).toThrow(/connections/);
    expect(() => createHttpTarget({ url: 'http://127.0.0.1:1', connections: 1.5 })).toThrow(/connections/);
    expect(() => createHttpTarget({ url: 'http://127.0.0.1:1', connections: 1, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createHttpTarget({ url: 'ftp://127.0.0.1:1', connections: 1 })).toThrow(/http/);
    expect(() => createHttpTarget({ url: 'http://127.0.0.1:1', connections: 1, headers: { 'x-a': 'one\r\ntwo' } })).toThrow(/x-a/);
    expect(() => createHttpTarget({ url: 'http://127.0.0.1:1', connections: 1, headers: { 'bad name': 'v' } })).toThrow(/bad name/);
  });
});

describe('createHttpTarget: failures become outcomes', () => {
  it('a request not answered within timeoutMs is a timeout, and its connection is closed', async () => {
    let socket: Socket | undefined;
    const server = await startServer((req) => void (socket = req.socket)); // never answers
    const clock = new CountingClock();
    const target = makeTarget({ url: server.url, connections: 1, timeoutMs: 50, clock });
    const started = performance.now();
    const result = await target.target(request());
    expect(result).toEqual({ outcome: 'timeout', error: 'ETIMEDOUT (no complete answer within 50 ms)' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    // A late answer on that connection could be taken for the next request's: it goes.
    await expect.poll(() => socket?.destroyed).toBe(true);
    expect(clock.live).toBe(0); // nothing outstanding: no timer left armed
  });

  it('holds no timer while nothing is outstanding', async () => {
    const server = await startServer();
    const clock = new CountingClock();
    const target = makeTarget({ url: server.url, connections: 1, clock });
    expect((await target.target(request())).outcome).toBe('ok');
    expect(clock.live).toBe(0);
  });

  it('a request that times out while waiting for a connection is never sent', async () => {
    const server = await startServer(() => undefined);
    // Virtual time for the deadlines, so both expire in the same sweep: on the
    // real clock the first one's timeout could free the connection a moment
    // before the second is due, and the second would rightly be sent.
    const clock = new VirtualClock();
    const target = makeTarget({ url: server.url, connections: 1, timeoutMs: 50, clock });
    const results = Promise.all([target.target(request(0)), target.target(request(1))]);
    await expect.poll(() => server.seen.requests.length).toBe(1);
    await clock.advance(50);
    expect((await results).map((r) => r.outcome)).toEqual(['timeout', 'timeout']);
    // Give a late send the chance to show up.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.seen.requests.map((r) => r.headers['x-request-id'])).toEqual(['load-0']);
  });

  it('a timeout ends only the requests that are due', async () => {
    const server = await startServer((req, res) => {
      if (req.headers['x-request-id'] !== 'load-0') res.end('ok'); // load-0 hangs
    });
    const clock = new VirtualClock();
    const target = makeTarget({ url: server.url, connections: 4, timeoutMs: 100, clock });
    const slow = target.target(request(0));
    await clock.advance(50);
    const fast = Promise.all(Array.from({ length: 10 }, (_, n) => target.target(request(n + 1))));
    await clock.advance(50); // load-0's deadline; the others have 50 ms to go
    expect((await slow).outcome).toBe('timeout');
    expect((await fast).every((r) => r.outcome === 'ok')).toBe(true);
    expect((await target.target(request(11))).outcome).toBe('ok');
  });

  it('a refused connection is an error named ECONNREFUSED', async () => {
    const server = await startServer();
    const { url } = server;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const target = makeTarget({ url, connections: 1 });
    expect(await target.target(request())).toEqual({ outcome: 'error', error: expect.stringMatching(/^ECONNREFUSED /) });
  });

  it('a connection reset before the answer is an error named ECONNRESET', async () => {
    const server = await startServer((req) => req.socket.destroy());
    const target = makeTarget({ url: server.url, connections: 1 });
    expect(await target.target(request())).toEqual({ outcome: 'error', error: expect.stringMatching(/^ECONNRESET /) });
    // The next request gets a fresh connection.
    server.handle((_req, res) => res.end('ok'));
    expect(await target.target(request(1))).toEqual({ outcome: 'ok', status: 200 });
  });

  it('an answer cut short mid-body is an error named ECONNRESET', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => req.socket.destroy());
    });
    const target = makeTarget({ url: server.url, connections: 1 });
    expect(await target.target(request())).toEqual({ outcome: 'error', error: expect.stringMatching(/^ECONNRESET /) });
  });

  it('a request undici refuses to build is an error that says so, not a broken connection', async () => {
    const server = await startServer();
    const target = makeTarget({ url: server.url, connections: 1 });
    const result = await target.target(request(0, 'client\n0'));
    expect(result).toEqual({ outcome: 'error', error: expect.stringMatching(/^invalid request \(.*x-client-key/) });
    expect(server.seen.requests).toEqual([]);
  });

  it('names undici and socket errors with the kit codes', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code });
    expect(errorCodeOf(coded('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(errorCodeOf(coded('ENOTFOUND'))).toBe('ECONNREFUSED');
    expect(errorCodeOf(coded('UND_ERR_CONNECT_TIMEOUT'))).toBe('ETIMEDOUT');
    expect(errorCodeOf(coded('UND_ERR_HEADERS_TIMEOUT'))).toBe('ETIMEDOUT');
    expect(errorCodeOf(coded('UND_ERR_DESTROYED'))).toBe('ABORTED');
    expect(errorCodeOf(coded('UND_ERR_SOCKET'))).toBe('ECONNRESET');
    expect(errorCodeOf(coded('EPIPE'))).toBe('ECONNRESET');
    expect(errorCodeOf(new Error('no code'))).toBe('ECONNRESET');
  });
});

describe('createHttpTarget: close', () => {
  it('lets requests in flight finish, then refuses new ones and closes its connections', async () => {
    const server = await startServer((_req, res) => setTimeout(() => res.end('ok'), 30));
    const target = createHttpTarget({ url: server.url, connections: 2 });
    const inFlight = Promise.all([target.target(request(0)), target.target(request(1))]);
    await expect.poll(() => server.seen.requests.length).toBe(2);
    const closed = target.close();
    expect(await target.target(request(2))).toEqual({ outcome: 'error', error: 'ABORTED (the HTTP target is closed)' });
    expect((await inFlight).map((r) => r.outcome)).toEqual(['ok', 'ok']);
    await closed;
    expect(target.connected).toBe(0);
    await expect.poll(() => server.seen.open).toBe(0);
  });
});

describe('createHttpTarget under a LoadGenerator', () => {
  it('closed model: each client keeps its connection, and client keys reach the server', async () => {
    const server = await startServer();
    const profile = { model: 'closed', concurrency: 4, amount: 200, clients: 4 } as const;
    const target = makeTarget({ url: server.url, connections: connectionsFor(profile) });
    const generator = new LoadGenerator({ clock: new RealClock(), target: target.target });
    const done = new Promise<LoadProgress>((resolve) => generator.onProgress((p) => p.done && resolve(p)));
    generator.setProfile(profile);
    expect(await done).toMatchObject({ sent: 200, completed: 200 });
    expect(generator.stats.errors).toBe(0);
    expect(generator.histogram.count).toBe(200);
    expect(server.seen.connections).toBeLessThanOrEqual(4);
    expect(new Set(server.seen.requests.map((r) => r.headers['x-client-key']))).toEqual(new Set(['client-0', 'client-1', 'client-2', 'client-3']));
    generator.dispose();
  });

  it('open model: failures and timeouts count as errors, every request is answered', async () => {
    let n = 0;
    const server = await startServer((req, res) => {
      n += 1;
      if (n % 4 === 1) return; // hangs: times out
      if (n % 4 === 2) req.socket.destroy();
      else res.end('ok');
    });
    const profile = { model: 'open', rate: 400, amount: 40 } as const;
    // The target's deadlines on virtual time: they pass when the test says,
    // however long opening 40 connections takes on a busy machine.
    const deadlines = new VirtualClock();
    const target = makeTarget({ url: server.url, connections: connectionsFor(profile), timeoutMs: 1000, clock: deadlines });
    const generator = new LoadGenerator({ clock: new RealClock(), target: target.target });
    const done = new Promise<LoadProgress>((resolve) => generator.onProgress((p) => p.done && resolve(p)));
    generator.setProfile(profile);
    // Every request but the 10 hanging ones is answered (ok or reset); then their time runs out.
    await expect.poll(() => generator.stats.completed, { timeout: 10_000 }).toBe(30);
    expect(generator.stats.errors).toBe(10);
    await deadlines.advance(1000);
    expect(await done).toMatchObject({ sent: 40, completed: 40, inFlight: 0 });
    expect(generator.stats.errors).toBe(20);
    generator.dispose();
  });
});
