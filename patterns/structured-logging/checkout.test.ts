import { describe, expect, it } from 'vitest';
import { AsyncContext } from '../kit/async-context.ts';
import { SeededRandom, VirtualClock, type HttpClient, type HttpRequest } from '../kit/index.ts';
import { checkoutApi, type User } from './checkout.ts';
import { moduleVariableContext } from './lab-support.ts';
import { Logger, type ContextStore, type Fields } from './logger.ts';
import { paymentsApi } from './payments.ts';

const USERS: User[] = [
  { id: 'u-1', name: 'Ada', email: 'ada@example.com' },
  { id: 'u-2', name: 'Grace', email: 'grace@example.com' },
];

/**
 * The checkout and payments services on virtual time, the request context
 * kept in `context`. Prices and payments answer after a few ms, so requests
 * sent together overlap.
 */
const makeStack = (context: ContextStore<Fields>) => {
  const clock = new VirtualClock();
  const lines: Array<Record<string, unknown>> = [];
  const sink = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  const random = new SeededRandom(5);
  const payments = paymentsApi({ logger: new Logger({ clock, sink, level: 'debug', bindings: { service: 'payments' } }), random });
  const sent: HttpRequest[] = [];
  const http: HttpClient = {
    async request(request) {
      sent.push(request);
      await clock.sleep(7);
      return payments.handle({ method: request.method ?? 'GET', path: request.path, headers: request.headers ?? {}, body: request.body });
    },
  };
  const api = checkoutApi({
    logger: new Logger({ clock, sink, level: 'debug', context, bindings: { service: 'checkout' } }),
    context,
    payments: http,
    users: { get: (id) => USERS.find((u) => u.id === id) },
    prices: { priceOf: async () => (await clock.sleep(3), 500) },
    clock,
    random,
  });
  /** Sends checkouts with these ids at once and lets them all finish. */
  const checkout = async (ids: string[]) => {
    const answers = ids.map((id, i) =>
      api.handle({
        method: 'POST',
        path: '/checkout',
        headers: { 'x-request-id': id },
        body: { userId: USERS[i % 2]!.id, items: [{ sku: 'beans', quantity: 1 }, { sku: 'cup', quantity: 2 }] },
      }),
    );
    await clock.advance(100);
    return Promise.all(answers);
  };
  return { checkout, lines, sent };
};

describe('the checkout stack', () => {
  it('puts its request id on every line of a request, in both services, with requests in flight together', async () => {
    const { checkout, lines, sent } = makeStack(new AsyncContext());
    const answers = await checkout(['r-1', 'r-2', 'r-3']);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    for (const id of ['r-1', 'r-2', 'r-3']) {
      expect(lines.filter((l) => l.requestId === id).map((l) => `${String(l.service)} ${String(l.msg)}`)).toEqual([
        'checkout request received',
        'checkout item priced',
        'checkout item priced',
        'checkout charging card',
        'payments charge requested',
        'payments charge accepted',
        'checkout order placed',
        'checkout request completed',
      ]);
    }
    expect(lines.every((l) => typeof l.requestId === 'string')).toBe(true);
    expect(sent.map((r) => r.headers?.['x-request-id'])).toEqual(['r-1', 'r-2', 'r-3']);
  });

  it('mixes the ids up when the context is one module variable: the last request to start wins', async () => {
    const { checkout, lines, sent } = makeStack(moduleVariableContext());
    await checkout(['r-1', 'r-2', 'r-3']);
    expect(lines.filter((l) => l.msg === 'order placed').map((l) => l.requestId)).toEqual(['r-3', 'r-3', 'r-3']);
    expect(sent.map((r) => r.headers?.['x-request-id'])).toEqual(['r-3', 'r-3', 'r-3']);
  });

  it('gives a request without a valid id a new one, and answers with it', async () => {
    const clock = new VirtualClock();
    const lines: Array<Record<string, unknown>> = [];
    const context = new AsyncContext<Fields>();
    const api = checkoutApi({
      logger: new Logger({ clock, sink: { write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) }, context }),
      context,
      payments: { request: async () => ({ status: 201, headers: {}, body: { chargeId: 'ch_1' } }) },
      users: { get: () => USERS[0] },
      prices: { priceOf: async () => 100 },
      clock,
      random: new SeededRandom(1),
    });
    const response = await api.handle({ method: 'POST', path: '/checkout', headers: { 'x-request-id': 'bad id\n' }, body: { userId: 'u-1', items: [] } });
    const header = response.headers['x-request-id'];
    expect(header).toMatch(/^[0-9a-f]{16}$/);
    expect(lines.map((l) => `${String(l.msg)} ${String(l.requestId)}`)).toEqual([`charging card ${header}`, `order placed ${header}`, `request completed ${header}`]);
  });
});
