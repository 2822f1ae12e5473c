/**
 * Redaction: what must never reach a log, taken out of every line before it
 * is written. Logs are copied to places with wider access and longer lives
 * than the database (a log shipper, a vendor, a laptop during an incident),
 * so an email address or an IP address in a log line is personal data you
 * now hold in all of them. (This one knows IPv4 addresses only: an IPv6
 * address needs a pattern of its own.)
 *
 * Two nets, because each misses what the other catches:
 *
 *   by key      a field whose name says what it is (`email`, `password`), or
 *               ends in what a secret is called (`sessionToken`, `x-api-key`),
 *               at any depth: `user.email` as much as `email`. It catches
 *               values no pattern could recognise (a password), but only
 *               under the names you thought of. (pino's `redact` paths work
 *               this way.)
 *   by pattern  any string that looks like an email or an IPv4 address, in
 *               any field, in the message itself and in the field names: the
 *               net for the names you did not think of (`receiptEmail`,
 *               `clientIp`), for PII pasted into a message, and for an
 *               object keyed by email.
 *
 * It walks what JSON will write: a value with a `toJSON` (a Date) as what
 * that returns, any other object, a class instance too, by its own
 * enumerable fields. It returns a new line and never changes the objects it
 * was given: the caller logged its `user`, and still needs the email in it.
 */
import type { Fields, Redaction } from './logger.ts';

/** An email address anywhere in a string. */
export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/**
 * An IPv4 address anywhere in a string (each part 0 to 255, not inside a longer
 * run of digits and dots, but at the end of a sentence: `from 10.0.0.1.`).
 */
export const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)/g;

/** Field names that hold secrets or personal data, compared without case, `_` or `-` (`ip_address`, `ipAddress`). */
export const SENSITIVE_KEYS: readonly string[] = ['email', 'ip', 'ipAddress', 'password', 'authorization', 'cookie', 'token', 'cardNumber'];
/** How the names of secrets end, compared the same way: `sessionToken`, `set-cookie`, `x-api-key`, `clientSecret`, `db_password`. */
export const SENSITIVE_SUFFIXES: readonly string[] = ['token', 'cookie', 'apiKey', 'secret', 'password'];

export interface RedactOptions {
  /** Field names whose values are replaced wherever they appear. */
  keys?: readonly string[];
  /** Endings of field names whose values are replaced wherever they appear. */
  suffixes?: readonly string[];
  /** Patterns replaced wherever they appear in a string value, the message included. */
  patterns?: readonly RegExp[];
  /** What takes their place. Default `[REDACTED]`. */
  censor?: string;
}

const normalize = (key: string): string => key.replace(/[-_]/g, '').toLowerCase();

export const redactor = (options: RedactOptions = {}): Redaction => {
  const keys = new Set((options.keys ?? []).map(normalize));
  const suffixes = (options.suffixes ?? []).map(normalize);
  const sensitive = (key: string): boolean => keys.has(normalize(key)) || suffixes.some((suffix) => normalize(key).endsWith(suffix));
  // `replace` needs the global flag to replace every match, not only the first.
  const patterns = (options.patterns ?? []).map((p) => (p.global ? p : new RegExp(p.source, p.flags + 'g')));
  const censor = options.censor ?? '[REDACTED]';

  const scrub = (text: string): string => patterns.reduce((result, pattern) => result.replace(pattern, censor), text);

  // `ancestors` are the objects above this one: a reference back to one of them is a cycle, not data.
  const walk = (value: unknown, ancestors: Set<object>, key: string): unknown => {
    // What JSON.stringify will write in its place: a Date's toJSON is its ISO string.
    if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      value = (value as { toJSON(key: string): unknown }).toJSON(key);
    }
    if (typeof value === 'string') return scrub(value);
    if (typeof value !== 'object' || value === null) return value;
    if (ancestors.has(value)) return '[Circular]';
    ancestors.add(value);
    const copy = Array.isArray(value)
      ? value.map((item, index) => walk(item, ancestors, String(index)))
      : Object.fromEntries(Object.entries(value).map(([name, item]) => [scrub(name), sensitive(name) ? censor : walk(item, ancestors, name)]));
    ancestors.delete(value);
    return copy;
  };

  return (line: Fields): Fields => walk(line, new Set(), '') as Fields;
};

/** The redaction the lab's services use: the sensitive keys and endings, and any email or IPv4 address left elsewhere. */
export const redactPii: Redaction = redactor({ keys: SENSITIVE_KEYS, suffixes: SENSITIVE_SUFFIXES, patterns: [EMAIL, IPV4] });
