/**
 * An HTTP endpoint as a LoadTarget: the generator's own HTTP client, a small
 * keep-alive HTTP/1.1 client on `net` (and `tls`) sockets. Each connection
 * (server/load/http-connection.ts) carries one request at a time; this file
 * encodes requests, hands them to free connections (opening one while fewer
 * than `connections` are open, queueing first come first served beyond that),
 * and times them out.
 *
 * Why its own client. A load generator must cost less than what it measures,
 * or it measures itself. Against a fast loopback endpoint (test/bench/load.ts)
 * node:http's client, a ClientRequest, an IncomingMessage stream and their
 * events per call, reached about half of autocannon's throughput. undici's
 * pool reached about 0.8× (client CPU about 32 µs per request, autocannon's
 * about 27 µs): per request it builds a request object, copies the headers,
 * parses every response header into an object, and on undici 7 wraps the
 * handler. This client does what autocannon does: the constant part of the
 * request is encoded once, each request adds its two header lines and goes
 * out in one write, and only the status and the keep-alive verdict are read
 * from the answer. It costs about 22 µs per request, and the generator on top
 * of it keeps up with autocannon (about 1.0×).
 *
 * What it does not do, as a load generator needs none of it: redirects,
 * pipelining (one slow answer would hold up the ones behind it), HTTP/2,
 * proxies, reading the body (it is read off the socket and dropped).
 *
 * What each request becomes:
 * - a status below 400 is `ok`, 429 is `rejected` (a rate limiter turned the
 *   client away, as the labs report it), any other status is `error`;
 * - no complete answer within `timeoutMs` of the call is `timeout`, and the
 *   request is cancelled (its connection closed: with one request per
 *   connection at a time, a late answer could never be told apart);
 * - a connection that could not be made, or broke before the answer was
 *   complete, is `error`, named with the kit's codes (ECONNREFUSED,
 *   ECONNRESET, ETIMEDOUT, ABORTED) as a lab's downstream calls name them.
 * A LoadTarget never rejects: every request settles as one of those results.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { RealClock, type Clock } from '../../patterns/kit/clock.ts';
import type { Disposable } from '../../patterns/kit/events.ts';
import type { DownstreamErrorCode } from '../../patterns/kit/http.ts';
import type { LoadProfile } from '../../patterns/kit/load.ts';
import type { RequestOutcome } from '../../patterns/kit/telemetry.ts';
import { HttpConnection, type Answerable, type ConnectionOwner, type Endpoint } from './http-connection.ts';
import type { LoadRequest } from './types.ts';

export interface HttpTargetOptions {
  /** Where every request goes, e.g. `http://127.0.0.1:4100/checkout`: connections go to its origin. */
  url: string | URL;
  /** Default `GET`. */
  method?: string;
  /**
   * Sent with every request (names are lower-cased; the per-request headers
   * below win). content-length, transfer-encoding, connection, keep-alive,
   * upgrade and expect are the target's to set and refused here.
   */
  headers?: Record<string, string>;
  /** Sent as JSON with every request (serialised once, with `content-type: application/json`). */
  body?: unknown;
  /** Most keep-alive connections open at once; see `connectionsFor`. */
  connections: number;
  /** A request not completely answered this long after the call ends as `timeout`. Default 10 000 ms. */
  timeoutMs?: number;
  /**
   * Header carrying the request's client key (`client-3`), which a rate
   * limiter keys on, and header carrying its id, which the server's logs name.
   * Defaults `x-client-key` and `x-request-id`, as the labs read them; `false` sends none.
   */
  clientKeyHeader?: string | false;
  requestIdHeader?: string | false;
  /** Times `timeoutMs`. Default: the real clock (the sockets are real either way). */
  clock?: Clock;
}

/** What one request became: the outcome, with the status or the error that decided it. */
export interface HttpLoadResult {
  outcome: RequestOutcome;
  status?: number;
  error?: string;
}

export interface HttpTarget {
  /** The LoadTarget to give a LoadGenerator. */
  readonly target: (request: LoadRequest) => Promise<HttpLoadResult>;
  /** Keep-alive connections open now (they open as requests need them, up to `connections`). */
  readonly connected: number;
  /**
   * Stops taking requests (later calls end as `error`, ABORTED), lets those
   * in flight finish (each within `timeoutMs`) and closes every connection.
   */
  close(): Promise<void>;
}

