/**
 * A real HTTP client for a downstream service, built on node:http. It behaves
 * like the kit's `HttpClient` promises: an HTTP error status is an answer, a
 * broken connection is a `DownstreamError`. No keep-alive: every call opens its
 * own connection, so a reset or a refused connection hits exactly one call.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { RealClock, type Clock } from '../../patterns/kit/clock.ts';
import {
  DownstreamError,
  type DownstreamErrorCode,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
} from '../../patterns/kit/http.ts';
import { downstreamDeadline, withDeadline } from '../../patterns/kit/deadline.ts';
import { lowerCaseHeaders } from './responses.ts';
import { flattenHeaders, parseBody } from './service.ts';

export interface HttpClientOptions {
  /** Where the service (or its fault proxy) listens, e.g. `http://127.0.0.1:4100`. */
  baseUrl: string;
  /** Names the service in errors (`DownstreamError.target`): the fault point's id. */
  target: string;
  /** Times `timeoutMs`. Default: the real clock. */
  clock?: Clock;
  /** Sent with every call; a request's own headers win. */
  headers?: Record<string, string>;
}

/** Makes a client whose calls each open one connection to `baseUrl`. */
export const createHttpClient = (options: HttpClientOptions): HttpClient => {
  const clock = options.clock ?? new RealClock();
  const defaults = lowerCaseHeaders(options.headers);
  return {
    request: (request) =>
      withDeadline((signal) => send(options, defaults, request, signal), downstreamDeadline(clock, options.target, request)),
  };
};

const send = (
  options: HttpClientOptions,
  defaults: Record<string, string>,
  request: HttpRequest,
  signal: AbortSignal,
): Promise<HttpResponse> =>
  new Promise<HttpResponse>((resolve, reject) => {
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = { accept: 'application/json', ...defaults, ...lowerCaseHeaders(request.headers) };
    if (payload !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const fail = (error: unknown) => reject(toDownstreamError(error, options.target));
    let outgoing: ClientRequest;
    try {
      outgoing = httpRequest(new URL(request.path, options.baseUrl), {
        method: (request.method ?? 'GET').toUpperCase(),
        headers,
        agent: false,
      });
    } catch (error) {
      reject(error); // a bad URL or header: a bug in the caller, not a broken connection
      return;
    }
    // The deadline gave up: drop the connection so nothing stays open.
    const onAbort = () => outgoing.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    outgoing.once('close', () => signal.removeEventListener('abort', onAbort));
    outgoing.on('error', fail);
    outgoing.on('response', (response) => {
      readResponse(response).then(resolve, fail);
    });
    outgoing.end(payload);
  });

const readResponse = async (response: IncomingMessage): Promise<HttpResponse> => {
  const chunks: Buffer[] = [];
  // Iterating rejects when the connection breaks mid-body ("aborted").
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const contentType = response.headers['content-type'];
  let body: unknown;
  try {
    body = parseBody(contentType, text);
  } catch {
    body = text; // a service that says JSON but sends something else: hand over what came
  }
  return { status: response.statusCode ?? 0, headers: flattenHeaders(response.headers), body };
};

// Could not reach anyone at all: the caller sees the service as down.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * Maps Node's socket errors to the four codes pattern code reasons about.
 * "socket hang up", EPIPE and a body cut short all mean the connection broke
 * after it was made: ECONNRESET.
 */
export const toDownstreamError = (error: unknown, target: string): DownstreamError => {
  if (error instanceof DownstreamError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const mapped: DownstreamErrorCode = UNREACHABLE.has(code) ? 'ECONNREFUSED' : code === 'ETIMEDOUT' ? 'ETIMEDOUT' : 'ECONNRESET';
  const detail = error instanceof Error ? error.message : String(error);
  const result = new DownstreamError(mapped, target, `${target}: ${mapped} (${detail})`);
  result.cause = error;
  return result;
};
