/**
 * Parsing the `Retry-After` header (RFC 9110, section 10.2.3): how long a
 * server that answered 429 or 503 wants the client to wait. It is either a
 * number of seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`).
 */

export interface RetryAfterReference {
  /**
   * The client's current wall time in epoch ms (`clock.wallNow()`, never the
   * monotonic `clock.now()`): what an HTTP date is compared with when the
   * answer has no `Date`.
   */
  now: number;
  /** The answer's own `Date` header, if any. */
  date?: string | undefined;
}

/**
 * The wait a `Retry-After` value asks for, in ms (0 for a date in the past),
 * or undefined when there is no value or it is neither form.
 *
 * An HTTP date is measured from the answer's `Date` header when there is one:
 * both come from the server's clock, so a client whose clock is off by a
 * minute still waits what the server meant.
 */
export function parseRetryAfter(value: string | undefined, reference: RetryAfterReference): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP date form names a day or a month; this refuses "1.5" or "-3",
  // which Date.parse would happily read as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  // HTTP dates are always GMT; the old asctime form does not say so, and
  // Date.parse would read it in the machine's local time zone.
  const at = Date.parse(/GMT$/i.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(at)) return undefined;
  const serverNow = reference.date === undefined ? Number.NaN : Date.parse(reference.date);
  return Math.max(0, at - (Number.isNaN(serverNow) ? reference.now : serverNow));
}
