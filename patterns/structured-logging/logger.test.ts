import { describe, expect, it } from 'vitest';
import { SeededRandom, VirtualClock } from '../kit/index.ts';
import { Logger, type Fields, type Level, type LoggerOptions } from './logger.ts';
import { EMAIL, IPV4, redactor, redactPii } from './redact.ts';
import { BudgetSampler } from './sampling.ts';

/** A logger writing to an array, on a virtual clock; `lines` are the parsed lines, `raw` what was written. */
const makeLogger = (options: Partial<LoggerOptions> = {}) => {
  const raw: string[] = [];
  const clock = new VirtualClock();
  const logger = new Logger({ clock, sink: { write: (line) => void raw.push(line) }, level: 'debug', ...options });
  return { logger, raw, clock, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
};

/** A context store for code that does not await: enough to test what the logger reads. */
const syncContext = () => {
  let current: Fields | undefined;
  return {
    run<R>(value: Fields, fn: () => R): R {
      const previous = current;
      current = value;
      try {
        return fn();
      } finally {
        current = previous;
      }
    },
    get: () => current,
  };
};

describe('Logger', () => {
  it('writes one JSON object per line: time, level and message first, then the fields', () => {
    const { logger, raw } = makeLogger();
    logger.info('order placed', { orderId: 'ord-1', amountCents: 1200 });
    expect(raw).toEqual([`{"time":"${new Date(new VirtualClock().wallNow()).toISOString()}","level":"info","msg":"order placed","orderId":"ord-1","amountCents":1200}\n`]);
  });

  it('drops lines below its level, and a field never overwrites time, level or msg', () => {
    const { logger, lines } = makeLogger({ level: 'warn' });
    logger.debug('noise');
    logger.info('noise');
    logger.warn('slow', { level: 'debug', msg: 'forged' });
    logger.error('failed');
    expect(lines().map((l) => `${String(l.level)} ${String(l.msg)}`)).toEqual(['warn slow', 'error failed']);
    expect(logger.isLevelEnabled('info')).toBe(false);
    expect(() => new Logger({ clock: new VirtualClock(), sink: { write: () => undefined }, level: 'trace' as Level })).toThrow(RangeError);
  });

  it('binds fields into a new logger and leaves the one it came from alone', () => {
    const { logger, lines } = makeLogger();
    const child = logger.bind({ service: 'payments' }).bind({ requestId: 'r-1' });
    child.info('charge accepted');
    logger.info('started');
    expect(lines().map(({ time: _time, ...rest }) => rest)).toEqual([
      { level: 'info', msg: 'charge accepted', service: 'payments', requestId: 'r-1' },
      { level: 'info', msg: 'started' },
    ]);
  });

  it('adds the context of the current call: context, then bindings, then the call’s fields, the last one winning', () => {
    const context = syncContext();
    const { logger, lines } = makeLogger({ context, bindings: { service: 'checkout', where: 'binding' } });
    context.run({ requestId: 'r-7', where: 'context' }, () => logger.info('inside', { userId: 'u-1' }));
    context.run({ requestId: 'r-8', where: 'context' }, () => logger.info('inside', { where: 'call' }));
    logger.info('outside');
    expect(lines().map(({ time: _time, level: _level, ...rest }) => rest)).toEqual([
      { msg: 'inside', requestId: 'r-7', where: 'binding', service: 'checkout', userId: 'u-1' },
      { msg: 'inside', requestId: 'r-8', where: 'call', service: 'checkout' },
      { msg: 'outside', service: 'checkout', where: 'binding' },
    ]);
  });

  it('writes an Error’s name and message (JSON.stringify would write {}), and never throws on what it cannot serialize', () => {
    const { logger, lines } = makeLogger();
    logger.error('payment failed', { err: new TypeError('boom') });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    logger.info('cyclic', { cyclic });
    logger.info('big', { n: 10n });
    const [failed, cycle, big] = lines();
    expect(failed!.err).toEqual({ type: 'TypeError', message: 'boom' });
    expect(cycle).toMatchObject({ msg: 'cyclic', logError: expect.stringContaining('fields not serializable') });
    expect(big!.n).toBe('10');
  });

  it('writes errors at any depth with their own fields, and a cause the same way, without throwing on an odd one', () => {
    const { logger, lines } = makeLogger();
    const timeout = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    logger.warn('retrying', { attempts: [{ n: 1, error: new Error('charge failed', { cause: timeout }) }] });
    logger.warn('odd cause', { err: new Error('x', { cause: Object.create(null) as object }) });
    const [retrying, odd] = lines();
    expect(retrying!.attempts).toEqual([
      { n: 1, error: { type: 'Error', message: 'charge failed', cause: { type: 'Error', message: 'socket hang up', code: 'ECONNRESET' } } },
    ]);
    expect(odd!.err).toEqual({ type: 'Error', message: 'x', cause: {} });
  });

  it('redacts what an error says: the message of a nested error too', () => {
    const { logger, lines } = makeLogger({ redact: redactPii });
    logger.error('signup failed', { result: { err: new Error('duplicate key: ada@example.com') } });
    expect(lines()[0]!.result).toEqual({ err: { type: 'Error', message: 'duplicate key: [REDACTED]' } });
  });

  it('never throws into the caller when the sink, the redaction or the sampler does: it reports the lost line', () => {
    const failures: unknown[] = [];
    const boom = () => {
      throw new Error('disk full');
    };
    const clock = new VirtualClock();
    const onError = (error: unknown) => void failures.push(error);
    expect(() => new Logger({ clock, sink: { write: boom }, onError }).info('a')).not.toThrow();
    expect(() => new Logger({ clock, sink: { write: () => undefined }, redact: boom, onError }).info('b')).not.toThrow();
    expect(() => new Logger({ clock, sink: { write: () => undefined }, sampler: { keep: boom } }).info('c')).not.toThrow();
    expect(failures).toHaveLength(2);
  });

  it('escapes a newline inside a field, so a value cannot forge a second line', () => {
    const { logger, raw } = makeLogger();
    logger.warn('unknown user', { userId: 'u-1\n{"level":"info","msg":"all good"}' });
    expect(raw).toHaveLength(1);
    expect(raw[0]!.trimEnd().split('\n')).toHaveLength(1);
  });

  it('asks the sampler only about lines that passed the level, and redacts before it writes', () => {
    const asked: Level[] = [];
    const { logger, lines } = makeLogger({
      level: 'info',
      sampler: { keep: (level) => (asked.push(level), level !== 'info') },
      redact: redactPii,
    });
    logger.debug('not asked');
    logger.info('dropped by the sampler');
    logger.warn('login from a new address', { user: { id: 'u-1', email: 'ada@example.com' }, clientIp: '198.51.100.7' });
    expect(asked).toEqual(['info', 'warn']);
    expect(lines().map(({ time: _time, ...rest }) => rest)).toEqual([
      { level: 'warn', msg: 'login from a new address', user: { id: 'u-1', email: '[REDACTED]' }, clientIp: '[REDACTED]' },
    ]);
  });
});

describe('redactor', () => {
  const redact = redactor({ keys: ['email', 'ipAddress', 'password'], patterns: [EMAIL, IPV4] });

  it('censors sensitive keys at any depth, in arrays too, whatever their case or separators', () => {
    expect(
      redact({ msg: 'signup', user: { Email: 'a@b.io', ip_address: 'x', roles: [{ password: 'hunter2' }] }, email: { nested: true } }),
    ).toEqual({ msg: 'signup', user: { Email: '[REDACTED]', ip_address: '[REDACTED]', roles: [{ password: '[REDACTED]' }] }, email: '[REDACTED]' });
  });

  it('scrubs emails and IPv4 addresses out of every string, the message included, and leaves look-alikes', () => {
    expect(
      redact({ msg: 'receipt sent to ada.lovelace+shop@example.co.uk from 10.0.0.12', notes: ['ip 192.168.1.1'], version: '1.2.3', amount: '12.50' }),
    ).toEqual({ msg: 'receipt sent to [REDACTED] from [REDACTED]', notes: ['ip [REDACTED]'], version: '1.2.3', amount: '12.50' });
    expect(redact({ v: '1.2.3.4.5', big: '999.1.1.1' })).toEqual({ v: '1.2.3.4.5', big: '999.1.1.1' });
    expect(redact({ msg: 'login from 10.0.0.1.' })).toEqual({ msg: 'login from [REDACTED].' });
  });

  it('censors keys that end like a secret, scrubs field names, and walks what JSON writes', () => {
    class Account {
      constructor(readonly email: string) {}
    }
    expect(
      redactPii({
        sessionToken: 't',
        'x-api-key': 'k',
        set_cookie: 'c',
        clientSecret: 's',
        byEmail: { 'ada@example.com': 3 },
        account: new Account('ada@example.com'),
        when: new Date(0),
      }),
    ).toEqual({
      sessionToken: '[REDACTED]',
      'x-api-key': '[REDACTED]',
      set_cookie: '[REDACTED]',
      clientSecret: '[REDACTED]',
      byEmail: { '[REDACTED]': 3 },
      account: { email: '[REDACTED]' },
      when: '1970-01-01T00:00:00.000Z',
    });
  });

  it("returns a copy: the caller's objects keep their data", () => {
    const user = { id: 'u-1', email: 'ada@example.com' };
    const line = { msg: 'x', user };
    expect(redact(line)).toEqual({ msg: 'x', user: { id: 'u-1', email: '[REDACTED]' } });
    expect(user.email).toBe('ada@example.com');
  });

  it('survives a cycle, and shares a repeated object without calling it one', () => {
    const shared = { email: 'a@b.io' };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ shared: { email: '[REDACTED]' }, again: { email: '[REDACTED]' }, self: '[Circular]' });
  });
});

