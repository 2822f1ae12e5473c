/**
 * The "checkout" lab: a checkout service on the lab's own HTTP server
 * (checkout.ts), which prices each cart (the `pricing` fault point) and
 * charges it through a payments service (payments.ts, behind the `payments`
 * fault point). Both log with the Logger of logger.ts, configured as the
 * parameters say: minimum level, sampling (sampling.ts), redaction
 * (redact.ts) and where the request context is kept.
 *
 * The loggers write JSON lines to the lab's sinks; the lab reads each line,
 * turns it into a `structured-logging.line` event for the log explorer,
 * counts the volume per level, and checks its invariants on what it read, not
 * on what the code says it did (the code is under test):
 *
 * - no-pii-in-logs: no line shows an email or an IP address;
 * - every-line-has-request-id: a line written while serving a request carries
 *   that request's id. The lab knows which request that is without the code's
 *   help: the run's request scope on the checkout side, and a header of its
 *   own on each call to payments;
 * - every-failure-logged: a request answered 5xx has an error line with its id.
 */
import {
  DisposableStore,
  type HttpClient,
  type HttpResponse,
  type LabContext,
  type LabInstance,
  type LabRequest,
  type LabResult,
  type Params,
  SeededRandom,
  type ServiceDefinition,
} from '../kit/index.ts';
import { AsyncContext } from '../kit/async-context.ts';
import { checkoutApi, type Prices, type User, type Users } from './checkout.ts';
import { countingSampler, findPii, LAB_REQUEST_HEADER, moduleVariableContext, readLine } from './lab-support.ts';
import { Logger, type Fields, type LogSink, type Sampler } from './logger.ts';
import { checkoutParams } from './params.ts';
import { paymentsApi } from './payments.ts';
import { redactPii } from './redact.ts';
import { BudgetSampler } from './sampling.ts';

const USERS: User[] = Array.from({ length: 40 }, (_, i) => ({ id: `u-${i + 1}`, name: `Member ${i + 1}`, email: `member${i + 1}@example.com` }));
const BY_ID = new Map(USERS.map((u) => [u.id, u]));
/** Where each user shops from: addresses of TEST-NET-3 (RFC 5737), reserved for examples. */
const IPS = USERS.map((_, i) => `203.0.113.${10 + i}`);
const EMAILS = USERS.map((u) => u.email);
const CATALOG: Readonly<Record<string, number>> = { 'espresso-cup': 900, 'pour-over-kettle': 4_500, 'hand-grinder': 7_900, 'paper-filters': 650, beans: 1_200 };
const SKUS = Object.keys(CATALOG);
const ROUTE = 'POST /checkout';

/** A price look-up takes 1–4 ms; payments answers in 5–15 ms. */
const PRICE_MS = 1;
const PRICE_JITTER_MS = 3;
const PAYMENTS_MS = 5;
const PAYMENTS_JITTER_MS = 10;

type Settings = typeof checkoutParams.defaults;
type Service = 'checkout' | 'payments';
type Counted = 'debug' | 'info' | 'warn' | 'error' | 'sampledOut';

