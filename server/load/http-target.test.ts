import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock, VirtualClock } from '../../patterns/kit/clock.ts';
import type { Disposable } from '../../patterns/kit/events.ts';
import { LoadGenerator } from './generator.ts';
import { simpleAnswer } from './http-connection.ts';
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

const servers: Array<http.Server | net.Server> = [];
const targets: HttpTarget[] = [];
const rawSockets: Socket[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((target) => target.close()));
  const closing = servers.splice(0);
  for (const server of closing) if (server instanceof http.Server) server.closeAllConnections();
  for (const socket of rawSockets.splice(0)) socket.destroy();
  await Promise.all(closing.map((server) => new Promise((resolve) => server.close(resolve))));
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

/**
 * A loopback TCP server that answers each request's head (up to its blank
 * line) with `answer(n, socket)`: raw bytes, for answers node:http would not
 * write (1xx, split heads, bodies ended by closing). Counts its connections.
 */
const startRawServer = async (answer: (n: number, socket: Socket) => void) => {
  const seen = { connections: 0, requests: 0 };
  const server = net.createServer((socket) => {
    seen.connections += 1;
    rawSockets.push(socket);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        buffered = buffered.slice(end + 4);
        answer(seen.requests++, socket);
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
};

const hasOpenssl = (): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
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
    expect(() => createHttpTarget({ url: 'http://127.0.0.1:1', connections: 1, headers: { 'Content-Length': '5' } })).toThrow(/Content-Length/);
    expect(() => createHttpTarget({ url: 'http://127.0.0.1:1', connections: 1, clientKeyHeader: 'x key' })).toThrow(/x key/);
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

  it('a chunked answer cut short, or a head cut short, is an error named ECONNRESET', async () => {
    const chunked = await startServer((req, res) => res.write('partial', () => req.socket.destroy()));
    const target = makeTarget({ url: chunked.url, connections: 1 });
    expect(await target.target(request())).toEqual({ outcome: 'error', error: expect.stringMatching(/^ECONNRESET /) });
    const raw = await startRawServer((_n, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Len'));
    const other = makeTarget({ url: raw.url, connections: 1 });
    expect(await other.target(request())).toEqual({ outcome: 'error', error: expect.stringMatching(/^ECONNRESET /) });
  });

  it('a malformed answer is an error named ECONNRESET, and its connection is closed', async () => {
    const server = await startRawServer((n, socket) => socket.write(n === 0 ? 'SMTP ready\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const target = makeTarget({ url: server.url, connections: 1 });
    expect(await target.target(request(0))).toEqual({ outcome: 'error', error: expect.stringMatching(/^ECONNRESET \(malformed answer/) });
    expect(await target.target(request(1))).toEqual({ outcome: 'ok', status: 200 });
    expect(server.seen.connections).toBe(2);
  });

  it.skipIf(!hasOpenssl())('https: checks the server certificate (a self-signed one is refused)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'http-target-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      let handshakes = 0;
      const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('ok'));
      server.on('tlsClientError', () => (handshakes += 1));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const target = makeTarget({ url: `https://localhost:${(server.address() as AddressInfo).port}`, connections: 1 });
      const result = await target.target(request());
      expect(result).toEqual({ outcome: 'error', error: expect.stringMatching(/^ECONNRESET \(.*certificate/) });
      await expect.poll(() => handshakes).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a request whose header value cannot be sent is an error that says so, not a broken connection', async () => {
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

describe('createHttpTarget: answers of every shape', () => {
  it('reads a chunked answer and keeps the connection', async () => {
    const server = await startServer((_req, res) => {
      res.write('a'.repeat(10_000)); // no content-length: node:http sends chunks
      res.end('b');
    });
    const target = makeTarget({ url: server.url, connections: 1 });
    for (let n = 0; n < 3; n++) expect(await target.target(request(n))).toEqual({ outcome: 'ok', status: 200 });
    expect(server.seen.connections).toBe(1);
  });

  it('opens a new connection after an answer with `Connection: close`', async () => {
    const server = await startServer((_req, res) => {
      res.setHeader('connection', 'close');
      res.end('bye');
    });
    const target = makeTarget({ url: server.url, connections: 1 });
    for (let n = 0; n < 3; n++) expect(await target.target(request(n))).toEqual({ outcome: 'ok', status: 200 });
    expect(server.seen.connections).toBe(3);
  });

  it('reads an answer whose head arrives in pieces', async () => {
    const server = await startRawServer((_n, socket) => {
      socket.write('HTTP/1.1 201 Created\r\nContent-');
      setTimeout(() => socket.write('Length: 2\r\n\r\nok'), 10);
    });
    const target = makeTarget({ url: server.url, connections: 1 });
    for (let n = 0; n < 2; n++) expect(await target.target(request(n))).toEqual({ outcome: 'ok', status: 201 });
    expect(server.seen.connections).toBe(1);
  });

  it('skips 1xx answers for the final one, whatever the case of the headers', async () => {
    const server = await startRawServer((_n, socket) => {
      socket.write('HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nCONTENT-LENGTH: 0\r\n\r\n');
    });
    const target = makeTarget({ url: server.url, connections: 1 });
    expect(await target.target(request())).toEqual({ outcome: 'error', status: 503 });
  });

  it('reads an answer ended by closing the connection, then opens a new one', async () => {
    const server = await startRawServer((_n, socket) => socket.end('HTTP/1.1 200 OK\r\n\r\nthe body runs to the end'));
    const target = makeTarget({ url: server.url, connections: 1 });
    for (let n = 0; n < 2; n++) expect(await target.target(request(n))).toEqual({ outcome: 'ok', status: 200 });
    expect(server.seen.connections).toBe(2);
  });

  it('expects no body after an answer to HEAD', async () => {
    const server = await startServer((_req, res) => res.end('hello')); // content-length: 5, no body for HEAD
    const target = makeTarget({ url: server.url, method: 'head', connections: 1 });
    for (let n = 0; n < 3; n++) expect(await target.target(request(n))).toEqual({ outcome: 'ok', status: 200 });
    expect(server.seen.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD', 'HEAD']);
    expect(server.seen.connections).toBe(1);
  });

  it('simpleAnswer reads only a whole answer framed by content-length, and leaves the rest to the parser', () => {
    const answer = (text: string) => simpleAnswer(Buffer.from(text, 'latin1'));
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok')).toEqual({ status: 200, keepAlive: true });
    expect(answer('HTTP/1.1 429 Too Many\r\ncontent-length:0\r\nconnection: Close\r\n\r\n')).toEqual({ status: 429, keepAlive: false });
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\no')).toBeUndefined(); // body still to come
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n')).toBeUndefined(); // head still to come
    expect(answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\nok')).toBeUndefined();
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok')).toBeUndefined();
    expect(answer('HTTP/1.1 200 OK\r\n\r\nok')).toBeUndefined(); // ended by closing
    expect(answer('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok')).toBeUndefined();
    expect(answer('HTTP/1.1 100 Continue\r\n\r\n')).toBeUndefined();
    expect(answer('HTTP/1.1 304 Not Modified\r\nContent-Length: 2\r\n\r\n')).toBeUndefined();
    expect(answer('HTTP/1.1 2e2 OK\r\nContent-Length: 2\r\n\r\nok')).toBeUndefined();
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n c\r\n\r\nok')).toBeUndefined(); // folded line
  });
});

describe('createHttpTarget: waiting for a connection', () => {
  it('sends requests beyond `connections` in the order they were made', async () => {
    const server = await startServer((_req, res) => setTimeout(() => res.end('ok'), 5));
    const target = makeTarget({ url: server.url, connections: 1 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, n) => target.target(request(n))));
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    expect(server.seen.requests.map((r) => r.headers['x-request-id'])).toEqual(['load-0', 'load-1', 'load-2', 'load-3', 'load-4', 'load-5']);
    expect(server.seen.connections).toBe(1);
  });

  it('requests waiting behind a connection that breaks go out on a new one', async () => {
    const server = await startServer((req, res) => {
      if (req.headers['x-request-id'] === 'load-0') req.socket.destroy();
      else res.end('ok');
    });
    const target = makeTarget({ url: server.url, connections: 1 });
    const results = await Promise.all(Array.from({ length: 3 }, (_, n) => target.target(request(n))));
    expect(results.map((r) => r.outcome)).toEqual(['error', 'ok', 'ok']);
    expect(server.seen.connections).toBe(2);
  });

  it('an idle connection the server closed is not used again', async () => {
    const server = await startServer();
    const target = makeTarget({ url: server.url, connections: 1 });
    expect((await target.target(request(0))).outcome).toBe('ok');
    for (const s of servers) if (s instanceof http.Server) s.closeIdleConnections();
    await expect.poll(() => target.connected).toBe(0);
    expect(await target.target(request(1))).toEqual({ outcome: 'ok', status: 200 });
    expect(server.seen.connections).toBe(2);
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
