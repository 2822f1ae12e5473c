import { describe, expect, it } from 'vitest';
import { healthySpec, type FaultDecision, type FaultSpec } from '../../patterns/kit/faults.ts';
import { activeWindow, decide, isFullyDown, nextChangeAfter } from './model.ts';

/** A spec that is on, with no faults unless the test adds them. */
const makeSpec = (overrides: Partial<FaultSpec> = {}): FaultSpec => ({
  ...healthySpec(),
  enabled: true,
  latency: { baseMs: 0, jitterMs: 0, rate: 0 },
  ...overrides,
});

const decideMany = (spec: FaultSpec, count: number, tMs = 0): FaultDecision[] =>
  Array.from({ length: count }, (_, call) => decide(spec, call, tMs));

const failures = (decisions: FaultDecision[]): number => decisions.filter((d) => d.error).length;

describe('decide', () => {
  it('injects nothing when the spec is disabled, whatever else it says', () => {
    const spec = makeSpec({
      enabled: false,
      errorRate: 1,
      failFirst: 5,
      latency: { baseMs: 100, jitterMs: 0, rate: 1 },
      schedule: [{ startMs: 0, durationMs: 1000 }],
    });
    for (const decision of decideMany(spec, 20)) expect(decision).toEqual({ latencyMs: 0 });
  });

  it('makes the same decisions for the same seed, and different ones for another seed', () => {
    const spec = makeSpec({ errorRate: 0.5, latency: { baseMs: 50, jitterMs: 40, rate: 0.5 }, seed: 42 });
    expect(decideMany(spec, 500)).toEqual(decideMany({ ...spec }, 500));
    const other = decideMany({ ...spec, seed: 43 }, 500);
    expect(other).not.toEqual(decideMany(spec, 500));
  });

  it('decides a call without depending on the calls before it', () => {
    const spec = makeSpec({ errorRate: 0.5, seed: 7 });
    expect(decide(spec, 123, 0)).toEqual(decideMany(spec, 124)[123]);
  });

  it('honours the error rate over 10,000 calls', () => {
    for (const errorRate of [0, 0.1, 0.3, 0.9, 1]) {
      const share = failures(decideMany(makeSpec({ errorRate, seed: 3 }), 10_000)) / 10_000;
      expect(share).toBeGreaterThanOrEqual(errorRate - 0.02);
      expect(share).toBeLessThanOrEqual(errorRate + 0.02);
    }
  });

  it('fails with the spec error and cause "rate"', () => {
    const error = { kind: 'status', status: 502 } as const;
    expect(decide(makeSpec({ errorRate: 1, error }), 0, 0)).toEqual({ latencyMs: 0, error, cause: 'rate' });
  });

  it('fails the first N calls since the spec was applied', () => {
    const spec = makeSpec({ failFirst: 3, error: { kind: 'reset' } });
    const causes = decideMany(spec, 6).map((d) => d.cause);
    expect(causes).toEqual(['failFirst', 'failFirst', 'failFirst', undefined, undefined, undefined]);
    // A counter that never resets says where the spec was applied.
    expect(decide(spec, 102, 0, 100).cause).toBe('failFirst');
    expect(decide(spec, 103, 0, 100).cause).toBeUndefined();
    expect(decide(spec, 103, 0, 100)).toEqual(decide(spec, 3, 0));
    expect(() => decide(spec, 5, 0, 10)).toThrow(RangeError);
  });

  it('fails every call inside a scheduled window and none outside', () => {
    const spec = makeSpec({ schedule: [{ startMs: 10_000, durationMs: 15_000 }], error: { kind: 'status', status: 503 } });
    expect(decide(spec, 0, 9_999).error).toBeUndefined();
    expect(decide(spec, 1, 10_000)).toMatchObject({ error: { kind: 'status', status: 503 }, cause: 'schedule' });
    expect(decide(spec, 2, 24_999).cause).toBe('schedule');
    expect(decide(spec, 3, 25_000).error).toBeUndefined();
  });

  it("uses a window's own error and rate, replacing the base rate while it lasts", () => {
    const spec = makeSpec({
      errorRate: 1,
      error: { kind: 'status', status: 500 },
      schedule: [{ startMs: 0, durationMs: 1000, errorRate: 0.25, error: { kind: 'hang' } }],
    });
    const inside = decideMany(spec, 10_000, 500);
    expect(failures(inside) / 10_000).toBeCloseTo(0.25, 1);
    expect(inside.find((d) => d.error)?.error).toEqual({ kind: 'hang' });
    expect(decide(spec, 0, 1000)).toMatchObject({ error: { kind: 'status', status: 500 }, cause: 'rate' });
  });

  it('repeats a window every period: a flapping service', () => {
    const spec = makeSpec({ schedule: [{ startMs: 1000, durationMs: 200, repeatEveryMs: 1000 }] });
    const down = (t: number) => decide(spec, 0, t).error !== undefined;
    expect([500, 1000, 1199, 1200, 2100, 2300, 5150, 5200].map(down)).toEqual([
      false, true, true, false, true, false, true, false,
    ]);
  });

  it('keeps latency within base ± jitter and never below zero', () => {
    const wide = decideMany(makeSpec({ latency: { baseMs: 100, jitterMs: 30, rate: 1 } }), 2000).map((d) => d.latencyMs);
    expect(Math.min(...wide)).toBeGreaterThanOrEqual(70);
    expect(Math.max(...wide)).toBeLessThanOrEqual(130);
    // The jitter is spread over its range, not stuck at one end.
    expect(Math.min(...wide)).toBeLessThan(75);
    expect(Math.max(...wide)).toBeGreaterThan(125);

    const clamped = decideMany(makeSpec({ latency: { baseMs: 10, jitterMs: 50, rate: 1 } }), 2000).map((d) => d.latencyMs);
    expect(Math.min(...clamped)).toBe(0);
    expect(clamped.every((ms) => ms >= 0 && ms <= 60)).toBe(true);
  });

  it('delays the given share of calls, independently of which calls fail', () => {
    const spec = makeSpec({ errorRate: 0.5, latency: { baseMs: 20, jitterMs: 0, rate: 0.5 } });
    const decisions = decideMany(spec, 10_000);
    expect(decisions.filter((d) => d.latencyMs === 20).length / 10_000).toBeCloseTo(0.5, 1);
    expect(decisions.filter((d) => d.latencyMs > 0 && d.error).length / 10_000).toBeCloseTo(0.25, 1);
  });

  it('gives refused and hung calls no latency', () => {
    const latency = { baseMs: 100, jitterMs: 0, rate: 1 };
    expect(decide(makeSpec({ errorRate: 1, latency, error: { kind: 'down' } }), 0, 0).latencyMs).toBe(0);
    expect(decide(makeSpec({ errorRate: 1, latency, error: { kind: 'hang' } }), 0, 0).latencyMs).toBe(0);
    expect(decide(makeSpec({ errorRate: 1, latency, error: { kind: 'reset' } }), 0, 0).latencyMs).toBe(100);
  });
});

