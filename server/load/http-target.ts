/**
 * An HTTP endpoint as a LoadTarget: the generator's own HTTP client, built on
 * undici (Node's HTTP client library, the one behind `fetch`).
 *
 * Why undici and not node:http. A load generator must cost less than what it
 * measures, or it measures itself. node:http's client builds a ClientRequest,
 * an IncomingMessage stream and their events for every call; against a fast
 * loopback endpoint that overhead, not the endpoint, set the ceiling (about
 * half of autocannon's throughput: see test/bench/load.ts). undici keeps a
 * pool of keep-alive connections, parses with llhttp, and its `dispatch` API
 * hands the answer to a plain handler object: no stream and no promise per
 * request beyond the one a LoadTarget returns. The handler uses undici's
 * current interface (onRequestStart, onResponseStart, …), the only one undici 8
 * keeps; undici 7 adapts it to its older one per request, which costs a little
 * (the response headers are parsed into an object this target never reads).
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
import { Pool, type Dispatcher } from 'undici';
import { RealClock, type Clock } from '../../patterns/kit/clock.ts';
import type { Disposable } from '../../patterns/kit/events.ts';
import type { DownstreamErrorCode } from '../../patterns/kit/http.ts';
import type { LoadProfile } from '../../patterns/kit/load.ts';
import type { RequestOutcome } from '../../patterns/kit/telemetry.ts';
import type { LoadRequest } from './types.ts';

export interface HttpTargetOptions {
  /** Where every request goes, e.g. `http://127.0.0.1:4100/checkout`: the pool connects to its origin. */
  url: string | URL;
  /** Default `GET`. */
  method?: string;
  /** Sent with every request (names are lower-cased; the per-request headers below win). */
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
 * pool only opens a connection when every open one is busy, so this is a
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
// A connect that timed out (undici's connect timeout, 10 s by default, or the OS's); undici's header
// and body timers are off here, but their codes would mean the same.
const TIMED_OUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
// The pool was closed or destroyed under the request: this side gave up, nothing broke.
const ABORTED = new Set(['UND_ERR_ABORTED', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);

/**
 * Names an undici or socket error with the kit's codes. Everything else
 * ("other side closed", EPIPE, a malformed or cut-short answer) means the
 * connection broke after it was made: ECONNRESET.
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

/**
 * One request in flight: undici's handler for it, and a node in the list of
 * outstanding requests ordered by deadline. Every request has the same
 * timeout, so calls made later are due later and the list is kept in order by
 * appending: one timer, armed for the oldest request, serves them all, where a
 * timer (or an AbortSignal) per request would cost more than the request.
 */
class Exchange implements Dispatcher.DispatchHandler {
  prev: Exchange | undefined;
  next: Exchange | undefined;
  private status = 0;
  private controller: Dispatcher.DispatchController | undefined;
  /** Set once the request has its result: later callbacks from undici change nothing. */
  private settled = false;

  constructor(
    readonly deadline: number,
    private readonly resolve: (result: HttpLoadResult) => void,
    private readonly unlink: (exchange: Exchange) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Called again if undici retries the request on a fresh connection; a
    // request that timed out while it waited for a connection is never sent.
    this.controller = controller;
    if (this.settled) controller.abort(new Error('cancelled before it was sent'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode; // 1xx informational answers are followed by the real one
  }

  onResponseData(): void {
    // The body is read off the socket and dropped: a load generator measures answers, not their content.
  }

  onResponseEnd(): void {
    this.settle({ outcome: outcomeOfStatus(this.status), status: this.status });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // A request this side cancelled comes back here too, already settled.
    const detail = error.message || String(error);
    // A request undici refused to build (a header value with a newline) never
    // reached the network: say so rather than blame the connection.
    if ((error as { code?: unknown }).code === 'UND_ERR_INVALID_ARG') this.settle({ outcome: 'error', error: `invalid request (${detail})` });
    else this.settle(failure(errorCodeOf(error), detail));
  }

  /** Ends the request from this side: a timeout, or the target closing. */
  cancel(result: HttpLoadResult): void {
    if (this.settled) return;
    this.settle(result);
    // Not started yet (waiting for a free connection): onRequestStart aborts it.
    this.controller?.abort(new Error(result.error));
  }

  private settle(result: HttpLoadResult): void {
    if (this.settled) return;
    this.settled = true;
    this.unlink(this);
    this.resolve(result);
  }
}

/** Starts a keep-alive pool to `options.url`'s origin; no connection opens before the first request. */
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
  const method = (options.method ?? 'GET').toUpperCase();
  const path = url.pathname + url.search;
  const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const fixedHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    // Refused here, once, rather than failing every request of the load.
    validateHeaderName(name);
    validateHeaderValue(name, value);
    fixedHeaders[name.toLowerCase()] = value;
  }
  if (body) fixedHeaders['content-type'] ??= 'application/json';

  const pool = new Pool(url.origin, {
    connections,
    // One request per connection at a time, as browsers and most clients send
    // them: pipelining would let one slow answer hold up the ones behind it.
    pipelining: 1,
    // The target's own deadline covers the whole request; undici's per-phase
    // timers would only add a timer per request for what it already bounds.
    headersTimeout: 0,
    bodyTimeout: 0,
  });

  let head: Exchange | undefined;
  let tail: Exchange | undefined;
  let timer: Disposable | undefined;
  let closed = false;

  const unlink = (exchange: Exchange): void => {
    if (exchange.prev) exchange.prev.next = exchange.next;
    else head = exchange.next;
    if (exchange.next) exchange.next.prev = exchange.prev;
    else tail = exchange.prev;
    exchange.prev = exchange.next = undefined;
    // Nothing outstanding: no timer either, so an idle target holds no process open.
    if (!head && timer) {
      timer.dispose();
      timer = undefined;
    }
  };

  // Armed for the oldest request only. When that one is answered first, the
  // timer still fires at its deadline, finds a later head and re-arms: about
  // one wake per timeout period however many requests flow (while any are).
  const arm = (): void => {
    if (timer || !head) return;
    timer = clock.setTimeout(expire, head.deadline - clock.now());
  };

  const expire = (): void => {
    timer = undefined;
    const now = clock.now();
    while (head && head.deadline <= now) head.cancel(failure('ETIMEDOUT', `no complete answer within ${timeoutMs} ms`));
    arm();
  };

  const target = (request: LoadRequest): Promise<HttpLoadResult> => {
    if (closed) return Promise.resolve(failure('ABORTED', 'the HTTP target is closed'));
    const headers: Record<string, string> = { ...fixedHeaders };
    if (clientKeyHeader) headers[clientKeyHeader] = request.clientKey;
    if (requestIdHeader) headers[requestIdHeader] = request.id;
    return new Promise<HttpLoadResult>((resolve) => {
      const exchange = new Exchange(clock.now() + timeoutMs, resolve, unlink);
      if (tail) {
        tail.next = exchange;
        exchange.prev = tail;
      } else {
        head = exchange;
      }
      tail = exchange;
      arm();
      // A dispatch that fails at once (bad header value) reaches onResponseError too.
      pool.dispatch({ path, method, headers, body }, exchange);
    });
  };

  return {
    target,
    get connected() {
      return pool.stats.connected;
    },
    async close() {
      closed = true;
      // Graceful: requests in flight finish (or time out), then the connections close.
      await pool.close();
      timer?.dispose();
      timer = undefined;
    },
  };
};
