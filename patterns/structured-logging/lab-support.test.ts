import { describe, expect, it } from 'vitest';
import { findPii, logfmt, moduleVariableContext, readLine } from './lab-support.ts';

it('a module variable keeps the last value set, whoever reads it', () => {
  const context = moduleVariableContext<string>();
  context.run('r-1', () => undefined);
  context.run('r-2', () => undefined);
  expect(context.get()).toBe('r-2');
});

describe('reading lines', () => {
  it('reads a JSON line into level, message, request id and the other fields, with a logfmt text to search', () => {
    expect(readLine('{"time":"t","level":"info","msg":"order placed","requestId":"r-1","user":{"id":"u-7","email":"[REDACTED]"},"note":"two words"}\n')).toEqual({
      level: 'info',
      msg: 'order placed',
      requestId: 'r-1',
      fields: { user: { id: 'u-7', email: '[REDACTED]' }, note: 'two words' },
      text: 'requestId=r-1 user.id=u-7 user.email=[REDACTED] note="two words"',
    });
  });

  it('calls anything but one JSON object on one line invalid', () => {
    expect(readLine('order placed for ada\n')).toMatchObject({ level: 'invalid', msg: 'order placed for ada' });
    expect(readLine('{"level":"info","msg":"a"}\n{"level":"info","msg":"b"}\n').level).toBe('invalid');
    expect(readLine('[1,2]').level).toBe('invalid');
  });

  it('finds email and IPv4 addresses, half masked, and leaves look-alikes', () => {
    expect(findPii('{"receiptEmail":"member7@example.com"}')).toBe('an email address, m…@example.com');
    expect(findPii('{"clientIp":"203.0.113.16"}')).toBe('an IP address, 203.0.…');
    expect(findPii('{"time":"2026-01-01T00:00:00.000Z","v":"1.2.3","big":"1.2.3.4.5","durationMs":12.5}')).toBeUndefined();
    expect(findPii('{"msg":"login from 203.0.113.7."}')).toBe('an IP address, 203.0.…');
  });

  it('finds the personal data it was told of, however it was written', () => {
    const known = { emails: ['member7@example.com'], ips: ['203.0.113.16'] };
    expect(findPii('{"note":"member7@example.com\\u0000"}', known)).toBe('an email address, m…@example.com');
    expect(findPii('{"hops":"203.0.113.16.80"}', known)).toBe('an IP address, 203.0.…');
    expect(findPii('{"note":"nothing here"}', known)).toBeUndefined();
  });

  it('writes nested fields dotted and quotes values with spaces', () => {
    expect(logfmt({ a: { b: 1, c: { d: true } }, e: [1, 2], f: 'x y' })).toBe('a.b=1 a.c.d=true e=[1,2] f="x y"');
  });
});
