/**
 * Is the workbench itself keeping up with the load? A lab's numbers are only
 * the pattern's numbers while the machine that sends the traffic and runs the
 * lab has room to spare. Past that point a learner sees latencies climb and
 * throughput flatten and blames the circuit breaker for what is really the
 * workbench's own overload. This file measures that, per load, and decides —
 * with hysteresis, so a notice does not flicker — when to say so.
 *
 * Two measurements, each over a short window (`windowMs`, 1 s):
 *
 * - The send rate against the target rate (open model). The open model has a
 *   schedule: by time t, N(t) arrivals are due. The generator keeps up when it
 *   has dealt with them by then; it falls behind when its scheduling wakes come
 *   too late or too rarely to get through them. "Dealt with" counts the
 *   arrivals it shed at `maxInFlight` too: that shedding happens on schedule,
 *   because the *lab* holds ten thousand requests (a missing timeout, a hung
 *   downstream): the pattern's story, which the lab must show, not excuse.
 *   The closed model has no target rate: each client sends when its previous
 *   answer is in, so its rate is whatever the lab allows, and "behind" can only
 *   mean a client waiting on the workbench rather than on the lab — an answer
 *   that arrived but whose callback, or a think-time timer that expired but
 *   whose wake, has not run yet. That wait *is* the event loop's delay, so for
 *   the closed model the loop lag below is the whole verdict (its send rate is
 *   still reported, for the notice).
 *
 * - The event loop's delay (node:perf_hooks `monitorEventLoopDelay`, p99 over
 *   the window) of the thread that runs the generator and the lab: in a live
 *   run the sandbox process, which also serves the lab's loopback downstreams,
 *   so every number a lab shows comes from this loop. Its lag delays each
 *   send, each answer's callback and each timer the lab sets. Only on the real
 *   clock: on virtual time (tests, exercise checks) nothing waits on the loop,
 *   and a reading would make a deterministic run depend on the machine.
 *
 * The verdict: saturated once the generator has been behind (under 90 % of the
 * target, by at least two arrivals) or the loop lag over 100 ms for 2 s on end;
 * clear again once both have been healthy (at least 95 % of the target, lag at
 * most 50 ms) for 2 s on end. In between, the state stays as it is. One slow
 * window (a GC pause, a burst) never flips it; a sustained overload does
 * within about 3 s.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Disposable } from '../../patterns/kit/events.ts';
import type { LoadProfile } from '../../patterns/kit/load.ts';
import { ArrivalSchedule } from './arrivals.ts';

export interface SaturationThresholds {
  /** The window rates and loop lag are measured over, clock ms. */
  windowMs: number;
  /** How long a condition must hold, unbroken, before the verdict changes, clock ms. */
  holdMs: number;
  /** Behind when fewer than this share of the due arrivals were dealt with in the window. */
  enterBelowShare: number;
  /** Caught up again at this share or more. */
  clearAtShare: number;
  /**
   * Behind only when at least this many arrivals are missing as well: at a few
   * requests per second one arrival due on the window's edge is 20–50 % of it.
   */
  minMissing: number;
  /** Lagging when the loop's p99 delay is above this, ms. */
  enterLagMs: number;
  /** Smooth again at or below this, ms. */
  clearLagMs: number;
}

export const DEFAULT_SATURATION_THRESHOLDS: Readonly<SaturationThresholds> = Object.freeze({
  windowMs: 1000,
  holdMs: 2000,
  enterBelowShare: 0.9,
  clearAtShare: 0.95,
  minMissing: 2,
  enterLagMs: 100,
  clearLagMs: 50,
});

/** One measurement, taken at every progress tick. Counts are cumulative over the current load. */
export interface SaturationSample {
  /** Clock ms. */
  at: number;
  /** Requests handed to the target. */
  sent: number;
  /** Open model only: arrivals due by `at`, and those the generator has dealt with (sent, or shed at `maxInFlight`). */
  schedule?: { due: number; reached: number };
  /** p99 event-loop delay over the latest window, ms; undefined where it is not measured. */
  loopLagMs?: number;
}

/** What `load.progress` reports (the same optional fields, see the kit's telemetry.ts). */
export interface SaturationReading {
  targetRate?: number;
  sentRate: number;
  loopLagMs?: number;
  saturated: boolean;
}

