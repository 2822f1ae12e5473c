/**
 * The checkout service: `POST /checkout` prices a cart, charges it through
 * the payments service and logs every step, from a route through a service
 * to a downstream call.
 *
 * Nothing here passes a logger or a request id from function to function.
 * The API's edge gives each request its id and runs the rest of the request
 * inside `context.run({ requestId }, …)`; the logger reads the context for
 * every line, and the payments client reads it for the header it sends. Add
 * a layer, an await or a helper in between and its lines still carry the id.
 */
import { isDownstreamError, type Clock, type HttpClient, type HttpResponse, type Random, type ServiceDefinition, type ServiceRequest } from '../kit/index.ts';
import type { ContextStore, Fields, Logger } from './logger.ts';

export interface User {
  id: string;
  name: string;
  email: string;
}

export interface CartItem {
  sku: string;
  quantity: number;
}

/** Looks a user up. */
export interface Users {
  get(id: string): User | undefined;
}

/** Prices one unit of a product, in cents. It may be slow, or fail. */
export interface Prices {
  priceOf(sku: string): Promise<number>;
}

export interface CheckoutOptions {
  /** The service's one logger: its lines get the request's fields from `context`. */
  logger: Logger;
  /** Where each request keeps its fields while it is served: the logger's context store, one value per async call (the kit's `AsyncContext`). */
  context: ContextStore<Fields>;
  /** The payments service. */
  payments: HttpClient;
  users: Users;
  prices: Prices;
  /** Times each request. */
  clock: Clock;
  /** Draws request and order ids. */
  random: Random;
}

/** The header a request id travels in, into this service and on to the services it calls. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** An id a caller may hand us: 1 to 64 letters, digits, `-`, `_`, `.` or `:`; nothing that could bloat or forge a line. */
export const isValidRequestId = (id: string): boolean => /^[A-Za-z0-9._:-]{1,64}$/.test(id);

/** 16 hex digits from the injected random source. */
export const newId = (random: Random): string =>
  Array.from({ length: 2 }, () =>
    Math.floor(random.next() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0'),
  ).join('');

/** The payments service said no, or answered with an error. */
export class PaymentError extends Error {
  override readonly name = 'PaymentError';

  constructor(readonly status: number) {
    super(`payments answered ${status}`);
  }
}

export class UnknownUserError extends Error {
  override readonly name = 'UnknownUserError';

  constructor(readonly userId: string) {
    super(`no user ${userId}`);
  }
}

/**
 * Calls the payments service. The payments service is another process: the
 * only part of this request that reaches it is what goes in the call, so the
 * request id goes in a header, and its lines can name the request too.
 */
export class PaymentsClient {
  constructor(
    private readonly http: HttpClient,
    private readonly context: ContextStore<Fields>,
  ) {}

  async charge(charge: { userId: string; amountCents: number; receiptEmail: string }): Promise<string> {
    const requestId = this.context.get()?.requestId;
    const response = await this.http.request({
      method: 'POST',
      path: '/charges',
      headers: typeof requestId === 'string' ? { [REQUEST_ID_HEADER]: requestId } : {},
      body: charge,
      timeoutMs: 2_000,
    });
    if (response.status !== 201) throw new PaymentError(response.status);
    return (response.body as { chargeId: string }).chargeId;
  }
}

/** The use case: price the cart, charge it, record the order. */
export class CheckoutService {
  constructor(private readonly options: { logger: Logger; users: Users; prices: Prices; payments: PaymentsClient; random: Random }) {}

  async placeOrder(input: { userId: string; items: readonly CartItem[]; clientIp?: string }): Promise<{ orderId: string; amountCents: number }> {
    const { logger: log, users, prices, payments, random } = this.options;
    const user = users.get(input.userId);
    if (!user) throw new UnknownUserError(input.userId);
    let amountCents = 0;
    for (const { sku, quantity } of input.items) {
      const priceCents = await prices.priceOf(sku);
      log.debug('item priced', { sku, quantity, priceCents });
      amountCents += priceCents * quantity;
    }
    log.info('charging card', { userId: user.id, amountCents });
    const chargeId = await payments.charge({ userId: user.id, amountCents, receiptEmail: user.email });
    const orderId = `ord-${newId(random)}`;
    // The whole user and where the order came from: what code logs sooner or later. The
    // redaction, not this call, is what keeps the email and the IP address out of the log.
    log.info('order placed', { orderId, chargeId, amountCents, user, clientIp: input.clientIp });
    return { orderId, amountCents };
  }
}

const json = (status: number, body: unknown): HttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body });

/** The checkout API: its edge gives each request an id and a context; its route calls the service. */
export const checkoutApi = (options: CheckoutOptions): ServiceDefinition => {
  const { logger: log, context, clock, random } = options;
  const service = new CheckoutService({ ...options, payments: new PaymentsClient(options.payments, context) });

  const route = async (request: ServiceRequest): Promise<HttpResponse> => {
    if (request.method !== 'POST' || request.path !== '/checkout') return json(404, { error: `no route ${request.method} ${request.path}` });
    const { userId, items } = (request.body ?? {}) as { userId?: unknown; items?: unknown };
    if (typeof userId !== 'string' || !Array.isArray(items)) return json(400, { error: 'expected { userId, items }' });
    try {
      const order = await service.placeOrder({ userId, items: items as CartItem[], clientIp: request.headers['x-forwarded-for'] });
      return json(201, order);
    } catch (error) {
      if (error instanceof UnknownUserError) {
        log.warn('unknown user', { userId });
        return json(404, { error: error.message });
      }
      if (error instanceof PaymentError || isDownstreamError(error)) {
        log.error('payment failed', { userId, err: error });
        return json(502, { error: 'payment failed' });
      }
      log.error('checkout failed', { userId, err: error });
      return json(500, { error: 'Internal Server Error' });
    }
  };

  return {
    handle(request) {
      const incoming = request.headers[REQUEST_ID_HEADER];
      const requestId = incoming !== undefined && isValidRequestId(incoming) ? incoming : newId(random);
      // Everything this request does from here, across every await, runs in its own context.
      return context.run({ requestId }, async () => {
        const start = clock.now();
        log.debug('request received', { method: request.method, path: request.path });
        const response = await route(request);
        const fields = { status: response.status, durationMs: Math.round((clock.now() - start) * 100) / 100 };
        if (response.status >= 500) log.error('request completed', fields);
        else if (response.status >= 400) log.warn('request completed', fields);
        else log.info('request completed', fields);
        return { ...response, headers: { ...response.headers, [REQUEST_ID_HEADER]: requestId } };
      });
    },
  };
};
