import { describe, expect, it } from 'vitest';
import type { OpenLoad } from '../../patterns/kit/load.ts';
import { ArrivalSchedule } from './arrivals.ts';

const arrivals = (profile: Omit<OpenLoad, 'model'>, limit = 100_000): number[] => {
  const schedule = new ArrivalSchedule({ model: 'open', ...profile });
  const times: number[] = [];
  for (let at = schedule.peek(); at !== undefined && times.length < limit; at = schedule.peek()) {
    times.push(at);
    schedule.advance();
  }
  return times;
};

describe('ArrivalSchedule', () => {
  it('spaces a constant rate exactly 1/rate apart, from 0, end excluded', () => {
    const times = arrivals({ rate: 100, durationMs: 1000 });
    expect(times).toHaveLength(100);
    expect(times).toEqual(Array.from({ length: 100 }, (_, n) => n * 10));
  });

  it('gives rate × duration for rates that do not divide a second', () => {
    expect(arrivals({ rate: 7, durationMs: 3000 })).toHaveLength(21);
    expect(arrivals({ rate: 0.5, durationMs: 10_000 })).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it('ramps linearly: the count is the area under the rate', () => {
    const times = arrivals({ rate: 0, stages: [{ durationMs: 1000, target: 100 }, { durationMs: 1000, target: 100 }] });
    // 50 during the ramp (half of 100/s × 1 s), then 100 at the steady 100/s.
    expect(times).toHaveLength(150);
    // On a ramp from 0 at slope s per ms², N(t) = s·t²/2, so request n is due at sqrt(2n/s).
    const slope = 0.1 / 1000;
    expect(times[0]).toBe(0);
    expect(times[1]).toBeCloseTo(Math.sqrt(2 / slope), 6);
    expect(times[49]).toBeCloseTo(Math.sqrt((2 * 49) / slope), 6);
    expect(times[50]).toBeCloseTo(1000, 6);
    expect(times[149]).toBeCloseTo(1990, 6);
    // Arrivals get denser as the rate climbs.
    expect(times[2]! - times[1]!).toBeGreaterThan(times[49]! - times[48]!);
  });

  it('ramps down to zero and stops at the end of the stages', () => {
    const times = arrivals({ rate: 100, stages: [{ durationMs: 1000, target: 0 }] });
    expect(times).toHaveLength(50);
    expect(times.every((t) => t < 1000)).toBe(true);
  });

  it('stops at the first of duration, amount and the end of the stages', () => {
    expect(arrivals({ rate: 100, stages: [{ durationMs: 2000, target: 100 }], durationMs: 500 })).toHaveLength(50);
    expect(arrivals({ rate: 100, durationMs: 1000, amount: 7 })).toHaveLength(7);
    expect(new ArrivalSchedule({ model: 'open', rate: 10, stages: [{ durationMs: 300, target: 10 }] }).endMs).toBe(300);
  });

  it('sends nothing while the rate is zero, and starts when it rises', () => {
    expect(arrivals({ rate: 0, durationMs: 10_000 })).toEqual([]);
    const times = arrivals({ rate: 0, stages: [{ durationMs: 500, target: 0 }, { durationMs: 500, target: 10 }, { durationMs: 1000, target: 10 }] });
    expect(times[0]).toBe(500);
    // 2.5 expected on the ramp: requests 0 (at its start), 1 and 2; then 10 at the steady 10/s.
    expect(times).toHaveLength(13);
  });

  it('keeps going without bounds', () => {
    const times = arrivals({ rate: 1000 }, 5000);
    expect(times).toHaveLength(5000);
    expect(times[4999]).toBe(4999);
  });
});
