/**
 * A downstream service simulated in-process on a Clock: no sockets, so on a
 * VirtualClock a 30-second outage or a 10-second timeout takes microseconds
 * and always ends the same way. It applies the same fault model as the real
 * fault proxy and fails calls the way a real connection would.
 */
import type { Clock } from '../../patterns/kit/clock.ts';
import type { FaultError } from '../../patterns/kit/faults.ts';
import {
  DownstreamError,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  type ServiceDefinition,
  type ServiceRequest,
} from '../../patterns/kit/http.ts';
import { downstreamDeadline, untilAborted, withDeadline } from '../../patterns/kit/deadline.ts';
import { FaultInjector, type FaultInjectorOptions } from './injector.ts';
import type { FaultInjection } from './types.ts';
import { crashResponse, injectedResponse, injectedStatus, lowerCaseHeaders } from './responses.ts';

export interface SimulatedServiceOptions extends FaultInjectorOptions {
  /** The fault point's id; also the `target` of the errors it raises. */
  point: string;
  /** What the service answers when no fault hits the call. */
  definition: ServiceDefinition;
  clock: Clock;
  /** Called for every injected fault, at the moment it takes effect. */
  onFault: (injection: FaultInjection) => void;
}

/** A client for the simulated service, plus the hook for a newly applied spec. */
export interface SimulatedService extends HttpClient {
  /** Restarts call numbering (see `FaultInjector.specChanged`); a new spec object is noticed without it. */
  specChanged(): void;
}

/** Makes a simulated downstream service and returns the client pattern code calls it with. */
export const createSimulatedService = (options: SimulatedServiceOptions): SimulatedService => {
  const { point, definition, clock, onFault } = options;
  const injector = new FaultInjector(options);

  const refuse = (): Promise<never> => {
    onFault({ point, kind: 'down' });
    return Promise.reject(new DownstreamError('ECONNREFUSED', point));
  };

  const fail = (error: FaultError, signal: AbortSignal): Promise<HttpResponse> => {
    if (error.kind === 'down') return refuse();
    const status = injectedStatus(error);
    onFault(status === undefined ? { point, kind: error.kind } : { point, kind: error.kind, status });
    switch (error.kind) {
      case 'status':
      case 'exception':
      case 'busy':
      case 'locked':
        return Promise.resolve(injectedResponse(error));
      case 'reset':
        return Promise.reject(new DownstreamError('ECONNRESET', point));
      case 'hang':
        // Only the caller's timeout or signal ends this call, as with a real hung socket.
        return untilAborted(signal);
    }
  };

  const request = (request: HttpRequest): Promise<HttpResponse> => {
    if (request.signal?.aborted) return Promise.reject(new DownstreamError('ABORTED', point));
    // Nothing listens: refused at once, and (as on a real socket, where the
    // connection never reaches the proxy) without taking a call number.
    if (injector.isDown()) return refuse();
    const { error, latencyMs } = injector.next().decision;
    // Refused before any deadline could matter (the model gives it no latency).
    if (error?.kind === 'down') return refuse();

    return withDeadline(async (signal) => {
      if (latencyMs > 0) {
        onFault({ point, kind: 'latency', latencyMs });
        await clock.sleep(latencyMs, signal);
      }
      return error ? fail(error, signal) : serve(definition, request);
    }, downstreamDeadline(clock, point, request));
  };

  return { request, specChanged: () => injector.specChanged() };
};

/**
 * Hands the call to the service's own handler. Bodies are copied through JSON
 * as they would be on the wire, so neither side can mutate the other's objects
 * and what works here works over real HTTP too.
 */
const serve = async (definition: ServiceDefinition, request: HttpRequest): Promise<HttpResponse> => {
  const serviceRequest: ServiceRequest = {
    method: (request.method ?? 'GET').toUpperCase(),
    path: request.path,
    headers: lowerCaseHeaders(request.headers),
    body: jsonCopy(request.body),
  };
  let response: HttpResponse;
  try {
    response = await definition.handle(serviceRequest);
  } catch (error) {
    response = crashResponse(error);
  }
  return { status: response.status, headers: lowerCaseHeaders(response.headers), body: jsonCopy(response.body) };
};

const jsonCopy = (value: unknown): unknown => {
  const text = value === undefined ? undefined : JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
};
