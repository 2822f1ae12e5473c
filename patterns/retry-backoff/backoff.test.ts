import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../kit/index.ts';
import { Backoff, type BackoffOptions, type JitterStrategy } from './backoff.ts';

/** The first `n` delays of one execution. */
const delays = (options: BackoffOptions, n: number, seed = 1): number[] => {
  const sequence = new Backoff(options).start(new SeededRandom(seed));
  return Array.from({ length: n }, () => sequence.next());
};

describe('Backoff: delay strategies (no jitter)', () => {
  it('constant: the base every time', () => {
    expect(delays({ strategy: 'constant', baseMs: 100, jitter: 'none' }, 4)).toEqual([100, 100, 100, 100]);
  });

  it('linear: base × n', () => {
    expect(delays({ strategy: 'linear', baseMs: 100, jitter: 'none' }, 4)).toEqual([100, 200, 300, 400]);
  });

  it('exponential: base × factor^(n-1)', () => {
    expect(delays({ strategy: 'exponential', baseMs: 100, jitter: 'none' }, 5)).toEqual([100, 200, 400, 800, 1_600]);
    expect(delays({ strategy: 'exponential', baseMs: 100, factor: 3, jitter: 'none' }, 3)).toEqual([100, 300, 900]);
  });

  it('caps every strategy at capMs, even after a thousand retries', () => {
    expect(delays({ strategy: 'exponential', baseMs: 100, capMs: 500, jitter: 'none' }, 6)).toEqual([100, 200, 400, 500, 500, 500]);
    expect(delays({ strategy: 'linear', baseMs: 100, capMs: 250, jitter: 'none' }, 4)).toEqual([100, 200, 250, 250]);
    const backoff = new Backoff({ baseMs: 100, capMs: 10_000 });
    expect(backoff.delay(1_000)).toBe(10_000); // 100 × 2^999 is Infinity: the cap still holds
  });
});

describe('Backoff: jitter strategies', () => {
  const SAMPLES = 2_000;
  const base = { strategy: 'exponential', baseMs: 100, capMs: 1_000 } as const;
  const capped = (retry: number) => Math.min(1_000, 100 * 2 ** (retry - 1));

  /** Many executions of `retries` delays each: [execution][retry - 1]. */
  const sample = (jitter: JitterStrategy, retries: number, seed = 42): number[][] => {
    const backoff = new Backoff({ ...base, jitter });
    const random = new SeededRandom(seed);
    return Array.from({ length: SAMPLES }, () => {
      const sequence = backoff.start(random);
      return Array.from({ length: retries }, () => sequence.next());
    });
  };

  it('full: random(0, d), spread over the whole range', () => {
    const runs = sample('full', 6);
    for (let retry = 1; retry <= 6; retry++) {
      const values = runs.map((r) => r[retry - 1]!);
      const d = capped(retry);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThan(d);
      // Uniform: the mean is near d/2 and both ends of the range are used.
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      expect(mean).toBeGreaterThan(d * 0.45);
      expect(mean).toBeLessThan(d * 0.55);
      expect(Math.min(...values)).toBeLessThan(d * 0.05);
      expect(Math.max(...values)).toBeGreaterThan(d * 0.95);
    }
  });

  it('equal: d/2 + random(0, d/2), never below half the delay', () => {
    const runs = sample('equal', 6);
    for (let retry = 1; retry <= 6; retry++) {
      const values = runs.map((r) => r[retry - 1]!);
      const d = capped(retry);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(d / 2);
      expect(Math.max(...values)).toBeLessThan(d);
    }
  });

  it('decorrelated: min(cap, random(base, previous × 3)), growing from the previous delay', () => {
    const outOfBounds: string[] = [];
    for (const run of sample('decorrelated', 8)) {
      let previous = 100;
      for (const delay of run) {
        if (delay < 100 || delay > Math.min(1_000, previous * 3)) outOfBounds.push(`${delay} after ${previous}`);
        previous = delay;
      }
    }
    expect(outOfBounds).toEqual([]);
    // It does reach the cap (and stays under it), so the cap matters here too.
    expect(sample('decorrelated', 8).some((run) => run.includes(1_000))).toBe(true);
  });

  it('none: exactly the delay strategy', () => {
    for (const run of sample('none', 5).slice(0, 10)) expect(run).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('is reproducible: the same seed gives the same delays', () => {
    for (const jitter of ['full', 'equal', 'decorrelated'] as const) {
      expect(delays({ ...base, jitter }, 8, 7)).toEqual(delays({ ...base, jitter }, 8, 7));
      expect(delays({ ...base, jitter }, 8, 7)).not.toEqual(delays({ ...base, jitter }, 8, 8));
    }
  });

  it('starts each execution afresh: decorrelated jitter does not carry over', () => {
    const backoff = new Backoff({ ...base, jitter: 'decorrelated' });
    const random = new SeededRandom(3);
    const first = backoff.start(random);
    for (let i = 0; i < 10; i++) first.next(); // grows to the cap
    const second = backoff.start(random);
    expect(second.next()).toBeLessThanOrEqual(300); // random(base, base × 3)
  });
});

describe('Backoff: options', () => {
  it('defaults to exponential from 100 ms, capped at 10 s, with full jitter', () => {
    const backoff = new Backoff();
    expect(backoff).toMatchObject({ strategy: 'exponential', baseMs: 100, capMs: 10_000, factor: 2, jitter: 'full' });
  });

  it.each<[BackoffOptions, RegExp]>([
    [{ baseMs: -1 }, /baseMs .* got -1/],
    [{ baseMs: 100, capMs: 50 }, /capMs .* got 50/],
    [{ capMs: Infinity }, /capMs .* got Infinity/],
    [{ factor: 0.5 }, /factor .* got 0.5/],
    [{ strategy: 'fibonacci' as never }, /strategy .* got 'fibonacci'/],
    [{ jitter: 'toString' as never }, /jitter .* got 'toString'/],
  ])('throws a RangeError naming a bad value: %j', (options, message) => {
    expect(() => new Backoff(options)).toThrow(RangeError);
    expect(() => new Backoff(options)).toThrow(message);
  });
});