/**
 * Open model: the most connections a target opens. Arrivals do not wait for
 * answers, so the connections needed are rate × latency (Little's law), which
 * nobody knows in advance: 1 000/s at 2 ms needs 2, at a 1 s stall 1 000. The
 * target only opens a connection when every open one is busy, so this is a
 * ceiling, not a cost; past it requests queue in the generator's process,
 * and that wait counts in their latency (measured from the intended start)
 * and towards their timeout.
 */
export const OPEN_MODEL_CONNECTIONS = 256;

/**
 * Connections for a profile: one per client in the closed model (each client
 * has one request outstanding, and keeps its connection between requests, as
 * autocannon's connections do); up to OPEN_MODEL_CONNECTIONS in the open model.
 */
export const connectionsFor = (profile: LoadProfile): number => {
  if (profile.model === 'closed') return profile.concurrency;
  if (profile.model === 'open') return OPEN_MODEL_CONNECTIONS;
  return 1;
};

const DEFAULT_TIMEOUT_MS = 10_000;

// Nobody could be reached at all: the endpoint is down, as a lab's client reports it.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
// A connect that timed out (the OS's; the request's own deadline usually comes first). undici's
// codes are named too, so the kit's codes mean the same whichever client a caller used.
const TIMED_OUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
// The client was closed or destroyed under the request: this side gave up, nothing broke.
const ABORTED = new Set(['UND_ERR_ABORTED', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);

/**
 * Names a socket (or undici) error with the kit's codes. Everything else (a
 * connection closed before the answer was complete, EPIPE, a malformed answer,
 * a TLS certificate refused) means the connection broke after it was made:
 * ECONNRESET.
 */
export const errorCodeOf = (error: unknown): DownstreamErrorCode => {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    if (UNREACHABLE.has(code)) return 'ECONNREFUSED';
    if (TIMED_OUT.has(code)) return 'ETIMEDOUT';
    if (ABORTED.has(code)) return 'ABORTED';
  }
  return 'ECONNRESET';
};

const outcomeOfStatus = (status: number): RequestOutcome => (status < 400 ? 'ok' : status === 429 ? 'rejected' : 'error');

const failure = (code: DownstreamErrorCode, detail: string): HttpLoadResult => ({
  outcome: code === 'ETIMEDOUT' ? 'timeout' : 'error',
  error: `${code} (${detail})`,
});

/** What node:http accepts in a header value (its checkInvalidHeaderChar): no control characters but tab. */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Set by the target itself; a caller's value would contradict the framing
 * (content-length, transfer-encoding) or the connection handling (one
 * keep-alive request at a time) it does.
 */
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect']);

/**
 * An idle connection older than this is closed rather than reused: a server
 * drops idle keep-alive connections after a while (node:http after 5 s), and
 * a request written as it does so would be lost. undici keeps the same 4 s.
 */
const IDLE_CONNECTION_MS = 4_000;

/** Requests waiting for a free connection, first come first served. */
class Fifo<T> {
  private items: Array<T | undefined> = [];
  private first = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.first === this.items.length) return undefined;
    const item = this.items[this.first];
    this.items[this.first++] = undefined;
    if (this.first === this.items.length) {
      this.items = [];
      this.first = 0;
    } else if (this.first > 1024 && this.first * 2 > this.items.length) {
      // Under sustained overload the queue never empties: drop the consumed front now and then.
      this.items = this.items.slice(this.first);
      this.first = 0;
    }
    return item;
  }
}

/**
 * One request, from the call until its result: the encoded request, the
 * connection carrying it (none while it waits for one), and a node in the
 * list of outstanding requests ordered by deadline. Every request has the
 * same timeout, so calls made later are due later and the list is kept in
 * order by appending: one timer, armed for the oldest request, serves them
 * all, where a timer (or an AbortSignal) per request would cost more than the
 * request.
 */
class Exchange implements Answerable {
  prev: Exchange | undefined;
  next: Exchange | undefined;
  connection: HttpConnection | undefined;
  /** Set once the request has its result: whatever happens to it later changes nothing. */
  settled = false;

