/**
 * The downstream client that pattern code is handed. It behaves like `fetch`:
 * an HTTP error status is an answer (resolve), a broken connection is an
 * error (reject with DownstreamError).
 */

export interface HttpRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Give up after this long; the call then rejects with code `ETIMEDOUT`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
}

export type DownstreamErrorCode = 'ECONNRESET' | 'ECONNREFUSED' | 'ETIMEDOUT' | 'ABORTED';

/** The call never got an answer: the connection broke, was refused, timed out or was aborted. */
export class DownstreamError extends Error {
  override readonly name = 'DownstreamError';

  constructor(
    readonly code: DownstreamErrorCode,
    readonly target: string,
    message = `${target}: ${code}`,
  ) {
    super(message);
  }
}

export const isDownstreamError = (error: unknown): error is DownstreamError =>
  error instanceof DownstreamError;

/** What a simulated or real downstream service does with a call when no fault hits it. */
export interface ServiceRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface ServiceDefinition {
  /** The service's own answer. It may wait on the clock it was given to model slowness or capacity. */
  handle(request: ServiceRequest): Promise<HttpResponse> | HttpResponse;
}
