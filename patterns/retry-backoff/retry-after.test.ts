import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.ts';

const NOW = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', { now: NOW })).toBe(120_000);
    expect(parseRetryAfter(' 0 ', { now: NOW })).toBe(0);
  });

  it('reads an HTTP date, against the Date header when there is one', () => {
    const at = 'Wed, 21 Oct 2026 07:28:30 GMT';
    expect(parseRetryAfter(at, { now: NOW })).toBe(30_000);
    // The client's clock is a minute fast; the server's own Date still gives what it meant.
    expect(parseRetryAfter(at, { now: NOW + 60_000, date: 'Wed, 21 Oct 2026 07:28:20 GMT' })).toBe(10_000);
  });

  it('accepts the obsolete date forms HTTP recipients must read', () => {
    expect(parseRetryAfter('Wednesday, 21-Oct-26 07:28:05 GMT', { now: NOW })).toBe(5_000);
    expect(parseRetryAfter('Wed Oct 21 07:28:05 2026', { now: NOW })).toBe(5_000); // asctime: GMT, though it does not say so
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', { now: NOW })).toBe(0);
  });

  it.each([undefined, '', 'soon', '1.5', '-3', '2 minutes'])('gives undefined for %j', (value) => {
    expect(parseRetryAfter(value, { now: NOW })).toBeUndefined();
  });
});