describe('BudgetSampler', () => {
  const flood = (sampler: BudgetSampler, level: Level, n: number) => Array.from({ length: n }, () => sampler.keep(level)).filter(Boolean).length;

  it('keeps every line up to the budget, then about the `thereafter` share, each second afresh', async () => {
    const clock = new VirtualClock();
    const sampler = new BudgetSampler({ clock, random: new SeededRandom(3), perSecond: 100, thereafter: 0.01 });
    expect(flood(sampler, 'debug', 100)).toBe(100);
    const past = flood(sampler, 'debug', 10_000);
    expect(past).toBeGreaterThan(60);
    expect(past).toBeLessThan(140);
    await clock.advance(1_000);
    expect(flood(sampler, 'debug', 100)).toBe(100);
  });

  it('never samples a level it has no budget for: warnings and errors by default', () => {
    const sampler = new BudgetSampler({ clock: new VirtualClock(), random: new SeededRandom(3), thereafter: 0 });
    expect(flood(sampler, 'debug', 1_000)).toBe(100);
    expect(flood(sampler, 'error', 1_000)).toBe(1_000);
    expect(flood(sampler, 'warn', 1_000)).toBe(1_000);
    expect(flood(sampler, 'info', 1_000)).toBe(1_000);
  });

  it('gives each level a budget of its own', () => {
    const sampler = new BudgetSampler({ clock: new VirtualClock(), random: new SeededRandom(3), perSecond: 10, levels: ['debug', 'info'], thereafter: 0 });
    expect(flood(sampler, 'info', 1_000)).toBe(10);
    expect(flood(sampler, 'debug', 1_000)).toBe(10);
  });

  it('refuses a budget or a share that makes no sense, naming it', () => {
    const base = { clock: new VirtualClock(), random: new SeededRandom(1) };
    expect(() => new BudgetSampler({ ...base, perSecond: -1 })).toThrow(/perSecond/);
    expect(() => new BudgetSampler({ ...base, thereafter: 2 })).toThrow(/thereafter/);
    expect(() => new BudgetSampler({ ...base, levels: ['debug', 'error'] })).toThrow(RangeError);
  });
});
