/**
 * A live downstream service: the real service on a loopback port, the fault
 * proxy in front of it, and a client that goes through the proxy. This is what
 * a live run hands a lab for an HTTP fault point.
 */
import type { HttpClient, HttpRequest, HttpResponse, ServiceDefinition } from '../../patterns/kit/http.ts';
import { isDownstreamError } from '../../patterns/kit/http.ts';
import { createHttpClient } from './client.ts';
import type { FaultInjectorOptions } from './injector.ts';
import { startFaultProxy, type FaultProxy } from './proxy.ts';
import { startServiceServer, type ServiceServer } from './service.ts';
import type { FaultInjection } from './types.ts';

export interface LiveServiceOptions extends FaultInjectorOptions {
  /** The fault point's id. */
  point: string;
  /** What the real service answers when no fault hits the call. */
  definition: ServiceDefinition;
  /** Called for every injected fault, at the moment it takes effect. */
  onFault: (injection: FaultInjection) => void;
}

/** A started live service. */
export interface LiveService {
  /** Calls go through the fault proxy; usable at once (calls wait until `ready`). */
  readonly client: HttpClient;
  /** Resolves once the service and proxy listen; rejects if either could not start. */
  readonly ready: Promise<void>;
  /** The proxy's address, for callers outside the lab (throws before `ready`). */
  readonly url: string;
  /** Re-checks the spec at once (see `FaultProxy.specChanged`). */
  specChanged(): Promise<void>;
  /** Closes the proxy and the service: no socket or timer is left behind. */
  close(): Promise<void>;
}

/**
 * Starts the service and its fault proxy. It returns at once, because a lab
 * asks for its services synchronously; the client waits for start-up itself.
 */
export const createLiveService = (options: LiveServiceOptions): LiveService => {
  const { point, onFault } = options;
  let parts: { service: ServiceServer; proxy: FaultProxy; http: HttpClient } | undefined;

  const ready = (async () => {
    const service = await startServiceServer(options.definition);
    try {
      const proxy = await startFaultProxy({ ...options, upstream: service.url });
      parts = { service, proxy, http: createHttpClient({ baseUrl: proxy.url, target: point, clock: options.clock }) };
    } catch (error) {
      await service.close();
      throw error;
    }
  })();
  // Whoever awaits `ready` or makes a call sees a failed start; nobody else needs to.
  ready.catch(() => {});

  const request = async (request: HttpRequest): Promise<HttpResponse> => {
    await ready;
    const { proxy, http } = parts!;
    // A spec applied since the last call may open or close the listener: settle that first.
    await proxy.syncIfSpecChanged();
    try {
      return await http.request(request);
    } catch (error) {
      // The proxy never sees a refused connection, so the fault is reported here.
      if (isDownstreamError(error) && error.code === 'ECONNREFUSED' && proxy.refusing) onFault({ point, kind: 'down' });
      throw error;
    }
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await ready.catch(() => {});
      if (!parts) return;
      await parts.proxy.close();
      await parts.service.close();
    })());

  return {
    client: { request },
    ready,
    get url() {
      if (!parts) throw new Error(`live service ${point} is not started yet: await ready`);
      return parts.proxy.url;
    },
    specChanged: async () => {
      await ready;
      await parts!.proxy.specChanged();
    },
    close,
  };
};
