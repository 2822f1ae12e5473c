/**
 * The checkout lab's machinery, beside lab.ts: the flawed context store it
 * can hand the checkout, and how it reads the lines the services write.
 * Readable, not editable: none of it is the pattern.
 */
import type { ContextStore, Sampler } from './logger.ts';

/**
 * The carrier of the widely copied Python version: one variable for the whole
 * process, which `run` overwrites and nobody puts back. One request at a time
 * it works; with two in flight, the second one's id is on the first one's
 * lines. (The pattern's carrier is the kit's `AsyncContext`: one value per
 * async call.)
 */
export const moduleVariableContext = <T>(): ContextStore<T> => {
  let current: T | undefined;
  return {
    run<R>(value: T, fn: () => R): R {
      current = value;
      return fn();
    },
    get: () => current,
  };
};

/** A sampler that also counts what `inner` drops: the lab counts for itself, it does not ask the code under test. */
export const countingSampler = (inner: Sampler, onDropped: () => void): Sampler => ({
  keep(level) {
    const kept = inner.keep(level);
    if (!kept) onDropped();
    return kept;
  },
});

/** The lab's header on each call to payments: which request it was made for, whatever the code under test sent. */
export const LAB_REQUEST_HEADER = 'x-lab-request';

/** A line as the lab read it. */
export interface ReadLine {
  level: string;
  msg: string;
  requestId?: string;
  /** Everything but `time`, `level`, `msg` and `requestId`. */
  fields: Record<string, unknown>;
  /** The request id and the fields as `key=value` pairs, nested keys dotted: what the explorer searches. */
  text: string;
}

/** Reads one write to the sink: one JSON object, then a newline. Anything else is an `invalid` line. */
export const readLine = (raw: string): ReadLine => {
  const body = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  let parsed: unknown;
  try {
    parsed = body.includes('\n') ? undefined : JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { level: 'invalid', msg: body.slice(0, 300), fields: {}, text: '' };
  const { time: _time, level, msg, requestId, ...fields } = parsed as Record<string, unknown>;
  return {
    level: String(level),
    msg: String(msg),
    ...(typeof requestId === 'string' && { requestId }),
    fields,
    text: logfmt(requestId === undefined ? fields : { requestId, ...fields }),
  };
};

/** `requestId=abc user.id=u-3 amountCents=1200 note="two words"`. */
export const logfmt = (fields: Record<string, unknown>, prefix = ''): string =>
  Object.entries(fields)
    .map(([key, value]) => {
      const name = prefix + key;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return logfmt(value as Record<string, unknown>, `${name}.`);
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${name}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
    })
    .filter(Boolean)
    .join(' ');

/**
 * The lab's own tests for personal data. The patterns are looser than
 * redact.ts's (any four runs of 1 to 3 digits), but a pattern shares the blind
 * spots of whoever wrote it; so the lab also looks for what it knows it put in:
 * the exact email addresses and IP addresses of its users (`known`), wherever
 * and however they appear in the raw line.
 */
const EMAIL_LIKE = /[^\s"@<>()[\],;:]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const IPV4_LIKE = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)/;

const maskEmail = (email: string): string => `an email address, ${email.slice(0, 1)}…${email.slice(email.indexOf('@'))}`;
const maskIp = (ip: string): string => `an IP address, ${ip.split('.').slice(0, 2).join('.')}.…`;

/** What personal data a raw line shows, half masked (`an email address, m…@example.com`), or undefined. */
export const findPii = (raw: string, known: { emails?: readonly string[]; ips?: readonly string[] } = {}): string | undefined => {
  const email = EMAIL_LIKE.exec(raw)?.[0] ?? known.emails?.find((e) => raw.includes(e));
  if (email !== undefined) return maskEmail(email);
  const ip = IPV4_LIKE.exec(raw)?.[0] ?? known.ips?.find((i) => raw.includes(i));
  if (ip !== undefined) return maskIp(ip);
  return undefined;
};
