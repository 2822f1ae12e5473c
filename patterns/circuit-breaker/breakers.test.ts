import { describe, expect, it } from 'vitest';
import { ConsecutiveBreaker, FailureRateBreaker } from './breakers.ts';

describe('ConsecutiveBreaker', () => {
  it('trips on the threshold-th failure in a row', () => {
    const breaker = new ConsecutiveBreaker(3);
    expect(breaker.failure()).toBe(false);
    expect(breaker.failure()).toBe(false);
    expect(breaker.failure()).toBe(true);
  });

  it('starts counting again after a success or a reset', () => {
    const breaker = new ConsecutiveBreaker(2);
    breaker.failure();
    breaker.success();
    expect(breaker.failure()).toBe(false);
    breaker.reset();
    expect(breaker.failure()).toBe(false);
    expect(breaker.failure()).toBe(true);
  });

  it('rejects a threshold that is not a positive integer', () => {
    expect(() => new ConsecutiveBreaker(0)).toThrow(RangeError);
    expect(() => new ConsecutiveBreaker(1.5)).toThrow(/got 1.5/);
  });
});

describe('FailureRateBreaker', () => {
  const make = (overrides: Partial<ConstructorParameters<typeof FailureRateBreaker>[0]> = {}) =>
    new FailureRateBreaker({ threshold: 0.5, windowMs: 10_000, minimumCalls: 5, ...overrides });

  it('does not trip before the window holds minimumCalls calls, however bad the rate', () => {
    const breaker = make();
    for (let i = 0; i < 4; i++) expect(breaker.failure(i * 100)).toBe(false);
    expect(breaker.failure(500)).toBe(true);
  });

  it('trips when the failure rate reaches the threshold', () => {
    const breaker = make();
    for (let i = 0; i < 6; i++) breaker.success(i);
    for (let i = 0; i < 5; i++) expect(breaker.failure(10 + i)).toBe(false); // 5 of 11
    expect(breaker.failure(20)).toBe(true); // 6 of 12 = 50%
  });

  it('forgets calls once they slide out of the window', () => {
    const breaker = make({ windowMs: 1_000, buckets: 10 });
    for (let i = 0; i < 4; i++) breaker.failure(i);
    // 1.5 s later the four failures are out of the window: this one is 1 call of 1.
    expect(breaker.failure(1_500)).toBe(false);
    for (let i = 0; i < 3; i++) expect(breaker.failure(1_600 + i)).toBe(false);
    expect(breaker.failure(1_700)).toBe(true);
  });

  it('slides bucket by bucket: a call stays counted for windowMs minus at most one bucket', () => {
    const breaker = make({ windowMs: 1_000, buckets: 10, minimumCalls: 2, threshold: 1 });
    breaker.failure(0); // bucket [0, 100)
    expect(breaker.failure(999)).toBe(true); // still in the window
    breaker.reset();
    breaker.failure(0);
    expect(breaker.failure(1_000)).toBe(false); // bucket [0, 100) has left the window
  });

  it('reset() empties the window', () => {
    const breaker = make();
    for (let i = 0; i < 4; i++) breaker.failure(i);
    breaker.reset();
    expect(breaker.failure(10)).toBe(false);
  });

  it('rejects bad options with a RangeError naming the value', () => {
    expect(() => make({ threshold: 0 })).toThrow(/threshold.*got 0/);
    expect(() => make({ threshold: 1.2 })).toThrow(RangeError);
    expect(() => make({ windowMs: -1 })).toThrow(/windowMs.*got -1/);
    expect(() => make({ minimumCalls: 0 })).toThrow(/minimumCalls/);
    expect(() => make({ buckets: 2.5 })).toThrow(/buckets.*got 2.5/);
  });
});
