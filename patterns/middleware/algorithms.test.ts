import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../kit/index.ts';
import {
  FixedWindow,
  makeAlgorithm,
  SlidingWindow,
  TokenBucket,
  type AlgorithmName,
  type RateLimitAlgorithm,
} from './algorithms.ts';

const LIMIT = 10;
const WINDOW_MS = 1_000;
const ALGORITHMS: AlgorithmName[] = ['fixed-window', 'sliding-window', 'token-bucket'];

/** One client's requests at the given times; which were allowed. */
const run = (algorithm: RateLimitAlgorithm, times: readonly number[]) => {
  const state = algorithm.create(times[0] ?? 0);
  return times.map((t) => ({ t, ...algorithm.consume(state, t) }));
};

const allowedTimes = (algorithm: RateLimitAlgorithm, times: readonly number[]) =>
  run(algorithm, times)
    .filter((d) => d.allowed)
    .map((d) => d.t);

/** The most allowed requests found in any span of `spanMs` (both ends included). */
const busiestSpan = (allowed: readonly number[], spanMs: number): number => {
  let most = 0;
  let from = 0;
  for (let to = 0; to < allowed.length; to++) {
    while (allowed[to]! - allowed[from]! > spanMs) from++;
    most = Math.max(most, to - from + 1);
  }
  return most;
};

const repeat = <T>(count: number, value: T): T[] => Array.from({ length: count }, () => value);

describe('FixedWindow', () => {
  const make = () => new FixedWindow({ limit: 3, windowMs: WINDOW_MS });

  it('allows the limit per window, then refuses until the boundary', () => {
    const decisions = run(make(), [100, 200, 300, 400, 999, 1_000, 1_001]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false, true, true]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0, 2, 1]);
  });

  it('says to retry at the boundary, and that the whole limit is back then', () => {
    const [, , , refused] = run(make(), [100, 200, 300, 400]);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 600, resetMs: 600, limit: 3 });
  });

  it('is idle from the end of the window it last counted in', () => {
    const algorithm = make();
    const state = algorithm.create(0);
    algorithm.consume(state, 1_500);
    expect(algorithm.idleAt(state)).toBe(2_000);
  });
});

describe('SlidingWindow (log)', () => {
  const make = () => new SlidingWindow({ limit: 3, windowMs: WINDOW_MS });

  it('allows a request only when fewer than the limit came in the last window', () => {
    const decisions = run(make(), [0, 100, 200, 300, 999, 1_000, 1_050, 1_100, 1_200]);
    // 1 000: the request at 0 has just left the window. 1 100: so has the one at 100.
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false, true, false, true, true]);
  });

  it('says to retry when the oldest counted request leaves the window', () => {
    const [, , , refused] = run(make(), [0, 100, 200, 300]);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 700, resetMs: 900, remaining: 0 });
  });

  it('keeps no more than `limit` timestamps, however hard a client hammers', () => {
    const algorithm = make();
    const state = algorithm.create();
    for (let t = 0; t < 5_000; t++) algorithm.consume(state, t);
    expect(state.log.length).toBeLessThanOrEqual(3);
    expect(algorithm.idleAt(state)).toBe(state.log.at(-1)! + WINDOW_MS);
  });
});

