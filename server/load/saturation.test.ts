import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../patterns/kit/clock.ts';
import { LoadGenerator } from './generator.ts';
import { DueArrivals, EventLoopLag, SaturationDetector, type DelayHistogram, type LoopLagProbe, type SaturationReading } from './saturation.ts';
import { makeTarget } from './testing.ts';
import type { LoadProgress } from './types.ts';

const TICK = 250;

/**
 * Feeds the detector one sample per progress tick from `from` to `to` (exclusive), with cumulative
 * counts following `sendShare` of a steady `rate` (per second) and a given loop lag.
 */
const feeder = (detector: SaturationDetector, rate: number) => {
  let due = 0;
  let reached = 0;
  let sent = 0;
  let at = 0;
  return (durationMs: number, options: { sendShare?: number; loopLagMs?: number; closed?: boolean } = {}): SaturationReading[] => {
    const readings: SaturationReading[] = [];
    for (const end = at + durationMs; at < end; ) {
      at += TICK;
      const perTick = (rate * TICK) / 1000;
      due += perTick;
      reached += perTick * (options.sendShare ?? 1);
      sent = reached;
      readings.push(
        detector.observe({
          at,
          sent: Math.floor(sent),
          ...(!options.closed && { schedule: { due: Math.floor(due), reached: Math.floor(reached) } }),
          ...(options.loopLagMs !== undefined && { loopLagMs: options.loopLagMs }),
        }),
      );
    }
    return readings;
  };
};

const saturatedAt = (readings: SaturationReading[]) => readings.map((r) => r.saturated);

describe('SaturationDetector', () => {
  it('reports the target and sent rates over the last second', () => {
    const detector = new SaturationDetector(0);
    const feed = feeder(detector, 500);
    feed(1000);
    const [reading] = feed(TICK, { sendShare: 0.76 });
    // The window is the last second: three ticks at full rate, one at 76 %.
    expect(reading).toEqual({ targetRate: 500, sentRate: 470, saturated: false });
  });

  it('enters saturation once the generator has been under 90 % of its target for 2 s, not before', () => {
    const detector = new SaturationDetector(0);
    const feed = feeder(detector, 500);
    feed(2000);
    // 380 of 500 from now on. The 1 s window drops under 90 % at its second slow tick (2500 ms:
    // two ticks at 76 %, two at 100 %, 88 %), and must stay there until 4500 ms: the tenth tick.
    const readings = feed(4000, { sendShare: 0.76 });
    const firstSaturated = saturatedAt(readings).indexOf(true);
    expect(readings[0]).toMatchObject({ sentRate: 470, saturated: false });
    expect(firstSaturated).toBe(9);
    expect(readings.slice(firstSaturated).every((r) => r.saturated)).toBe(true);
    expect(readings.at(-1)).toMatchObject({ targetRate: 500, sentRate: 380, saturated: true });
  });

  it('clears only after 2 s back at 95 % or more, and holds between 90 and 95 %', () => {
    const detector = new SaturationDetector(0);
    const feed = feeder(detector, 500);
    feed(5000, { sendShare: 0.5 });
    expect(detector.isSaturated).toBe(true);
    // 92 %: no longer behind, not yet caught up — the verdict stays.
    expect(saturatedAt(feed(5000, { sendShare: 0.92 })).every(Boolean)).toBe(true);
    const recovering = feed(4000);
    // The window is at 95 % or more from the second tick at full rate (two at 100 %, two at 92 %:
    // 96 %); 2 s more are needed: the verdict clears at the tenth tick.
    expect(saturatedAt(recovering).indexOf(false)).toBe(9);
  });

  it('does not flicker on a single slow window', () => {
    const detector = new SaturationDetector(0);
    const feed = feeder(detector, 500);
    feed(2000);
    const readings = [...feed(750, { sendShare: 0.2 }), ...feed(5000)];
    expect(readings.some((r) => r.saturated)).toBe(false);
  });

  it('enters on a loop lag p99 over 100 ms held for 2 s, and clears at 50 ms or less held for 2 s', () => {
    const detector = new SaturationDetector(0);
    const feed = feeder(detector, 200);
    feed(1000, { loopLagMs: 4 });
    const lagging = feed(3000, { loopLagMs: 140 });
    expect(saturatedAt(lagging).indexOf(true)).toBe(8);
    expect(lagging.at(-1)).toMatchObject({ targetRate: 200, sentRate: 200, loopLagMs: 140, saturated: true });
    // 80 ms is under the entry threshold but over the exit one: still saturated.
    expect(saturatedAt(feed(3000, { loopLagMs: 80 })).every(Boolean)).toBe(true);
    expect(saturatedAt(feed(3000, { loopLagMs: 30 })).indexOf(false)).toBe(8);
  });

  it('judges the closed model by loop lag alone, with its send rate for the notice', () => {
    const detector = new SaturationDetector(0);
    const feed = feeder(detector, 300);
    const readings = feed(3000, { closed: true, loopLagMs: 150 });
    expect(readings.at(-1)).toEqual({ sentRate: 300, loopLagMs: 150, saturated: true });
    expect(readings.every((r) => r.targetRate === undefined)).toBe(true);
  });

  it('does not call a slow trickle behind for one arrival on the window edge', () => {
    const detector = new SaturationDetector(0);
    // 2/s: one arrival due but not yet sent is half the window, yet only one arrival.
    const readings: SaturationReading[] = [];
    for (let at = TICK, n = 0; at <= 6000; at += TICK, n++) {
      const due = Math.floor(at / 500);
      readings.push(detector.observe({ at, sent: Math.max(0, due - 1), schedule: { due, reached: Math.max(0, due - 1) } }));
    }
    expect(readings.some((r) => r.saturated)).toBe(false);
  });

  it('treats a load whose schedule is over (requests still in flight) as keeping up', () => {
    const detector = new SaturationDetector(0);
    const feed = feeder(detector, 500);
    feed(4000, { sendShare: 0.5 });
    expect(detector.isSaturated).toBe(true);
    // Nothing more is due: the verdict clears 2 s after the window is empty of the slow sends.
    const at = 4000;
    const readings = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) =>
      detector.observe({ at: at + n * TICK, sent: 1000, schedule: { due: 2000, reached: 1000 } }),
    );
    expect(readings.at(-1)).toMatchObject({ targetRate: 0, sentRate: 0, saturated: false });
  });
});

