import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../patterns/kit/clock.ts';
import { LoadGenerator } from './generator.ts';
import { makeTarget } from './testing.ts';
import type { LoadProgress } from './types.ts';

describe('LoadGenerator, closed model', () => {
  it('never has more than `concurrency` requests outstanding, and honours think time', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 20 });
    const generator = new LoadGenerator({ clock, target: fake.target, profile: { model: 'closed', concurrency: 5, thinkTimeMs: 30, durationMs: 1000 } });
    await clock.runUntilIdle();
    expect(fake.maxInFlight).toBe(5);
    // Each client: 20 ms answer + 30 ms think = one request every 50 ms, 20 in a second.
    expect(fake.calls).toHaveLength(100);
    const times = [...new Set(fake.calls.map((c) => c.at))];
    expect(times).toEqual(Array.from({ length: 20 }, (_, n) => n * 50));
    expect(generator.stats).toMatchObject({ sent: 100, completed: 100, inFlight: 0 });
    expect(generator.histogram.summary()).toMatchObject({ min: 20, max: 20 });
    expect(clock.pending).toBe(0);
  });

  it('sends the next request as soon as the answer comes without think time', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: (r) => (r.index % 2 === 0 ? 10 : 30) });
    new LoadGenerator({ clock, target: fake.target, profile: { model: 'closed', concurrency: 2, durationMs: 100 } });
    await clock.runUntilIdle();
    expect(fake.maxInFlight).toBe(2);
    for (const call of fake.calls) expect(call.intendedAt).toBe(call.at);
    // Clients pick up whatever index is next, so they drift apart but never overlap more than 2.
    expect(fake.calls.length).toBeGreaterThan(5);
    expect(fake.calls.every((c) => c.at < 100)).toBe(true);
  });

  it('stops after `amount` requests across all clients', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 7 });
    const progress: LoadProgress[] = [];
    const generator = new LoadGenerator({ clock, target: fake.target, profile: { model: 'closed', concurrency: 3, amount: 10, clients: 2 } });
    generator.onProgress((p) => progress.push(p));
    await clock.runUntilIdle();
    expect(fake.calls).toHaveLength(10);
    expect(fake.calls.map((c) => c.clientKey)).toEqual(Array.from({ length: 10 }, (_, n) => `client-${n % 2}`));
    expect(progress.at(-1)).toEqual({ sent: 10, completed: 10, inFlight: 0, elapsedMs: 28, amount: 10, done: true });
  });

  it('dispose while clients think cancels their sleep timers', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    const generator = new LoadGenerator({ clock, target: fake.target, profile: { model: 'closed', concurrency: 4, thinkTimeMs: 100 } });
    await clock.advance(250);
    expect(fake.calls).toHaveLength(12);
    generator.dispose();
    expect(clock.pending).toBe(0);
    await clock.advance(1000);
    expect(fake.calls).toHaveLength(12);
  });

  it('yields to the event loop when answers come back instantly', async () => {
    // A real clock would otherwise starve: nothing but promise callbacks would run.
    const clock = new VirtualClock();
    const fake = makeTarget(clock);
    new LoadGenerator({ clock, target: fake.target, profile: { model: 'closed', concurrency: 1, amount: 1000 } });
    let immediates = 0;
    const count = (): void => {
      immediates += 1;
      if (fake.calls.length < 1000) setImmediate(count);
    };
    setImmediate(count);
    await clock.advance(0);
    while (fake.calls.length < 1000) await new Promise((resolve) => setImmediate(resolve));
    expect(immediates).toBeGreaterThan(5);
  });
});
