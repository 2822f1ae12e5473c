/**
 * The "api" lab: a small products API served over HTTP behind the middleware
 * pipeline of app.ts (request id, logging, timing, errors, rate limiting).
 * Every inbound request goes to that server as a client would send it, with
 * its `x-client-key`, so you watch requests pass, get refused with 429 and
 * get logged, and switch the rate-limiting algorithm live.
 *
 * This file wires things up and turns the limiter's typed events into
 * telemetry; the pattern itself stays free of telemetry calls. The request
 * log lines come from the logging middleware, through the logger this file
 * hands it (ctx.log).
 */
import {
  DisposableStore,
  type Clock,
  type Disposable,
  type HttpResponse,
  type LabContext,
  type LabInstance,
  type LabRequest,
  type LabResult,
  type Params,
} from '../kit/index.ts';
import { makeAlgorithm } from './algorithms.ts';
import { createApp } from './app.ts';
import { startBoundaryBurst } from './burst-client.ts';
import { HttpError } from './errors.ts';
import { watchLimit } from './limit-watch.ts';
import { apiParams } from './params.ts';
import { toServiceDefinition, type Handler, type Route } from './pipeline.ts';
import { RateLimiter } from './rate-limit.ts';

const PRODUCTS = [
  { id: 1, name: 'Espresso cup', priceCents: 900 },
  { id: 2, name: 'Pour-over kettle', priceCents: 4_500 },
  { id: 3, name: 'Hand grinder', priceCents: 7_900 },
  { id: 4, name: 'Paper filters (100)', priceCents: 650 },
  { id: 5, name: 'Beans, 250 g', priceCents: 1_200 },
];

/** The healthy handler answers in 2–5 ms. */
const HANDLER_BASE_MS = 2;
const HANDLER_JITTER_MS = 3;

type Settings = typeof apiParams.defaults;

export function start(ctx: LabContext): LabInstance {
  const store = new DisposableStore();
  const handlerFault = ctx.fault('handler');

  /** The route handlers' own work, where the `handler` fault point sits. */
  const work = async () => {
    await handlerFault.hit();
    await ctx.clock.sleep(HANDLER_BASE_MS + ctx.random.next() * HANDLER_JITTER_MS);
  };
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/products',
      async handle(_req, res) {
        await work();
        res.body = { products: PRODUCTS };
      },
    },
    {
      method: 'GET',
      path: '/products/:id',
      async handle(req, res) {
        await work();
        const product = PRODUCTS.find((p) => String(p.id) === req.params.id);
        if (!product) throw new HttpError(404, `no product ${req.params.id}`);
        res.body = product;
      },
    },
  ];

  // Rebuilt when the parameters change; the server stays up and calls whichever is current.
  let app: Handler;
  let current: Disposable | undefined;
  const configure = (settings: Settings) => {
    current?.dispose();
    const parts = new DisposableStore();
    const algorithm = makeAlgorithm(settings.algorithm, { limit: settings.limit, windowMs: settings.windowMs });
    // The limiter reads the time once per decision; the invariant is checked at that same instant.
    let decidedAt = 0;
    const limiterClock: Clock = {
      now: () => (decidedAt = ctx.clock.now()),
      wallNow: () => ctx.clock.wallNow(),
      setTimeout: (callback, ms) => ctx.clock.setTimeout(callback, ms),
      setInterval: (callback, ms) => ctx.clock.setInterval(callback, ms),
      sleep: (ms, signal) => ctx.clock.sleep(ms, signal),
    };
    const limiter = parts.add(new RateLimiter({ algorithm, clock: limiterClock }));
    // The invariant (pattern.ts): what the algorithm in use promises, checked on every request it lets through.
    const keepsPromise = watchLimit({ algorithm: algorithm.name, limit: settings.limit, windowMs: settings.windowMs });
    parts.add(
      limiter.onDecision(({ key, allowed, remaining, limit }) => {
        ctx.emit({ type: 'ratelimit', key, allowed, remaining, limit, algorithm: algorithm.name });
        if (!allowed) return;
        const broken = keepsPromise(key, decidedAt);
        ctx.invariant('limit-kept', broken === undefined, () => `${algorithm.name}: ${broken}`);
      }),
    );
    parts.add(
      limiter.onEvict(({ keys, reason, size }) =>
        ctx.log.info(`rate limiter dropped ${keys.length} client state(s) (${reason}); ${size} held`, { keys, reason, size }),
      ),
    );
    app = createApp({ clock: ctx.clock, random: ctx.random, logger: ctx.log, limiter, routes });
    if (settings.boundaryBurst) {
      parts.add(startBoundaryBurst({ clock: ctx.clock, api, ...settings, log: ctx.log }));
    }
    current = parts;
    ctx.log.info(`rate limiter: ${algorithm.name}, ${settings.limit} requests per ${settings.windowMs} ms per client`, {
      ...settings,
    });
  };

  const api = ctx.server('api', toServiceDefinition((req, res) => app(req, res)));
  configure(apiParams.read(ctx.params));
  store.add({ dispose: () => current?.dispose() });

  return {
    async handle(request: LabRequest): Promise<LabResult> {
      const { path, route } = pickTarget(ctx.random.next());
      try {
        const response = await api.request({
          method: 'GET',
          path,
          // The load generator's id goes along, as a gateway's would: the
          // middleware reuses it, so log lines and the request log match.
          headers: { 'x-client-key': request.clientKey, 'x-request-id': request.id },
          ...(request.signal && { signal: request.signal }),
        });
        ctx.invariant(
          'response-has-request-id',
          response.headers['x-request-id'] === request.id,
          () => `${request.id} was answered ${response.status} with x-request-id ${JSON.stringify(response.headers['x-request-id'] ?? null)}`,
        );
        return toResult(response, route);
      } catch (error) {
        return { outcome: 'error', error: error instanceof Error ? error.message : String(error), route };
      }
    },
    updateParams(params: Params) {
      // A new limiter: every client starts afresh under the new algorithm.
      configure(apiParams.read(params));
    },
    dispose: () => store.dispose(),
  };
}

/** A quarter of the traffic lists the products, the rest asks for one. */
const pickTarget = (draw: number): { path: string; route: string } =>
  draw < 0.25
    ? { path: '/products', route: 'GET /products' }
    : { path: `/products/${1 + Math.floor(((draw - 0.25) / 0.75) * PRODUCTS.length)}`, route: 'GET /products/:id' };

/** Maps the server's answer to the request log's outcome. */
const toResult = (response: HttpResponse, route: string): LabResult => {
  const { status } = response;
  if (status >= 200 && status < 300) return { outcome: 'ok', status, route };
  if (status === 429) {
    return { outcome: 'rejected', status, route, error: `rate limited: retry after ${response.headers['retry-after'] ?? '?'} s` };
  }
  const body = response.body as { error?: unknown } | undefined;
  return { outcome: 'error', status, route, error: typeof body?.error === 'string' ? body.error : `HTTP ${status}` };
};
