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

/** An error as written, reduced to what every answer writes: its type and message (an answer may add its own fields, as `code`). */
const typeAndMessage = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  const { type, message } = value as Record<string, unknown>;
  return { type, message };
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
      expect.equal(
        typeAndMessage(lines()[0]?.err),
        { type: 'TypeError', message: "Cannot read properties of undefined (reading 'priceCents')" },
        'the type and message of the err field of the line',
      );
    },
  },
  {
    task: 1,
    name: "an error's cause is written too, and values that are not errors are written as they are",
    run(context) {
      const { expect } = context;
      const { logger, lines } = makeLogger(context);
      logger.warn('retrying', { err: new Error('charge failed', { cause: new Error('socket hang up') }), attempt: 2, reason: 'timeout' });
      const line = lines()[0];
      if (!line) return expect.fail('no line was written');
      const { err, ...rest } = line;
      expect.equal(rest, { time: line.time, level: 'warn', msg: 'retrying', attempt: 2, reason: 'timeout' }, 'the line without its err field');
      expect.equal(typeAndMessage(err), { type: 'Error', message: 'charge failed' }, 'the type and message of the err field');
      const cause = (err as { cause?: unknown } | undefined)?.cause;
      // The cause as a string, or written the same way as the error.
      if (typeof cause === 'string') expect.equal(cause, 'Error: socket hang up', 'the cause of the err field');
      else expect.equal(typeAndMessage(cause), { type: 'Error', message: 'socket hang up' }, 'the type and message of the cause of the err field');
    },
  },
  {
    task: 1,
    name: 'an error under any key, and one nested in another field, is written too',
    run(context) {
      const { expect } = context;
      const { logger, lines } = makeLogger(context);
      logger.error('refund failed', { reason: new RangeError('amount too large'), attempt: { n: 2, error: new Error('card declined') } });
      const line = lines()[0];
      if (!line) return expect.fail('no line was written');
      expect.equal(typeAndMessage(line.reason), { type: 'RangeError', message: 'amount too large' }, 'the type and message of the reason field');
      const attempt = line.attempt as { n?: unknown; error?: unknown } | undefined;
      expect.equal({ n: attempt?.n, error: typeAndMessage(attempt?.error) }, { n: 2, error: { type: 'Error', message: 'card declined' } }, 'the attempt field, its error by type and message');
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
      expect.equal(typeAndMessage(failed.err), { type: 'DownstreamError', message: 'payments: ETIMEDOUT' }, 'the type and message of the err field of the "payment failed" line');
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
    name: 'a field with a cycle does not throw: the line is written, the cycle cut or the fields left out saying why',
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
      // Either answer is fine: the cycle replaced by "[Circular]" and the rest kept, or the fields left out and logError saying why.
      if (typeof line.logError === 'string' && line.logError.length > 0) return;
      expect.equal(
        line.request,
        { method: 'POST', path: '/checkout', socket: { request: '[Circular]' } },
        'the request field (with no logError, the line should keep its fields and write the reference back as "[Circular]")',
      );
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
