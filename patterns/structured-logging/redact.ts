/**
 * Redaction: what must never reach a log, taken out of every line before it
 * is written. Logs are copied to places with wider access and longer lives
 * than the database (a log shipper, a vendor, a laptop during an incident),
 * so an email address or an IP address in a log line is personal data you
 * now hold in all of them.
 *
 * Two nets, because each misses what the other catches:
 *
 *   by key      a field whose name says what it is (`email`, `password`), at
 *               any depth: `user.email` as much as `email`. It catches values
 *               no pattern could recognise (a password), but only under the
 *               names you thought of. (pino's `redact` paths work this way.)
 *   by pattern  any string that looks like an email or an IP address, in any
 *               field and in the message itself: the net for the names you did
 *               not think of (`receiptEmail`, `clientIp`) and for PII pasted
 *               into a message.
 *
 * It returns a new line and never changes the objects it was given: the
 * caller logged its `user`, and still needs the email in it.
 */
import type { Fields, Redaction } from './logger.ts';

/** An email address anywhere in a string. */
export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** An IPv4 address anywhere in a string (each part 0 to 255, not inside a longer run of digits and dots). */
export const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])/g;

/** Field names that hold secrets or personal data, compared without case, `_` or `-` (`ip_address`, `ipAddress`). */
export const SENSITIVE_KEYS: readonly string[] = ['email', 'ip', 'ipAddress', 'password', 'authorization', 'cookie', 'token', 'cardNumber'];

export interface RedactOptions {
  /** Field names whose values are replaced wherever they appear. */
  keys?: readonly string[];
  /** Patterns replaced wherever they appear in a string value, the message included. */
  patterns?: readonly RegExp[];
  /** What takes their place. Default `[REDACTED]`. */
  censor?: string;
}

const normalize = (key: string): string => key.replace(/[-_]/g, '').toLowerCase();

/** A plain object or array we may walk into (not a Date, a Map, a class instance with its own toJSON). */
const isPlain = (value: object): boolean => Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null;

export const redactor = (options: RedactOptions = {}): Redaction => {
  const keys = new Set((options.keys ?? []).map(normalize));
  // `replace` needs the global flag to replace every match, not only the first.
  const patterns = (options.patterns ?? []).map((p) => (p.global ? p : new RegExp(p.source, p.flags + 'g')));
  const censor = options.censor ?? '[REDACTED]';

  const scrub = (text: string): string => patterns.reduce((result, pattern) => result.replace(pattern, censor), text);

  // `ancestors` are the objects above this one: a reference back to one of them is a cycle, not data.
  const walk = (value: unknown, ancestors: Set<object>): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (typeof value !== 'object' || value === null || !isPlain(value)) return value;
    if (ancestors.has(value)) return '[Circular]';
    ancestors.add(value);
    const copy = Array.isArray(value)
      ? value.map((item) => walk(item, ancestors))
      : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, keys.has(normalize(key)) ? censor : walk(item, ancestors)]));
    ancestors.delete(value);
    return copy;
  };

  return (line: Fields): Fields => walk(line, new Set()) as Fields;
};

/** The redaction the lab's services use: the sensitive keys, and any email or IPv4 address left elsewhere. */
export const redactPii: Redaction = redactor({ keys: SENSITIVE_KEYS, patterns: [EMAIL, IPV4] });