describe('EventLoopLag', () => {
  /** A histogram whose p99 (ns) the test sets; counts samples as Node's does. */
  const fakeHistogram = () => {
    const state = { enabled: false, resets: 0, p99Ms: 0, count: 0 };
    const histogram: DelayHistogram = {
      enable: () => (state.enabled = true),
      disable: () => !(state.enabled = false),
      reset: () => {
        state.resets += 1;
        state.count = 0;
      },
      percentile: (p) => (p === 99 ? state.p99Ms * 1e6 : 0),
      get count() {
        return state.count;
      },
    };
    return { histogram, state };
  };

  it('reads p99 per tumbling window, less the sampling resolution, and nothing before the first window closes', () => {
    const { histogram, state } = fakeHistogram();
    const lag = new EventLoopLag({ startedAt: 1000, histogram });
    expect(state.enabled).toBe(true);
    state.count = 50;
    state.p99Ms = 150;
    expect(lag.read(1250)).toBeUndefined();
    expect(lag.read(2000)).toBe(140);
    expect(state.resets).toBe(1);
    // Within the next window the last complete one stands.
    state.count = 20;
    state.p99Ms = 10.4;
    expect(lag.read(2750)).toBe(140);
    expect(lag.read(3000)).toBeCloseTo(0.4, 6);
    // A timer that fires early reads under the resolution: no negative lag.
    state.count = 90;
    state.p99Ms = 9.2;
    expect(lag.read(4000)).toBe(0);
    lag.dispose();
    expect(state.enabled).toBe(false);
  });
});

describe('DueArrivals', () => {
  it('counts the arrivals of the schedule due before a time, ramps and bounds included', () => {
    const due = new DueArrivals({ model: 'open', rate: 100, amount: 150 });
    expect(due.dueBy(0)).toBe(0);
    expect(due.dueBy(0.001)).toBe(1);
    expect(due.dueBy(990)).toBe(99);
    expect(due.dueBy(995)).toBe(100);
    expect(due.dueBy(10_000)).toBe(150);
    const ramp = new DueArrivals({ model: 'open', rate: 0, stages: [{ durationMs: 1000, target: 100 }] });
    expect(ramp.dueBy(1000.001)).toBe(50);
  });
});

