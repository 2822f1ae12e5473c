/**
 * The fault proxy: a real HTTP server on 127.0.0.1 in front of a real service,
 * applying the fault model to every request it receives. Faults are real
 * network events: a reset is a TCP RST, a hang is a socket that never answers,
 * and "down" closes the listener so the caller's connection is refused.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Disposable } from '../../patterns/kit/events.ts';
import type { FaultSpec } from '../../patterns/kit/faults.ts';
import { FaultInjector, type FaultInjectorOptions } from './injector.ts';
import { injectedResponse, injectedStatus } from './responses.ts';
import { destroyAndWait, handlesReleased, sendJson } from './service.ts';
import type { FaultInjection } from './types.ts';

export interface FaultProxyOptions extends FaultInjectorOptions {
  point: string;
  /** The real service behind the proxy: `http://127.0.0.1:<port>`. */
  upstream: string;
  /** Called for every fault the proxy injects. */
  onFault: (injection: FaultInjection) => void;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`; the port stays the same while the listener closes and reopens. */
  readonly url: string;
  readonly port: number;
  /** True while the listener is closed because every call is refused. */
  readonly refusing: boolean;
  /** Re-checks the spec now: restarts call numbering and opens or closes the listener. Resolves when done. */
  specChanged(): Promise<void>;
  /** Like `specChanged`, but only when `getSpec()` returned a new spec since the last check. */
  syncIfSpecChanged(): Promise<void>;
  /** Stops listening and destroys every connection, hung ones included; cancels every timer. */
  close(): Promise<void>;
}

// Far boundaries are re-checked at least this often: Node timers overflow past ~24.8 days.
const MAX_TIMER_MS = 3_600_000;
// A reopened port can be briefly taken by someone else; try again soon.
const RELISTEN_RETRY_MS = 100;

// Headers about one hop's connection, which a proxy must not pass along.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** Starts a fault proxy on a random loopback port. */
export const startFaultProxy = async (options: FaultProxyOptions): Promise<FaultProxy> => {
  const proxy = new LoopbackFaultProxy(options);
  await proxy.start();
  return proxy;
};

class LoopbackFaultProxy implements FaultProxy {
  port = 0;
  refusing = false;
  private readonly injector: FaultInjector;
  private readonly server: Server;
  private readonly upstream: URL;
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<AbortController>();
  private listening = false;
  private closed = false;
  private timer: Disposable | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private syncedSpec: FaultSpec | undefined;

  constructor(private readonly options: FaultProxyOptions) {
    this.injector = new FaultInjector(options);
    this.upstream = new URL(options.upstream);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => req.socket.destroy());
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A caller that vanishes mid-request is normal here; don't answer it.
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    // Always bind first, even when the point starts down: the port must be known and kept.
    await this.listen(0);
    this.port = (this.server.address() as AddressInfo).port;
    await this.specChanged();
  }

  specChanged(): Promise<void> {
    this.injector.specChanged();
    return this.sync();
  }

  syncIfSpecChanged(): Promise<void> {
    return this.options.getSpec() === this.syncedSpec ? this.syncing : this.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer?.dispose();
    await this.syncing;
    for (const controller of this.inFlight) controller.abort();
    const stopped = this.listening ? new Promise<void>((resolve) => this.server.close(() => resolve())) : undefined;
    this.listening = false;
    await Promise.all([...this.sockets].map(destroyAndWait));
    await stopped;
    await handlesReleased();
  }

  /** Queues a check of the listener; checks run one at a time, in order. */
  private sync(atRunTime?: number): Promise<void> {
    const run = this.syncing.then(() => this.applySpec(atRunTime));
    // One failed check must not block the ones after it; its caller still sees the error.
    this.syncing = run.catch(() => {});
    return run;
  }

  /** For timers and requests, where nobody waits on the check. */
  private syncInBackground(atRunTime?: number): void {
    this.sync(atRunTime).catch(() => {});
  }

  /**
   * Opens or closes the listener to match the spec at run time `at`, then sets
   * a timer for the next window boundary. A timer firing a hair early must not
   * see the old state, so a boundary's check runs at the boundary itself.
   */
  private async applySpec(atRunTime: number | undefined): Promise<void> {
    if (this.closed) return;
    this.syncedSpec = this.options.getSpec();
    const at = Math.max(this.injector.runTime(), atRunTime ?? -Infinity);
    const down = this.injector.isDown(at);
    this.timer?.dispose();
    this.timer = undefined;
    if (down && this.listening) {
      // Existing connections carry on; new ones are refused by the OS.
      this.server.close();
      this.listening = false;
    } else if (!down && !this.listening) {
      try {
        await this.listen(this.port);
      } catch {
        if (!this.closed) this.timer = this.options.clock.setTimeout(() => this.syncInBackground(), RELISTEN_RETRY_MS);
        return;
      }
      if (this.closed) return; // close() waits for us, then stops the listener
    }
    this.refusing = !this.listening;
    const next = this.injector.nextChangeAfter(at);
    if (next === undefined) return;
    const delay = next - this.injector.runTime();
    this.timer =
      delay <= MAX_TIMER_MS
        ? this.options.clock.setTimeout(() => this.syncInBackground(next), delay)
        : this.options.clock.setTimeout(() => this.syncInBackground(), MAX_TIMER_MS); // just look again
  }

  private listen(port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onListening = () => {
        this.server.off('error', onError);
        this.listening = true;
        resolve();
      };
      const onError = (error: Error) => {
        this.server.off('listening', onListening);
        reject(error);
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen({ port, host: '127.0.0.1' });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.options.getSpec() !== this.syncedSpec) this.syncInBackground();
    const { point, onFault, clock } = this.options;
    const { error, latencyMs } = this.injector.next().decision;
    if (error?.kind === 'down') {
      // Some calls refused, others not: one listener cannot do that, so reset at once.
      onFault({ point, kind: 'down' });
      resetConnection(req.socket);
      return;
    }
    const controller = new AbortController();
    this.inFlight.add(controller);
    res.once('close', () => {
      controller.abort();
      this.inFlight.delete(controller);
    });
    if (latencyMs > 0) {
      onFault({ point, kind: 'latency', latencyMs });
      try {
        await clock.sleep(latencyMs, controller.signal);
      } catch {
        return; // the caller left, or the proxy closed
      }
    }
    if (!error) {
      this.forward(req, res, controller.signal);
      return;
    }
    const status = injectedStatus(error);
    onFault(status === undefined ? { point, kind: error.kind } : { point, kind: error.kind, status });
    switch (error.kind) {
      case 'status':
      case 'exception':
      case 'busy':
      case 'locked':
        sendJson(res, injectedResponse(error));
        return;
      case 'reset':
        resetConnection(req.socket);
        return;
      case 'hang':
        // Never answer. The socket stays tracked, so close() destroys it.
        return;
    }
  }

  /** Passes the request to the real service and streams its answer back. */
  private forward(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): void {
    const upstream = httpRequest({
      host: this.upstream.hostname,
      port: this.upstream.port,
      method: req.method,
      path: req.url,
      headers: withoutHopByHop(req.headers),
      agent: false,
    });
    signal.addEventListener('abort', () => upstream.destroy(), { once: true });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (signal.aborted) return;
      if (res.headersSent) res.destroy();
      else sendJson(res, { status: 502, headers: {}, body: { error: `bad gateway: ${error.message}` } });
    });
    req.pipe(upstream);
  }
}

/** A TCP reset (RST) where Node supports it, else a plain close. */
const resetConnection = (socket: Socket): void => {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
};

const withoutHopByHop = (headers: IncomingHttpHeaders): IncomingHttpHeaders => {
  const result: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) result[name] = value;
  }
  return result;
};