describe('isFullyDown', () => {
  const down = { kind: 'down' } as const;

  it('is true only for "down" at rate 1', () => {
    expect(isFullyDown(makeSpec({ errorRate: 1, error: down }), 0)).toBe(true);
    expect(isFullyDown(makeSpec({ errorRate: 0.5, error: down }), 0)).toBe(false);
    expect(isFullyDown(makeSpec({ errorRate: 1, error: { kind: 'reset' } }), 0)).toBe(false);
    expect(isFullyDown(makeSpec({ enabled: false, errorRate: 1, error: down }), 0)).toBe(false);
  });

  it('follows an outage window', () => {
    const spec = makeSpec({ schedule: [{ startMs: 100, durationMs: 50, error: down }] });
    expect([99, 100, 149, 150].map((t) => isFullyDown(spec, t))).toEqual([false, true, true, false]);
    expect(activeWindow(spec, 120)).toBe(spec.schedule[0]);
  });

  it('is false in a window that refuses only some calls', () => {
    const spec = makeSpec({ schedule: [{ startMs: 0, durationMs: 50, error: down, errorRate: 0.9 }] });
    expect(isFullyDown(spec, 10)).toBe(false);
  });
});

describe('nextChangeAfter', () => {
  it('gives the next window start or end', () => {
    const spec = makeSpec({ schedule: [{ startMs: 100, durationMs: 50 }, { startMs: 400, durationMs: 10 }] });
    expect(nextChangeAfter(spec, 0)).toBe(100);
    expect(nextChangeAfter(spec, 100)).toBe(150);
    expect(nextChangeAfter(spec, 150)).toBe(400);
    expect(nextChangeAfter(spec, 405)).toBe(410);
    expect(nextChangeAfter(spec, 410)).toBeUndefined();
  });

  it('walks through a repeating window forever', () => {
    const spec = makeSpec({ schedule: [{ startMs: 1000, durationMs: 200, repeatEveryMs: 1000 }] });
    expect(nextChangeAfter(spec, 0)).toBe(1000);
    expect(nextChangeAfter(spec, 1000)).toBe(1200);
    expect(nextChangeAfter(spec, 1200)).toBe(2000);
    expect(nextChangeAfter(spec, 7150)).toBe(7200);
  });

  it('is undefined with no schedule or when disabled', () => {
    expect(nextChangeAfter(makeSpec(), 0)).toBeUndefined();
    expect(nextChangeAfter(makeSpec({ enabled: false, schedule: [{ startMs: 100, durationMs: 5 }] }), 0)).toBeUndefined();
  });
});