describe('LoadGenerator, saturation in progress events', () => {
  /** A probe replaying scripted lags, one per read (the last repeats). */
  const scriptedLag = (lags: Array<number | undefined>) => {
    const reads: number[] = [];
    let disposed = 0;
    const factory = (): LoopLagProbe => ({
      read: (now) => {
        reads.push(now);
        return lags[Math.min(reads.length - 1, lags.length - 1)];
      },
      dispose: () => void (disposed += 1),
    });
    return {
      factory,
      reads,
      get disposed() {
        return disposed;
      },
    };
  };

  it('reports the rates of a load that keeps up, and no verdict on its final event', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 5 });
    const generator = new LoadGenerator({ clock, target: fake.target, profile: { model: 'open', rate: 100, durationMs: 2000 } });
    const progress: LoadProgress[] = [];
    generator.onProgress((p) => progress.push(p));
    await clock.runUntilIdle();
    expect(progress[3]).toMatchObject({ elapsedMs: 1000, targetRate: 100, sentRate: 100, saturated: false });
    // Virtual time measures no event loop.
    expect(progress.every((p) => p.loopLagMs === undefined)).toBe(true);
    expect(progress.at(-1)).toEqual({ sent: 200, completed: 200, inFlight: 0, elapsedMs: 1995, durationMs: 2000, done: true });
  });

  it('says the workbench is saturated while its event loop lags, and clears once it recovers', async () => {
    const clock = new VirtualClock();
    const fake = makeTarget(clock, { latencyMs: 5 });
    // Lag reads per tick: 2 s smooth, 3 s at 140 ms, then smooth again.
    const lag = scriptedLag([...Array<number>(8).fill(3), ...Array<number>(12).fill(140), 3]);
    const generator = new LoadGenerator({
      clock,
      target: fake.target,
      profile: { model: 'open', rate: 500, durationMs: 10_000 },
      saturation: { loopLag: lag.factory },
    });
    const progress: LoadProgress[] = [];
    generator.onProgress((p) => progress.push(p));
    await clock.advance(9000);
    const spans = progress.map((p) => [p.elapsedMs, p.saturated]).filter(([, s], i, all) => i === 0 || s !== all[i - 1]![1]);
    // Lag from the 9th tick (2250 ms) held 2 s: saturated at 4250; smooth from 5250, held 2 s: clear at 7250.
    expect(spans).toEqual([
      [250, false],
      [4250, true],
      [7250, false],
    ]);
    expect(progress.find((p) => p.saturated)).toMatchObject({ targetRate: 500, sentRate: 500, loopLagMs: 140 });
    // Replacing the load stops the probe; the next load starts afresh, unsaturated.
    generator.setProfile({ model: 'closed', concurrency: 2, thinkTimeMs: 10 });
    expect(lag.disposed).toBe(1);
    await clock.advance(500);
    expect(progress.at(-1)).toMatchObject({ saturated: false });
    expect(progress.at(-1)!.targetRate).toBeUndefined();
    generator.dispose();
    expect(lag.disposed).toBe(2);
  });

  it('does not blame the workbench for arrivals shed because the lab holds every request', async () => {
    const clock = new VirtualClock();
    // The lab never answers within the run: in-flight reaches the cap and later arrivals are shed.
    const fake = makeTarget(clock, { latencyMs: 60_000 });
    const generator = new LoadGenerator({
      clock,
      target: fake.target,
      profile: { model: 'open', rate: 100, durationMs: 6000 },
      maxInFlight: 50,
      saturation: { loopLag: null },
    });
    const progress: LoadProgress[] = [];
    generator.onProgress((p) => progress.push(p));
    await clock.advance(5000);
    expect(generator.stats).toMatchObject({ sent: 50, inFlight: 50 });
    expect(progress.at(-1)).toMatchObject({ targetRate: 100, sentRate: 0, saturated: false });
    expect(progress.some((p) => p.saturated)).toBe(false);
    generator.dispose();
  });
});
