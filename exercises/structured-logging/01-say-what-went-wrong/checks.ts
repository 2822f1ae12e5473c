import { defineChecks, DownstreamError, SeededRandom, type CheckContext } from '../../../patterns/kit/index.ts';
import { checkoutApi } from '../../../patterns/structured-logging/checkout.ts';
import { Logger, type ContextStore, type Fields } from '../../../patterns/structured-logging/logger.ts';

/** A logger on the check's clock writing to an array; `lines()` parses what it wrote. */
const makeLogger = ({ clock }: CheckContext) => {
  const raw: string[] = [];
  const logger = new Logger({ clock, level: 'debug', sink: { write: (line) => void raw.push(line) } });
  return { logger, raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
};

/** Calls `fn`, and says what it threw, if anything. */
const threw = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
};

/** No context: these checks serve one request at a time, and read no request id. */
const noContext: ContextStore<Fields> = { run: (_value, fn) => fn(), get: () => undefined };

export default defineChecks([
  {
    task: 1,
    name: 'an Error field is written with its type and message, not as {}',
    run(context) {
      const { expect } = context;
      const { logger, lines } = makeLogger(context);
      logger.error('checkout failed', { userId: 'u-7', err: new TypeError("Cannot read properties of undefined (reading 'priceCents')") });
      expect.equal(lines()[0]?.err, { type: 'TypeError', message: "Cannot read properties of undefined (reading 'priceCents')" }, 'the err field of the line');
    },
  },
  {
    task: 1,
    name: "an error's cause is written too, and values that are not errors are written as they are",
    run(context) {
      const { expect } = context;
      const { logger, lines } = makeLogger(context);
      logger.warn('retrying', { err: new Error('charge failed', { cause: new Error('socket hang up') }), attempt: 2, reason: 'timeout' });
      expect.equal(
        lines()[0],
        { time: lines()[0]?.time, level: 'warn', msg: 'retrying', err: { type: 'Error', message: 'charge failed', cause: 'Error: socket hang up' }, attempt: 2, reason: 'timeout' },
        'the line',
      );
    },
  },
  {
    task: 1,
    name: "the checkout's 'payment failed' line says why the payment failed",
    async run(context) {
      const { expect, clock } = context;
      const { logger, lines } = makeLogger(context);
      const api = checkoutApi({
        logger,
        context: noContext,
        payments: { request: () => Promise.reject(new DownstreamError('ETIMEDOUT', 'payments')) },
        users: { get: (id) => ({ id, name: 'Ada', email: 'ada@example.com' }) },
        prices: { priceOf: async () => 900 },
        clock,
        random: new SeededRandom(1),
      });
      const response = await api.handle({ method: 'POST', path: '/checkout', headers: { 'x-request-id': 'r-1' }, body: { userId: 'u-7', items: [{ sku: 'cup', quantity: 1 }] } });
      expect.equal(response.status, 502, 'the status of a checkout whose payment timed out');
      const failed = lines().find((l) => l.msg === 'payment failed');
      if (!failed) return expect.fail('no "payment failed" line was written');
      expect.equal(failed.err, { type: 'DownstreamError', message: 'payments: ETIMEDOUT' }, 'the err field of the "payment failed" line');
    },
  },
  {
    task: 2,
    name: 'a BigInt field is written as its digits',
    run(context) {
      const { expect } = context;
      const { logger, lines } = makeLogger(context);
      const thrown = threw(() => logger.info('ledger', { balanceMicros: 12_345_678_901_234_567_890n }));
      if (thrown) return expect.fail(`logging a BigInt threw ${thrown}`);
      expect.equal(lines()[0]?.balanceMicros, '12345678901234567890', 'the balanceMicros field of the line');
    },
  },
  {
    task: 2,
    name: 'a field with a cycle does not throw: the line is written without its fields, saying why',
    run(context) {
      const { expect } = context;
      const { logger, raw, lines } = makeLogger(context);
      const request: Record<string, unknown> = { method: 'POST', path: '/checkout' };
      request.socket = { request };
      const thrown = threw(() => logger.warn('slow request', { request }));
      if (thrown) return expect.fail(`logging an object with a cycle threw ${thrown}: the request that logged it would fail`);
      expect.equal(raw.length, 1, 'lines written');
      const line = lines()[0]!;
      expect.equal({ level: line.level, msg: line.msg }, { level: 'warn', msg: 'slow request' }, 'the level and message of the line');
      expect.ok(typeof line.time === 'string', `the line should keep its time, got ${JSON.stringify(line.time)}`);
      expect.ok(typeof line.logError === 'string' && line.logError.length > 0, `the line should say why its fields are missing in logError, got ${JSON.stringify(line.logError)}`);
    },
  },
  {
    task: 2,
    name: 'every write is still one JSON object and a newline',
    run(context) {
      const { expect } = context;
      const { logger, raw } = makeLogger(context);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      threw(() => logger.info('a', { n: 1n }));
      threw(() => logger.info('b', { cyclic }));
      threw(() => logger.info('c', { note: 'two\nlines' }));
      expect.equal(
        raw.map((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n')),
        [true, true, true],
        'whether each of three writes is one line ending in a newline',
      );
    },
  },
]);
