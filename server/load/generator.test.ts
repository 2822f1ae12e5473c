import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../patterns/kit/clock.ts';
import type { LoadProfile } from '../../patterns/kit/load.ts';
import { LoadGenerator, type LoadGeneratorOptions } from './generator.ts';
import { makeTarget } from './testing.ts';
import type { LoadProgress, LoadTarget } from './types.ts';

const makeGenerator = (clock: VirtualClock, target: LoadTarget, profile: LoadProfile, options: Partial<LoadGeneratorOptions> = {}) => {
  const generator = new LoadGenerator({ clock, target, profile, ...options });
  const progress: LoadProgress[] = [];
  generator.onProgress((p) => progress.push(p));
  return { generator, progress };
};

describe('LoadGenerator, open model', () => {
  it('sends exactly rate × duration requests at their scheduled times', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 3 });
    const { generator } = makeGenerator(clock, fake.target, { model: 'open', rate: 100, durationMs: 1000 });
    await clock.runUntilIdle();
    expect(fake.calls.map((c) => c.at)).toEqual(Array.from({ length: 100 }, (_, n) => n * 10));
    expect(fake.calls.every((c) => c.intendedAt === c.at)).toBe(true);
    expect(generator.stats).toEqual({ sent: 100, completed: 100, errors: 0, dropped: 0, inFlight: 0 });
    expect(generator.done).toBe(true);
    expect(generator.histogram.summary()).toMatchObject({ count: 100, min: 3, max: 3 });
    expect(clock.pending).toBe(0);
  });

  it('follows ramp stages and stops at their end', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    makeGenerator(clock, fake.target, { model: 'open', rate: 0, stages: [{ durationMs: 1000, target: 100 }, { durationMs: 1000, target: 100 }] });
    await clock.runUntilIdle();
    const times = fake.calls.map((c) => c.at);
    expect(times.filter((t) => t < 1000)).toHaveLength(50);
    expect(times.filter((t) => t >= 1000)).toHaveLength(100);
    expect(times[1]).toBeCloseTo(Math.sqrt(2 / (0.1 / 1000)), 6);
    expect(clock.now()).toBeLessThan(2000);
  });

  it('stops after `amount` requests', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    const { generator, progress } = makeGenerator(clock, fake.target, { model: 'open', rate: 100, amount: 25 });
    await clock.runUntilIdle();
    expect(fake.calls).toHaveLength(25);
    expect(fake.calls.at(-1)!.at).toBe(240);
    expect(progress.at(-1)).toMatchObject({ sent: 25, completed: 25, amount: 25, done: true });
    expect(generator.done).toBe(true);
  });

  it('spreads requests over client keys round robin, with ids unique across profiles', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    const { generator } = makeGenerator(clock, fake.target, { model: 'open', rate: 100, amount: 4, clients: 3 });
    await clock.runUntilIdle();
    generator.setProfile({ model: 'open', rate: 100, amount: 2, clients: 3 });
    await clock.runUntilIdle();
    expect(fake.calls.map((c) => [c.id, c.clientKey, c.index])).toEqual([
      ['load-0', 'client-0', 0],
      ['load-1', 'client-1', 1],
      ['load-2', 'client-2', 2],
      ['load-3', 'client-0', 3],
      ['load-4', 'client-0', 0],
      ['load-5', 'client-1', 1],
    ]);
  });

  it('measures latency from the intended start: a 1 s stall at 100/s shows in the high percentiles', async () => {
    const clock = new VirtualClock();
    // Answers in 1 ms, except that everything arriving between 500 and 1500 ms waits until 1500.
    const stalling = (now: number) => (now >= 500 && now < 1500 ? 1500 - now : 1);
    const open = makeTarget(clock, { latencyMs: (_, now) => stalling(now) });
    const { generator } = makeGenerator(clock, open.target, { model: 'open', rate: 100, durationMs: 2000 });
    await clock.runUntilIdle();
    const summary = generator.histogram.summary();
    // Half the arrivals met the stall, waiting 1000, 990, … 10 ms: p90 sits ~800 ms, p99 near a second.
    expect(summary.count).toBe(200);
    expect(summary.p90).toBeGreaterThan(750);
    expect(summary.p99).toBeGreaterThan(950);
    expect(summary.max).toBe(1000);
    expect(open.maxInFlight).toBeGreaterThanOrEqual(100);

    // The same stall seen by one closed-model client: it sits out the stall on a
    // single request, so it records one slow value and the percentiles stay low.
    const clock2 = new VirtualClock();
    const closed = makeTarget(clock2, { latencyMs: (_, now) => stalling(now) });
    const { generator: closedGen } = makeGenerator(clock2, closed.target, { model: 'closed', concurrency: 1, thinkTimeMs: 9, durationMs: 2000 });
    await clock2.runUntilIdle();
    const closedSummary = closedGen.histogram.summary();
    expect(closedSummary.max).toBe(1000);
    expect(closedSummary.p90).toBe(1);
    expect(closedSummary.p99).toBe(1);
  });

  it('counts a late send as latency: the intended time is kept through batching', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    // 1000/s due every 1 ms, but the scheduler wakes at most every 10 ms and sends in batches.
    const { generator } = makeGenerator(clock, fake.target, { model: 'open', rate: 1000, durationMs: 100 }, { tickMs: 10 });
    await clock.runUntilIdle();
    expect(fake.calls).toHaveLength(100);
    expect(fake.calls.map((c) => c.intendedAt)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(new Set(fake.calls.map((c) => c.at)).size).toBeLessThanOrEqual(11);
    expect(generator.histogram.max).toBe(9);
  });

  it('holds one scheduling timer at high rates, sending due requests in batches', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    const { generator } = makeGenerator(clock, fake.target, { model: 'open', rate: 20_000, durationMs: 1000 });
    let mostPending = 0;
    for (let t = 0; t < 1000; t += 50) {
      await clock.advance(50);
      mostPending = Math.max(mostPending, clock.pending);
    }
    await clock.runUntilIdle();
    expect(fake.calls).toHaveLength(20_000);
    expect(mostPending).toBeLessThanOrEqual(2); // the next wake and the progress interval
    // One wake per ms (0 … 1000: the last batch, due just before the end, goes at 1000).
    expect(new Set(fake.calls.map((c) => c.at)).size).toBe(1001);
    expect(generator.histogram.max).toBeLessThan(1);
  });

  it('drops arrivals beyond maxInFlight instead of queueing without bound', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 10_000 });
    const { generator } = makeGenerator(clock, fake.target, { model: 'open', rate: 100, durationMs: 500 }, { maxInFlight: 10 });
    await clock.advance(600);
    expect(generator.stats).toMatchObject({ sent: 10, dropped: 40, inFlight: 10 });
    generator.dispose();
  });

  it('counts failed and rejected answers as errors', async () => {
    const clock = new VirtualClock();
    let n = 0;
    const target: LoadTarget = async () => {
      n += 1;
      if (n % 3 === 0) throw new Error('boom');
      return n % 3 === 1 ? { outcome: 'ok' } : { ok: false };
    };
    const { generator } = makeGenerator(clock, target, { model: 'open', rate: 100, amount: 9 });
    await clock.runUntilIdle();
    expect(generator.stats).toMatchObject({ sent: 9, completed: 9, errors: 6 });
  });

  it('fires progress every 250 ms of clock time and once at the end', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 5 });
    const { progress } = makeGenerator(clock, fake.target, { model: 'open', rate: 100, durationMs: 1000 });
    await clock.runUntilIdle();
    expect(progress.map((p) => [p.elapsedMs, p.done])).toEqual([
      [250, false],
      [500, false],
      [750, false],
      [995, true],
    ]);
    expect(progress.at(-1)).toEqual({ sent: 100, completed: 100, inFlight: 0, elapsedMs: 995, durationMs: 1000, done: true });
    // Counts only grow, and in-flight is what was sent but not answered.
    for (const p of progress) expect(p.inFlight).toBe(p.sent - p.completed);
  });

  it('is deterministic on virtual time', async () => {
    const run = async () => {
      const clock = new VirtualClock();
      const fake = makeTarget(clock, { latencyMs: (r) => (r.index * 37) % 50 });
      const { progress } = makeGenerator(clock, fake.target, { model: 'open', rate: 300, stages: [{ durationMs: 700, target: 50 }], clients: 4 });
      await clock.runUntilIdle();
      return JSON.stringify({ calls: fake.calls, progress });
    };
    expect(await run()).toBe(await run());
  });
});