export function start(ctx: LabContext): LabInstance {
  const store = new DisposableStore();
  const pricingFault = ctx.fault('pricing');
  const users: Users = { get: (id) => BY_ID.get(id) };
  const prices: Prices = {
    async priceOf(sku) {
      await pricingFault.hit();
      await ctx.clock.sleep(PRICE_MS + ctx.random.next() * PRICE_JITTER_MS);
      const price = CATALOG[sku];
      if (price === undefined) throw new Error(`no price for ${sku}`);
      return price;
    },
  };

  /** The requests in flight, by id, with the error lines that carried their id so far. */
  const inFlight = new Map<string, { errorLines: number }>();
  const volume: Record<Counted, number> = { debug: 0, info: 0, warn: 0, error: 0, sampledOut: 0 };

  /** A sink for one service's lines; `truth` is the request the code was serving when it wrote one (undefined outside any). */
  const sinkFor = (service: Service, truth: () => string | undefined): LogSink => ({
    write(raw) {
      const line = readLine(raw);
      if (Object.hasOwn(volume, line.level)) volume[line.level as Counted]++;
      const pii = findPii(raw, { emails: EMAILS, ips: IPS });
      ctx.invariant('no-pii-in-logs', pii === undefined, () => `${service} logged "${line.msg}" with ${pii}`);
      const serving = truth();
      if (serving !== undefined) {
        ctx.invariant(
          'every-line-has-request-id',
          line.requestId === serving,
          () =>
            `${service} logged "${line.msg}" while serving ${serving}, ` +
            (line.requestId === undefined ? 'with no request id' : `with the request id of ${line.requestId}`),
        );
      }
      if (line.level === 'error' && line.requestId !== undefined) {
        const request = inFlight.get(line.requestId);
        if (request) request.errorLines++;
      }
      ctx.emit({
        type: 'structured-logging.line',
        service,
        level: line.level,
        msg: line.msg,
        ...(line.requestId !== undefined && { requestId: line.requestId }),
        fields: line.fields,
        text: line.text,
      });
    },
  });

  // Rebuilt when the parameters change: each service gets new loggers, the run goes on.
  let checkout: ServiceDefinition;
  let paymentsLogger: (serving: string | undefined) => Logger;
  // The pattern's carrier: a value per async call, which follows each request across its awaits.
  const perCall = new AsyncContext<Fields>();
  // The samplers' own random source, made from one draw of the run's at the start: with a share of
  // ctx.random, turning sampling on would shift every later draw of the load (users, carts, latencies),
  // and a run with sampling would no longer see the same traffic as one without.
  const samplerRandom = new SeededRandom(Math.floor(ctx.random.next() * 2 ** 32));

  const configure = (settings: Settings) => {
    // Each service samples on its own budget, as each process would.
    const sampler = (): Sampler | undefined =>
      settings.sampling
        ? countingSampler(new BudgetSampler({ clock: ctx.clock, random: samplerRandom, perSecond: settings.debugPerSecond }), () => volume.sampledOut++)
        : undefined;
    const common = { clock: ctx.clock, level: settings.level, ...(settings.redaction && { redact: redactPii }) };
    const context = settings.carrier === 'async-call' ? perCall : moduleVariableContext<Fields>();
    const checkoutSampler = sampler();
    checkout = checkoutApi({
      logger: new Logger({
        ...common,
        ...(checkoutSampler && { sampler: checkoutSampler }),
        sink: sinkFor('checkout', () => ctx.currentRequestId()),
        context,
        bindings: { service: 'checkout' },
      }),
      context,
      payments,
      users,
      prices,
      clock: ctx.clock,
      random: ctx.random,
    });
    const paymentsSampler = sampler();
    paymentsLogger = (serving) =>
      new Logger({ ...common, ...(paymentsSampler && { sampler: paymentsSampler }), sink: sinkFor('payments', () => serving), bindings: { service: 'payments' } });
    ctx.log.info(
      `loggers: ${settings.level} and up, ${settings.sampling ? `debug sampled past ${settings.debugPerSecond} lines/s` : 'no sampling'}, ` +
        `${settings.redaction ? 'personal data redacted' : 'no redaction'}, request context in ${settings.carrier === 'async-call' ? 'each async call' : 'a module variable'}`,
      { ...settings },
    );
  };

  const paymentsHttp = ctx.service('payments', {
    async handle(request) {
      await ctx.clock.sleep(PAYMENTS_MS + ctx.random.next() * PAYMENTS_JITTER_MS);
      // A logger per call, whose sink knows which request the call was made for.
      return paymentsApi({ logger: paymentsLogger(request.headers[LAB_REQUEST_HEADER]), random: ctx.random }).handle(request);
    },
  });
  /** The client the checkout gets: each call tagged with the request it was made for, in the lab's own header. */
  const payments: HttpClient = {
    request(request) {
      const serving = ctx.currentRequestId();
      return paymentsHttp.request(serving === undefined ? request : { ...request, headers: { ...request.headers, [LAB_REQUEST_HEADER]: serving } });
    },
  };
  const api = ctx.server('checkout', { handle: (request) => checkout.handle(request) });
  configure(checkoutParams.read(ctx.params));

  store.add(
    ctx.clock.setInterval(() => {
      ctx.emit({ type: 'structured-logging.volume', windowMs: 1_000, ...volume });
      for (const key of Object.keys(volume) as Counted[]) volume[key] = 0;
    }, 1_000),
  );

  return {
    async handle(request: LabRequest): Promise<LabResult> {
      const index = Math.floor(ctx.random.next() * USERS.length);
      const items = Array.from({ length: 1 + Math.floor(ctx.random.next() * 3) }, () => ({
        sku: SKUS[Math.floor(ctx.random.next() * SKUS.length)]!,
        quantity: 1 + Math.floor(ctx.random.next() * 2),
      }));
      inFlight.set(request.id, { errorLines: 0 });
      try {
        const response = await api.request({
          method: 'POST',
          path: '/checkout',
          // The load generator's id goes along, as a gateway's would, with the client's address.
          headers: { 'content-type': 'application/json', 'x-request-id': request.id, 'x-forwarded-for': IPS[index]! },
          body: { userId: USERS[index]!.id, items },
          ...(request.signal && { signal: request.signal }),
        });
        if (response.status >= 500) {
          ctx.invariant(
            'every-failure-logged',
            (inFlight.get(request.id)?.errorLines ?? 0) > 0,
            () => `${request.id} was answered ${response.status}, and no error line carries its id`,
          );
        }
        return toResult(response);
      } catch (error) {
        return { outcome: 'error', error: error instanceof Error ? error.message : String(error), route: ROUTE };
      } finally {
        inFlight.delete(request.id);
      }
    },
    updateParams(params: Params) {
      configure(checkoutParams.read(params));
    },
    dispose: () => store.dispose(),
  };
}

const toResult = (response: HttpResponse): LabResult => {
  const { status } = response;
  if (status < 300) return { outcome: 'ok', status, route: ROUTE };
  const body = response.body as { error?: unknown } | undefined;
  const error = typeof body?.error === 'string' ? body.error : `HTTP ${status}`;
  return { outcome: status < 500 ? 'rejected' : 'error', status, route: ROUTE, error };
};
