import { defineChecks } from '../../../patterns/kit/index.ts';
import { EMAIL, IPV4, redactor, SENSITIVE_KEYS } from '../../../patterns/structured-logging/redact.ts';

const redact = redactor({ keys: SENSITIVE_KEYS, patterns: [EMAIL, IPV4] });
const R = '[REDACTED]';

/** The line as the service logs it when an order is placed: the whole user, the client's address. */
const orderPlaced = () => ({
  time: '2026-01-01T00:00:00.000Z',
  level: 'info',
  msg: 'order placed',
  requestId: 'req-7',
  orderId: 'ord-1',
  amountCents: 2_600,
  user: { id: 'u-1', name: 'Ada', email: 'ada@example.com' },
  clientIp: '203.0.113.16',
});

export default defineChecks([
  {
    task: 1,
    name: 'a sensitive key at the top of the line is censored',
    run({ expect }) {
      expect.equal(redact({ msg: 'login', email: 'ada@example.com', password: 'hunter2' }), { msg: 'login', email: R, password: R }, 'the redacted line');
    },
  },
  {
    task: 1,
    name: "a sensitive key inside a nested object is censored: the logged user's email",
    run({ expect }) {
      const line = redact(orderPlaced()) as { user?: unknown };
      expect.equal(line.user, { id: 'u-1', name: 'Ada', email: R }, 'the `user` field of the redacted order line');
    },
  },
  {
    task: 1,
    name: 'sensitive keys inside arrays of objects, whatever their case and separators, are censored',
    run({ expect }) {
      expect.equal(
        redact({ msg: 'batch', users: [{ id: 1, EMAIL: 'x' }, { id: 2, ip_address: 'y', profile: { Password: 'z' } }] }),
        { msg: 'batch', users: [{ id: 1, EMAIL: R }, { id: 2, ip_address: R, profile: { Password: R } }] },
        'the redacted line',
      );
    },
  },
  {
    task: 2,
    name: 'an email or IP address under a key no list names is scrubbed: clientIp, receiptEmail',
    run({ expect }) {
      const line = redact({ ...orderPlaced(), receiptEmail: 'ada@example.com' }) as Record<string, unknown>;
      expect.equal({ clientIp: line.clientIp, receiptEmail: line.receiptEmail }, { clientIp: R, receiptEmail: R }, 'the two fields, redacted');
    },
  },
  {
    task: 2,
    name: 'every address in a string is scrubbed, in the message too, and the rest of the string kept',
    run({ expect }) {
      const line = redact({
        msg: 'receipt for grace.hopper+shop@example.co.uk sent to ada@example.com from 10.0.0.12',
        notes: [{ text: 'retry from 192.168.1.1, then 192.168.1.2' }, { text: 'login from 10.0.0.1.' }],
      });
      expect.equal(
        line,
        { msg: `receipt for ${R} sent to ${R} from ${R}`, notes: [{ text: `retry from ${R}, then ${R}` }, { text: `login from ${R}.` }] },
        'the redacted line',
      );
    },
  },
  {
    task: 2,
    name: 'an address used as a field name is scrubbed too',
    run({ expect }) {
      expect.equal(redact({ msg: 'carts', cartsByEmail: { 'ada@example.com': 2 } }), { msg: 'carts', cartsByEmail: { [R]: 2 } }, 'the redacted line');
    },
  },
  {
    task: 2,
    name: 'what only looks like an address is kept: versions, prices, ids, times, numbers',
    run({ expect }) {
      const line = { time: '2026-01-01T00:00:00.000Z', msg: 'deployed 1.2.3 at 12.50', build: '1.2.3.4.5', amountCents: 1_250, ok: true, none: null };
      expect.equal(redact(line), line, 'a line with nothing to redact, redacted');
    },
  },
  {
    task: 3,
    name: "the caller's objects keep their data: the service still has the user's email after logging it",
    run({ expect }) {
      const original = orderPlaced();
      const user = original.user;
      redact(original);
      expect.equal(user.email, 'ada@example.com', "the user's email after the line was redacted");
      expect.equal(original.clientIp, '203.0.113.16', "the line's own clientIp after it was redacted");
    },
  },
  {
    task: 3,
    name: 'an object that contains itself is redacted without hanging, and a repeated object is not a cycle',
    run({ expect }) {
      const shared = { email: 'ada@example.com', plan: 'pro' };
      const line: Record<string, unknown> = { msg: 'cycle', first: shared, second: shared };
      line.self = line;
      const redacted = redact(line) as Record<string, unknown>;
      expect.equal(
        { first: redacted.first, second: redacted.second },
        { first: { email: R, plan: 'pro' }, second: { email: R, plan: 'pro' } },
        'the same object logged twice side by side',
      );
      expect.ok(redacted.self !== line, 'the line refers to itself: its redacted copy should not be the original line');
    },
  },
]);