  constructor(
    readonly wire: string,
    readonly deadline: number,
    private readonly resolve: (result: HttpLoadResult) => void,
    private readonly unlink: (exchange: Exchange) => void,
  ) {}

  answered(status: number): void {
    this.connection = undefined;
    this.settle({ outcome: outcomeOfStatus(status), status });
  }

  failed(error: Error): void {
    this.connection = undefined;
    this.settle(failure(errorCodeOf(error), error.message || String(error)));
  }

  /**
   * Ends the request from this side: a timeout. Its connection is closed: with
   * one request per connection at a time, a late answer on it could be taken
   * for the next request's. A request still waiting for a connection is
   * skipped when its turn comes, so it is never sent.
   */
  cancel(result: HttpLoadResult): void {
    if (this.settled) return;
    this.settle(result);
    this.connection?.destroy();
  }

  private settle(result: HttpLoadResult): void {
    if (this.settled) return;
    this.settled = true;
    this.unlink(this);
    this.resolve(result);
  }
}

/** Starts a target for `options.url`'s origin; no connection opens before the first request. */
export const createHttpTarget = (options: HttpTargetOptions): HttpTarget => {
  const url = new URL(options.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError(`url must be http: or https:, got ${url.protocol}`);
  }
  const { connections } = options;
  if (!(Number.isInteger(connections) && connections >= 1)) {
    throw new RangeError(`connections must be an integer >= 1, got ${connections}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new RangeError(`timeoutMs must be a finite number > 0, got ${timeoutMs}`);
  }
  const clock = options.clock ?? new RealClock();
  const clientKeyHeader = options.clientKeyHeader ?? 'x-client-key';
  const requestIdHeader = options.requestIdHeader ?? 'x-request-id';
  // Refused here, once, rather than failing every request of the load.
  if (clientKeyHeader) validateHeaderName(clientKeyHeader);
  if (requestIdHeader) validateHeaderName(requestIdHeader);
  const method = (options.method ?? 'GET').toUpperCase();
  validateHeaderName(method); // a method is a token, as a header name is
  const endpoint: Endpoint = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'), // an IPv6 address without its brackets
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    tls: url.protocol === 'https:',
  };

  // The request, encoded once: everything but the per-request header lines.
  // Each request is then `head + its two lines + tail`, one latin1 string.
  const fixedHeaders = new Map<string, string>([['host', url.host]]);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw new RangeError(`header ${name} is set by the HTTP target, not by its options`);
    fixedHeaders.set(lower, value);
  }
  // The per-request headers win over fixed ones of the same name.
  if (clientKeyHeader) fixedHeaders.delete(clientKeyHeader.toLowerCase());
  if (requestIdHeader) fixedHeaders.delete(requestIdHeader.toLowerCase());
  // JSON is UTF-8; its bytes go on the wire unchanged as a latin1 string (one byte per character).
  const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)).toString('latin1');
  if (body !== undefined) {
    if (!fixedHeaders.has('content-type')) fixedHeaders.set('content-type', 'application/json');
    fixedHeaders.set('content-length', String(body.length));
  } else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    fixedHeaders.set('content-length', '0'); // some servers refuse a body-carrying method without a length (411)
  }
  const head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n` + [...fixedHeaders].map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const tail = `\r\n${body ?? ''}`;
  const keyLine = clientKeyHeader ? `${clientKeyHeader}: ` : '';
  const idLine = requestIdHeader ? `${requestIdHeader}: ` : '';
  /** The request on the wire, or undefined when a per-request value cannot go in a header. */
  const encode = (request: LoadRequest): string | undefined => {
    let lines = '';
    if (clientKeyHeader) {
      if (INVALID_HEADER_VALUE.test(request.clientKey)) return undefined;
      lines += `${keyLine}${request.clientKey}\r\n`;
    }
    if (requestIdHeader) {
      if (INVALID_HEADER_VALUE.test(request.id)) return undefined;
      lines += `${idLine}${request.id}\r\n`;
    }
    return head + lines + tail;
  };

  const all = new Set<HttpConnection>();
  /** Open connections with no request, most recently used last (reused first, so the fewest stay warm). */
  const idle: HttpConnection[] = [];
  const waiting = new Fifo<Exchange>();

  let first: Exchange | undefined;
  let last: Exchange | undefined;
  let timer: Disposable | undefined;
  let closed = false;
  let whenClosed: (() => void) | undefined;
  const closedPromise = new Promise<void>((resolve) => (whenClosed = resolve));

  const owner: ConnectionOwner = {
    idle(connection) {
      // A request waiting for a connection takes this one; one that timed out while waiting is skipped, never sent.
      for (let next = waiting.shift(); next; next = waiting.shift()) {
        if (!next.settled) return sendOn(connection, next);
      }
      idle.push(connection);
    },
    gone(connection) {
      all.delete(connection);
      const at = idle.indexOf(connection);
      if (at >= 0) idle.splice(at, 1);
      // Room for a connection again: the first request still waiting opens it.
      for (let next = waiting.shift(); next; next = waiting.shift()) {
        if (!next.settled) return start(next);
      }
    },
  };

  const sendOn = (connection: HttpConnection, exchange: Exchange): void => {
    exchange.connection = connection;
    connection.send(exchange.wire, exchange);
  };

  /** Sends on an idle connection, opens one if there is room, or queues. */
  const start = (exchange: Exchange): void => {
    for (let connection = idle.pop(); connection; connection = idle.pop()) {
      if (performance.now() - connection.idleSince < IDLE_CONNECTION_MS) return sendOn(connection, exchange);
      connection.destroy(); // stale: the server may be closing it right now
    }
    if (all.size < connections) {
      const connection = new HttpConnection(endpoint, owner, method === 'HEAD');
      all.add(connection);
      return sendOn(connection, exchange);
    }
    waiting.push(exchange);
  };

  const unlink = (exchange: Exchange): void => {
    if (exchange.prev) exchange.prev.next = exchange.next;
    else first = exchange.next;
    if (exchange.next) exchange.next.prev = exchange.prev;
    else last = exchange.prev;
    exchange.prev = exchange.next = undefined;
    if (first) return;
    // Nothing outstanding: no timer either, so an idle target holds no process open.
    timer?.dispose();
    timer = undefined;
    if (closed) finishClose();
  };

  // Armed for the oldest request only. When that one is answered first, the
  // timer still fires at its deadline, finds a later head and re-arms: about
  // one wake per timeout period however many requests flow (while any are).
  const arm = (): void => {
    if (timer || !first) return;
    timer = clock.setTimeout(expire, first.deadline - clock.now());
  };

  const expire = (): void => {
    timer = undefined;
    const now = clock.now();
    while (first && first.deadline <= now) first.cancel(failure('ETIMEDOUT', `no complete answer within ${timeoutMs} ms`));
    arm();
  };

  /** Everything answered after close(): the connections go. */
  const finishClose = (): void => {
    for (const connection of [...all]) connection.destroy();
    whenClosed?.();
  };

  const target = (request: LoadRequest): Promise<HttpLoadResult> => {
    if (closed) return Promise.resolve(failure('ABORTED', 'the HTTP target is closed'));
    const wire = encode(request);
    if (wire === undefined) {
      // Never reaches the network: say so rather than blame the connection.
      const name = clientKeyHeader && INVALID_HEADER_VALUE.test(request.clientKey) ? clientKeyHeader : requestIdHeader;
      return Promise.resolve({ outcome: 'error', error: `invalid request (header ${name} has an invalid value)` });
    }
    return new Promise<HttpLoadResult>((resolve) => {
      const exchange = new Exchange(wire, clock.now() + timeoutMs, resolve, unlink);
      if (last) {
        last.next = exchange;
        exchange.prev = last;
      } else {
        first = exchange;
      }
      last = exchange;
      arm();
      start(exchange);
    });
  };

  return {
    target,
    get connected() {
      let open = 0;
      for (const connection of all) if (connection.connected) open += 1;
      return open;
    },
    close() {
      // Graceful: requests in flight or waiting finish (or time out), then the connections close.
      closed = true;
      if (!first) finishClose();
      return closedPromise;
    },
  };
};
