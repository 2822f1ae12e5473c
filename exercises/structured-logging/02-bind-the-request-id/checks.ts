import { defineChecks, SeededRandom, type CheckContext, type HttpClient, type HttpRequest } from '../../../patterns/kit/index.ts';
import { AsyncContext } from '../../../patterns/kit/async-context.ts';
import { checkoutApi, type User } from '../../../patterns/structured-logging/checkout.ts';
import { Logger, type Fields } from '../../../patterns/structured-logging/logger.ts';
import { paymentsApi } from '../../../patterns/structured-logging/payments.ts';

const USERS: User[] = [
  { id: 'u-1', name: 'Ada', email: 'ada@example.com' },
  { id: 'u-2', name: 'Grace', email: 'grace@example.com' },
  { id: 'u-3', name: 'Edsger', email: 'edsger@example.com' },
];

interface Line {
  /** The request being served when the line was written: the truth, whatever the line says. */
  serving: string | undefined;
  service: string;
  msg: string;
  requestId: unknown;
}

/**
 * The checkout and payments services on the check's virtual clock. The code
 * gets an `AsyncContext` as its `context`; the check keeps its own, `serving`,
 * to know which request each line was written for without asking the code
 * (the truth it checks the lines against). Prices take 3 ms and payments
 * 7 ms, so requests sent together are in flight together.
 */
const makeStack = ({ clock }: CheckContext) => {
  const serving = new AsyncContext<string>();
  const lines: Line[] = [];
  const sink = {
    write(raw: string) {
      const { service, msg, requestId } = JSON.parse(raw) as Record<string, unknown>;
      lines.push({ serving: serving.get(), service: String(service), msg: String(msg), requestId });
    },
  };
  const context = new AsyncContext<Fields>();
  const random = new SeededRandom(5);
  const payments = paymentsApi({ logger: new Logger({ clock, sink, level: 'debug', bindings: { service: 'payments' } }), random });
  const calls: Array<{ serving: string | undefined; request: HttpRequest }> = [];
  const http: HttpClient = {
    async request(request) {
      calls.push({ serving: serving.get(), request });
      await clock.sleep(7);
      // The payments service runs in the caller's async call: the request it serves is the caller's.
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
  /** Sends a checkout per id, all at once (or one after the other), each served as `serving` that id; resolves with their statuses. */
  const checkout = async (ids: string[], { together = true } = {}) => {
    const send = (id: string, i: number) =>
      serving.run(id, async () =>
        api.handle({
          method: 'POST',
          path: '/checkout',
          headers: { 'x-request-id': id },
          body: { userId: USERS[i % USERS.length]!.id, items: [{ sku: 'beans', quantity: 1 }, { sku: 'cup', quantity: 2 }] },
        }),
      );
    const statuses: number[] = [];
    if (together) {
      const answers = ids.map(send);
      await clock.advance(200);
      for (const answer of await Promise.all(answers)) statuses.push(answer.status);
    } else {
      for (const [i, id] of ids.entries()) {
        const answer = send(id, i);
        await clock.advance(100);
        statuses.push((await answer).status);
      }
    }
    return statuses;
  };
  return { checkout, lines, calls };
};

/** The first line that names another request than the one being served, as a learner reads it. */
const firstWrong = (lines: Line[]) => {
  const wrong = lines.find((l) => l.requestId !== l.serving);
  return wrong && `${wrong.service} logged "${wrong.msg}" while serving ${wrong.serving} with requestId ${JSON.stringify(wrong.requestId ?? null)}`;
};

export default defineChecks([
  {
    task: 1,
    name: 'one request at a time, every line carries its id',
    async run(context) {
      const { expect } = context;
      const { checkout, lines } = makeStack(context);
      expect.equal(await checkout(['r-1', 'r-2'], { together: false }), [201, 201], 'the statuses of two checkouts, one after the other');
      const wrong = firstWrong(lines);
      if (wrong) expect.fail(wrong);
      expect.equal(lines.filter((l) => l.requestId === 'r-1').length, 8, "the lines of r-1's checkout (2 items: 6 in the checkout, 2 in payments)");
    },
  },
  {
    task: 1,
    name: 'three requests in flight together: every line carries the id of the request it was logged for',
    async run(context) {
      const { expect } = context;
      const { checkout, lines } = makeStack(context);
      expect.equal(await checkout(['r-1', 'r-2', 'r-3']), [201, 201, 201], 'the statuses of three checkouts sent together');
      const wrong = firstWrong(lines.filter((l) => l.service === 'checkout'));
      if (wrong) expect.fail(`${wrong}: another request rebound the logger while this one was waiting`);
    },
  },
  {
    task: 1,
    name: "three requests in flight together: each one's checkout lines, in order, under its own id",
    async run(context) {
      const { expect } = context;
      const { checkout, lines } = makeStack(context);
      await checkout(['r-1', 'r-2', 'r-3']);
      const expected = ['request received', 'item priced', 'item priced', 'charging card', 'order placed', 'request completed'];
      for (const id of ['r-1', 'r-2', 'r-3']) {
        expect.equal(
          lines.filter((l) => l.service === 'checkout' && l.requestId === id).map((l) => l.msg),
          expected,
          `the checkout's lines carrying requestId ${id}`,
        );
      }
    },
  },
  {
    task: 2,
    name: 'three requests in flight together: each call to payments carries its own request id in x-request-id',
    async run(context) {
      const { expect } = context;
      const { checkout, calls } = makeStack(context);
      await checkout(['r-1', 'r-2', 'r-3']);
      expect.equal(
        calls.map((c) => `${String(c.serving)} sent ${String(c.request.headers?.['x-request-id'] ?? 'no x-request-id')}`),
        ['r-1 sent r-1', 'r-2 sent r-2', 'r-3 sent r-3'],
        'the x-request-id each request sent to payments',
      );
    },
  },
  {
    task: 2,
    name: "three requests in flight together: the payments service's lines name the request that called it",
    async run(context) {
      const { expect } = context;
      const { checkout, lines } = makeStack(context);
      await checkout(['r-1', 'r-2', 'r-3']);
      const payments = lines.filter((l) => l.service === 'payments');
      expect.equal(payments.length, 6, 'the lines the payments service wrote for three charges');
      const wrong = firstWrong(payments);
      if (wrong) expect.fail(wrong);
    },
  },
]);