/** Per second over `spanMs`, to one decimal: enough for a notice, short in the payload. */
const perSecond = (count: number, spanMs: number): number => Math.round((count * 1000 * 10) / spanMs) / 10;

const oneDecimal = (value: number): number => Math.round(value * 10) / 10;

/** A sample's cumulative counts, kept for the window. */
interface Point {
  at: number;
  sent: number;
  due: number;
  reached: number;
}

/**
 * The verdict over a stream of samples: pure, fed by the generator (or a test)
 * with measurements on the run's clock, so it is tested on virtual time with
 * made-up lags and rates, no sleeping.
 */
export class SaturationDetector {
  private readonly thresholds: SaturationThresholds;
  /** `points[0]` is the window's baseline: the newest sample at or before the window's start. */
  private readonly points: Point[];
  private saturated = false;
  /** When the condition that would change the verdict started to hold, unbroken; undefined while it does not. */
  private changingSince: number | undefined;

  constructor(startedAt: number, thresholds: Partial<SaturationThresholds> = {}) {
    this.thresholds = { ...DEFAULT_SATURATION_THRESHOLDS, ...thresholds };
    this.points = [{ at: startedAt, sent: 0, due: 0, reached: 0 }];
  }

  get isSaturated(): boolean {
    return this.saturated;
  }

  observe(sample: SaturationSample): SaturationReading {
    const t = this.thresholds;
    const { due, reached } = sample.schedule ?? { due: 0, reached: 0 };
    this.points.push({ at: sample.at, sent: sample.sent, due, reached });
    // A handful of points at most (window / progress interval + 1).
    while (this.points.length > 2 && this.points[1]!.at <= sample.at - t.windowMs) this.points.shift();
    const base = this.points[0]!;
    const spanMs = sample.at - base.at;
    if (!(spanMs > 0)) return this.reading(undefined, 0, sample.loopLagMs);

    const dueInWindow = due - base.due;
    const reachedInWindow = reached - base.reached;
    const missing = dueInWindow - reachedInWindow;
    const behind = dueInWindow > 0 && reachedInWindow < t.enterBelowShare * dueInWindow && missing >= t.minMissing;
    const caughtUp = dueInWindow <= 0 || reachedInWindow >= t.clearAtShare * dueInWindow || missing < t.minMissing;
    const lag = sample.loopLagMs;
    const lagging = lag !== undefined && lag > t.enterLagMs;
    const smooth = lag === undefined || lag <= t.clearLagMs;

    // The condition that would change the verdict: overload while clear, health while saturated.
    const changing = this.saturated ? caughtUp && smooth : behind || lagging;
    if (!changing) {
      this.changingSince = undefined;
    } else {
      this.changingSince ??= sample.at;
      if (sample.at - this.changingSince >= t.holdMs) {
        this.saturated = !this.saturated;
        this.changingSince = undefined;
      }
    }
    const targetRate = sample.schedule ? perSecond(dueInWindow, spanMs) : undefined;
    return this.reading(targetRate, perSecond(sample.sent - base.sent, spanMs), lag);
  }

  private reading(targetRate: number | undefined, sentRate: number, loopLagMs: number | undefined): SaturationReading {
    return {
      ...(targetRate !== undefined && { targetRate }),
      sentRate,
      ...(loopLagMs !== undefined && { loopLagMs: oneDecimal(loopLagMs) }),
      saturated: this.saturated,
    };
  }
}

/** The event loop's delay, as the generator reads it once per progress tick. */
export interface LoopLagProbe extends Disposable {
  /** The p99 delay over the latest complete window, ms; undefined before the first window has closed. */
  read(now: number): number | undefined;
}

/** Makes the probe for a load that starts at `startedAt` (clock ms), reading over windows of `windowMs`. */
export type LoopLagFactory = (startedAt: number, windowMs: number) => LoopLagProbe;

/** The part of perf_hooks' IntervalHistogram the probe uses (values in ns); tests pass their own. */
export interface DelayHistogram {
  enable(): boolean;
  disable(): boolean;
  reset(): void;
  percentile(percentile: number): number;
  readonly count: number;
}