describe('LoadGenerator, lifecycle', () => {
  it('switches profile live: the old load stops, counters and histogram restart', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 100 });
    const { generator, progress } = makeGenerator(clock, fake.target, { model: 'open', rate: 100 });
    await clock.advance(495);
    expect(generator.stats.sent).toBe(50);

    generator.setProfile({ model: 'open', rate: 200, durationMs: 500 });
    // The replaced load reports its end once, with its own figures.
    expect(progress.at(-1)).toMatchObject({ sent: 50, completed: 40, inFlight: 10, done: true });
    expect(generator.stats).toEqual({ sent: 0, completed: 0, errors: 0, dropped: 0, inFlight: 0 });

    await clock.runUntilIdle();
    const after = fake.calls.filter((c) => c.at >= 495);
    expect(after).toHaveLength(100);
    expect(after[1]!.at - after[0]!.at).toBe(5);
    // The old load's stragglers finished but are not counted in the new one.
    expect(generator.stats).toMatchObject({ sent: 100, completed: 100, inFlight: 0 });
    expect(generator.histogram.count).toBe(100);
    expect(progress.at(-1)).toMatchObject({ sent: 100, durationMs: 500, done: true });
    expect(clock.pending).toBe(0);
  });

  it("switches to 'none' to stop the load", async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    const { generator } = makeGenerator(clock, fake.target, { model: 'closed', concurrency: 2, thinkTimeMs: 10 });
    await clock.advance(100);
    generator.setProfile({ model: 'none' });
    const sent = fake.calls.length;
    expect(clock.pending).toBe(0);
    await clock.advance(1000);
    expect(fake.calls).toHaveLength(sent);
  });

  it('dispose stops sending, leaves no timers, and lets in-flight requests finish', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 50 });
    const { generator } = makeGenerator(clock, fake.target, { model: 'open', rate: 100 });
    await clock.advance(205);
    generator.dispose();
    // Only the target's own timers (the 5 requests being served) are left.
    expect(clock.pending).toBe(fake.inFlight);
    expect(fake.inFlight).toBe(5);
    await clock.runUntilIdle();
    expect(clock.pending).toBe(0);
    expect(fake.calls).toHaveLength(21);
    expect(generator.stats).toMatchObject({ sent: 21, completed: 21, inFlight: 0 });
    await expect(generator.drained()).resolves.toBeUndefined();
    expect(() => generator.setProfile({ model: 'open', rate: 1 })).toThrow(/disposed/);
  });

  it('dispose with an instant target leaves nothing pending at all', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    const { generator } = makeGenerator(clock, fake.target, { model: 'open', rate: 1000, durationMs: 10_000 });
    await clock.advance(123.5);
    generator.dispose();
    expect(clock.pending).toBe(0);
    expect(fake.calls).toHaveLength(124);
  });

  it('drained resolves once the requests of every profile are answered', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 300 });
    const { generator } = makeGenerator(clock, fake.target, { model: 'open', rate: 10, amount: 2 });
    await clock.advance(150);
    generator.setProfile({ model: 'none' });
    let drained = false;
    void generator.drained().then(() => (drained = true));
    await clock.advance(200);
    expect(drained).toBe(false); // the request sent at 100 ms answers at 400 ms
    await clock.advance(100);
    expect(drained).toBe(true);
  });

  it('refuses a bad profile with a RangeError naming the value', () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    const generator = new LoadGenerator({ clock, target: fake.target });
    expect(() => generator.setProfile({ model: 'open', rate: -1 })).toThrow(/rate must be .* got -1/);
    expect(() => generator.setProfile({ model: 'closed', concurrency: 0 })).toThrow(RangeError);
    expect(() => generator.setProfile({ model: 'closed', concurrency: 2, clients: 1.5 })).toThrow(/clients/);
    expect(() => generator.setProfile({ model: 'open', rate: 1, stages: [{ durationMs: -5, target: 1 }] })).toThrow(/stages\[0\]/);
    expect(generator.profile).toEqual({ model: 'none' });
  });
});