describe('TokenBucket', () => {
  it('allows a burst of `limit`, then one request per refilled token', () => {
    // 10 tokens per second: one every 100 ms.
    const bucket = new TokenBucket({ limit: LIMIT, windowMs: WINDOW_MS });
    const decisions = run(bucket, [...repeat(11, 0), 50, 100, 150, 200]);
    expect(decisions.map((d) => d.allowed)).toEqual([...repeat(10, true), false, false, true, false, true]);
    expect(decisions[10]).toMatchObject({ allowed: false, retryAfterMs: 100, resetMs: 1_000 });
    expect(decisions[11]!.retryAfterMs).toBeCloseTo(50);
  });

  it('separates the burst from the sustained rate', () => {
    const bucket = new TokenBucket({ limit: LIMIT, windowMs: WINDOW_MS, burst: 3 });
    expect(run(bucket, repeat(4, 0)).map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(run(bucket, [0])[0]).toMatchObject({ limit: 3, remaining: 2 });
  });

  it('is idle once the bucket is full again', () => {
    const bucket = new TokenBucket({ limit: LIMIT, windowMs: WINDOW_MS });
    const state = bucket.create(0);
    for (let i = 0; i < 4; i++) bucket.consume(state, 0);
    expect(bucket.idleAt(state)).toBeCloseTo(400);
  });
});

describe.each(ALGORITHMS)('%s', (name) => {
  const make = () => makeAlgorithm(name, { limit: LIMIT, windowMs: WINDOW_MS });

  it('decides like a fresh state from idleAt on, so the limiter may forget the client', () => {
    const random = new SeededRandom(3);
    for (let trial = 0; trial < 50; trial++) {
      const algorithm = make();
      const state = algorithm.create(0);
      let t = 0;
      for (let i = 0; i < 1 + Math.floor(random.next() * 15); i++) {
        t += Math.floor(random.next() * 200);
        algorithm.consume(state, t);
      }
      const idle = Math.ceil(algorithm.idleAt(state));
      const later = [idle, idle, idle + 1, ...repeat(LIMIT, idle + 2)];
      const kept = later.map((at) => algorithm.consume(state, at).allowed);
      const fresh = algorithm.create(idle);
      expect(kept).toEqual(later.map((at) => algorithm.consume(fresh, at).allowed));
    }
  });

  it('names a bad option in a RangeError', () => {
    expect(() => makeAlgorithm(name, { limit: 0, windowMs: WINDOW_MS })).toThrow(/limit must be an integer >= 1, got 0/);
    expect(() => makeAlgorithm(name, { limit: 2.5, windowMs: WINDOW_MS })).toThrow(RangeError);
    expect(() => makeAlgorithm(name, { limit: LIMIT, windowMs: -1 })).toThrow(/windowMs .* got -1/);
  });
});

describe('the boundary burst', () => {
  // A client quiet for a while sends a full limit 1 ms before the clock's
  // window boundary at 5 000 ms, and another full limit at the boundary.
  const burst = [...repeat(LIMIT, 4_999), ...repeat(LIMIT, 5_000)];

  it('lets twice the limit through a fixed window within 2 ms', () => {
    const allowed = allowedTimes(new FixedWindow({ limit: LIMIT, windowMs: WINDOW_MS }), burst);
    expect(allowed).toHaveLength(2 * LIMIT);
    expect(allowed.at(-1)! - allowed[0]!).toBe(1);
  });

  it.each(['sliding-window', 'token-bucket'] as const)('lets no more than the limit through %s', (name) => {
    const allowed = allowedTimes(makeAlgorithm(name, { limit: LIMIT, windowMs: WINDOW_MS }), burst);
    expect(allowed).toHaveLength(LIMIT);
  });

  it('bounds any traffic: the sliding window to the limit, the others to what they promise', () => {
    // A greedy, bursty client: random gaps, often several requests at once, now and then a pause.
    const random = new SeededRandom(11);
    const times: number[] = [];
    for (let t = 0; t < 30_000; t += random.next() < 0.02 ? 700 : Math.floor(random.next() * 40)) times.push(t);
    const sliding = allowedTimes(new SlidingWindow({ limit: LIMIT, windowMs: WINDOW_MS }), times);
    const fixed = allowedTimes(new FixedWindow({ limit: LIMIT, windowMs: WINDOW_MS }), times);
    const bucket = allowedTimes(new TokenBucket({ limit: LIMIT, windowMs: WINDOW_MS }), times);
    for (const span of [1, 50, 200, WINDOW_MS - 1]) {
      // A sliding log looks at (t - windowMs, t]: no span shorter than a window holds more than the limit.
      expect(busiestSpan(sliding, span)).toBeLessThanOrEqual(LIMIT);
      // A full bucket, plus what refills during the span.
      expect(busiestSpan(bucket, span)).toBeLessThanOrEqual(LIMIT + Math.ceil((LIMIT * span) / WINDOW_MS));
      // Two windows' worth, whatever the span: the boundary burst.
      expect(busiestSpan(fixed, span)).toBeLessThanOrEqual(2 * LIMIT);
    }
    expect(busiestSpan(sliding, WINDOW_MS - 1)).toBe(LIMIT);
  });
});