export interface EventLoopLagOptions {
  startedAt: number;
  /** Default 1000, as the detector's window. */
  windowMs?: number;
  /** How often the loop is sampled, ms. Default 10 (Node's default). */
  resolutionMs?: number;
  /** Default: `monitorEventLoopDelay({ resolution })`, the calling thread's loop. */
  histogram?: DelayHistogram;
}

/**
 * p99 event-loop delay over tumbling windows of `windowMs`, from libuv's own
 * timer (`monitorEventLoopDelay`: no JavaScript runs per sample). Node's
 * histograms of this kind cannot be merged, so the windows tumble rather than
 * slide: a reading is at most one window old, which the detector's 2 s hold
 * absorbs. The histogram records when each sampling timer fired against when
 * it was due *plus* the resolution, so the resolution is taken off.
 */
export class EventLoopLag implements LoopLagProbe {
  private readonly histogram: DelayHistogram;
  private readonly windowMs: number;
  private readonly resolutionMs: number;
  private windowStart: number;
  private last: number | undefined;

  constructor(options: EventLoopLagOptions) {
    this.windowMs = options.windowMs ?? DEFAULT_SATURATION_THRESHOLDS.windowMs;
    this.resolutionMs = options.resolutionMs ?? 10;
    this.histogram = options.histogram ?? monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.windowStart = options.startedAt;
    this.histogram.enable();
  }

  read(now: number): number | undefined {
    if (now - this.windowStart < this.windowMs) return this.last;
    // No sample at all means the sampling timer never came due: nothing to say, keep the last word.
    if (this.histogram.count > 0) {
      this.last = Math.max(0, this.histogram.percentile(99) / 1e6 - this.resolutionMs);
    }
    this.histogram.reset();
    this.windowStart = now;
    return this.last;
  }

  dispose(): void {
    this.histogram.disable();
  }
}

/** Counts the arrivals of an open-model profile due by a given time, from the same pure schedule the driver follows. */
export class DueArrivals {
  private readonly schedule: ArrivalSchedule;

  constructor(profile: Extract<LoadProfile, { model: 'open' }>) {
    this.schedule = new ArrivalSchedule(profile);
  }

  /**
   * Arrivals due before `elapsedMs` from the load's start (call with times that only grow). One
   * due at that very instant is left out: a progress tick and a send timer due together fire in
   * either order, and counting it would find the generator one arrival behind when it is not.
   */
  dueBy(elapsedMs: number): number {
    for (let at = this.schedule.peek(); at !== undefined && at < elapsedMs; at = this.schedule.peek()) this.schedule.advance();
    return this.schedule.scheduled;
  }
}

export interface SaturationMonitorOptions {
  profile: Exclude<LoadProfile, { model: 'none' }>;
  startedAt: number;
  /** Where the loop lag comes from; undefined: not measured (virtual time). */
  loopLag?: LoopLagFactory | undefined;
  thresholds?: Partial<SaturationThresholds>;
}

/** The generator's side: one per load, sampled at each progress tick. */
export class SaturationMonitor implements Disposable {
  private readonly detector: SaturationDetector;
  private readonly due: DueArrivals | undefined;
  private readonly lag: LoopLagProbe | undefined;
  private readonly startedAt: number;

  constructor(options: SaturationMonitorOptions) {
    this.startedAt = options.startedAt;
    const thresholds = options.thresholds ?? {};
    this.detector = new SaturationDetector(options.startedAt, thresholds);
    this.due = options.profile.model === 'open' ? new DueArrivals(options.profile) : undefined;
    this.lag = options.loopLag?.(options.startedAt, thresholds.windowMs ?? DEFAULT_SATURATION_THRESHOLDS.windowMs);
  }

  /** `counts` are the load's own: `dropped` is what the open model shed at `maxInFlight`. */
  sample(now: number, counts: { sent: number; dropped: number }): SaturationReading {
    const loopLagMs = this.lag?.read(now);
    return this.detector.observe({
      at: now,
      sent: counts.sent,
      ...(this.due && { schedule: { due: this.due.dueBy(now - this.startedAt), reached: counts.sent + counts.dropped } }),
      ...(loopLagMs !== undefined && { loopLagMs }),
    });
  }

  dispose(): void {
    this.lag?.dispose();
  }
}
