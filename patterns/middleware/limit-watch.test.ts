import { describe, expect, it } from 'vitest';
import { FixedWindow, makeAlgorithm, type AlgorithmName } from './algorithms.ts';
import { watchLimit } from './limit-watch.ts';

const LIMIT = 10;
const WINDOW_MS = 1_000;

/** A full limit 100 ms before a clock boundary and another 1 ms after it. */
const boundaryBurst = [...Array.from({ length: LIMIT }, () => 900), ...Array.from({ length: LIMIT }, () => 1_001)];

/** The breaks the promise of `promised` reports for the requests `algorithm` allows at `times`. */
const breaksOf = (promised: AlgorithmName, algorithm: { create(now: number): unknown; consume(s: never, now: number): { allowed: boolean } }, times: number[]) => {
  const check = watchLimit({ algorithm: promised, limit: LIMIT, windowMs: WINDOW_MS });
  const state = algorithm.create(0);
  return times.flatMap((now) => (algorithm.consume(state as never, now).allowed ? [check('c', now)] : [])).filter((b) => b !== undefined);
};

describe('watchLimit', () => {
  it.each(['fixed-window', 'sliding-window', 'token-bucket'] as const)('finds no break in what %s itself allows, steady or bursty', (name) => {
    const steady = Array.from({ length: 500 }, (_, i) => i * 37);
    const bursts = Array.from({ length: 300 }, (_, i) => Math.floor(i / 30) * 700 + (i % 30));
    for (const times of [steady, bursts, boundaryBurst]) {
      expect(breaksOf(name, makeAlgorithm(name, { limit: LIMIT, windowMs: WINDOW_MS }), times)).toEqual([]);
    }
  });

  it("catches a fixed window sold as a sliding one: twice the limit across a boundary breaks the sliding window's promise", () => {
    const fixed = new FixedWindow({ limit: LIMIT, windowMs: WINDOW_MS });
    expect(breaksOf('fixed-window', fixed, boundaryBurst)).toEqual([]);
    const breaks = breaksOf('sliding-window', new FixedWindow({ limit: LIMIT, windowMs: WINDOW_MS }), boundaryBurst);
    expect(breaks).toHaveLength(LIMIT);
    expect(breaks[0]).toBe('c got 11 requests through within 101 ms (limit 10 per 1000 ms)');
    expect(breaksOf('token-bucket', new FixedWindow({ limit: LIMIT, windowMs: WINDOW_MS }), boundaryBurst).length).toBeGreaterThan(0);
  });
});
