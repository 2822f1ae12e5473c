/**
 * The load generator: drives a LoadProfile against a target on an injected
 * clock, measures latency in a histogram and reports progress.
 *
 * Coordinated omission. A tester that waits for each answer before sending
 * the next stops sending while the system stalls, so it records one slow
 * request where real users would have queued hundreds: its percentiles hide
 * the stall (Gil Tene's "coordinated omission"). The open model here keeps
 * sending on schedule regardless, and measures each latency from the request's
 * *intended* start, so time a request spent waiting to be sent (a late tick,
 * a busy event loop) counts too. Stall a target for 1 s at 100/s and about 100
 * requests report latencies from 1 s down to 10 ms, as users would have felt it;
 * the closed model, by design, reports only what its clients experienced.
 */
import { RealClock, type Clock } from '../../patterns/kit/clock.ts';
import { Emitter, type Disposable, type Event } from '../../patterns/kit/events.ts';
import type { LoadProfile } from '../../patterns/kit/load.ts';
import { ArrivalSchedule } from './arrivals.ts';
import { driveClosed } from './closed-model.ts';
import { LatencyHistogram } from './histogram.ts';
import { driveOpen } from './open-model.ts';
import { validateProfile } from './profile.ts';
import { EventLoopLag, SaturationMonitor, type LoopLagFactory, type SaturationReading, type SaturationThresholds } from './saturation.ts';
import { LoadSession, type SessionHost } from './session.ts';
import type { LoadProgress, LoadStats, LoadTarget } from './types.ts';

export interface LoadGeneratorOptions {
  clock: Clock;
  target: LoadTarget;
  /** The load to start with. Default `{ model: 'none' }`: idle until `setProfile`. */
  profile?: LoadProfile;
  /** Clock ms between progress events while a load runs. Default 250: smooth enough for a progress bar. */
  progressIntervalMs?: number;
  /**
   * Open model: the shortest gap between two scheduling wakes, ms. Default 1:
   * a request may be sent up to this late (and its latency shows it), in
   * exchange for one timer per ms instead of one per request at high rates.
   */
  tickMs?: number;
  /**
   * Open model: arrivals beyond this many outstanding requests are dropped
   * (counted in `stats.dropped`, as k6 counts dropped iterations) so a hung
   * target cannot grow memory without bound. Default 10 000.
   */
  maxInFlight?: number;
  /** Prefix of request ids. Default `'load-'`. */
  idPrefix?: string;
  /** Whether the workbench keeps up with the load (saturation.ts), reported in each progress event. */
  saturation?: {
    /**
     * Where the event loop's delay comes from. Default: the calling thread's
     * loop on a RealClock (a live run: the sandbox process running this
     * generator and the lab), nothing on any other clock (virtual time waits
     * on no loop, and a run there must not depend on the machine). `null`:
     * not measured.
     */
    loopLag?: LoopLagFactory | null;
    thresholds?: Partial<SaturationThresholds>;
  };
}

const defaults: Required<Omit<LoadGeneratorOptions, 'clock' | 'target' | 'profile' | 'saturation'>> = {
  progressIntervalMs: 250,
  tickMs: 1,
  maxInFlight: 10_000,
  idPrefix: 'load-',
};

const noStats: LoadStats = { sent: 0, completed: 0, errors: 0, dropped: 0, inFlight: 0 };

/** The profile's effective bounds, as the progress payload reports them. */
const boundsOf = (profile: LoadProfile): Pick<LoadProgress, 'durationMs' | 'amount'> => {
  if (profile.model === 'none') return {};
  const durationMs = profile.model === 'open' ? new ArrivalSchedule(profile).endMs : profile.durationMs;
  return {
    ...(durationMs !== undefined && Number.isFinite(durationMs) ? { durationMs } : {}),
    ...(profile.amount !== undefined ? { amount: profile.amount } : {}),
  };
};

/** Runs one LoadProfile at a time against a target; replace it live with `setProfile`. */
export class LoadGenerator implements Disposable {
  /** Latencies of the current profile's requests, in ms (reset by `setProfile`). */
  readonly histogram = new LatencyHistogram();
  private readonly progressEmitter = new Emitter<LoadProgress>();
  /**
   * Progress of the current profile: every `progressIntervalMs` while it runs, and once when it is done.
   * While it runs, each also says whether the workbench keeps up with it (`saturated`, see saturation.ts).
   */
  readonly onProgress: Event<LoadProgress> = this.progressEmitter.event;

  private readonly clock: Clock;
  private readonly options: typeof defaults;
  private currentProfile: LoadProfile = { model: 'none' };
  private bounds: Pick<LoadProgress, 'durationMs' | 'amount'> = {};
  private session: LoadSession | undefined;
  private driver: Disposable | undefined;
  private progressTimer: Disposable | undefined;
  private finished = false;
  private disposed = false;
  private nextSeq = 0;
  /** Requests outstanding across all profiles, for `drained`. */
  private outstanding = 0;
  private drainWaiters: Array<() => void> = [];
  private readonly host: SessionHost;
  private readonly loopLag: LoopLagFactory | undefined;
  private readonly saturationThresholds: Partial<SaturationThresholds>;
  /** The current load's saturation verdict, and its reading at the latest progress tick. */
  private saturation: SaturationMonitor | undefined;
  private saturationReading: SaturationReading | undefined;

  constructor(options: LoadGeneratorOptions) {
    const { clock, target, profile, saturation, ...rest } = options;
    this.clock = clock;
    this.loopLag =
      saturation?.loopLag === null
        ? undefined
        : (saturation?.loopLag ?? (clock instanceof RealClock ? (startedAt, windowMs) => new EventLoopLag({ startedAt, windowMs }) : undefined));
    this.saturationThresholds = saturation?.thresholds ?? {};
    this.options = {
      progressIntervalMs: rest.progressIntervalMs ?? defaults.progressIntervalMs,
      tickMs: rest.tickMs ?? defaults.tickMs,
      maxInFlight: rest.maxInFlight ?? defaults.maxInFlight,
      idPrefix: rest.idPrefix ?? defaults.idPrefix,
    };
    if (!(this.options.progressIntervalMs > 0)) {
      throw new RangeError(`progressIntervalMs must be > 0, got ${this.options.progressIntervalMs}`);
    }
    if (!(this.options.tickMs > 0)) throw new RangeError(`tickMs must be > 0, got ${this.options.tickMs}`);
    if (!(this.options.maxInFlight >= 1)) {
      throw new RangeError(`maxInFlight must be >= 1, got ${this.options.maxInFlight}`);
    }
    this.host = {
      clock,
      target,
      histogram: this.histogram,
      nextId: () => `${this.options.idPrefix}${this.nextSeq++}`,
      requestStarted: () => {
        this.outstanding += 1;
      },
      requestSettled: () => this.requestSettled(),
      changed: (session) => {
        if (session === this.session && session.done && !this.finished) this.finish();
      },
    };
    if (profile) this.setProfile(profile);
  }

  /** The profile being run (or last run). */
  get profile(): LoadProfile {
    return this.currentProfile;
  }

  /** Counters of the current profile. */
  get stats(): LoadStats {
    return this.session ? this.session.stats : { ...noStats };
  }

  /** The current profile ran to its bounds and every request was answered. */
  get done(): boolean {
    return this.finished;
  }

  /** A progress snapshot of the current profile, or undefined when there is none. */
  progress(): LoadProgress | undefined {
    const session = this.session;
    if (!session) return undefined;
    const { sent, completed, inFlight } = session;
    const elapsedMs = this.clock.now() - session.startedAt;
    // A finished load has nothing left to fall behind on: its last event carries no verdict.
    const saturation = this.finished ? undefined : this.saturationReading;
    return { sent, completed, inFlight, elapsedMs, ...this.bounds, ...saturation, done: this.finished };
  }

  /**
   * Replaces the running load at once: the old one sends nothing more (its
   * in-flight requests finish uncounted), counters and the histogram restart,
   * and the new profile's bounds count from now.
   */
  setProfile(profile: LoadProfile): void {
    if (this.disposed) throw new Error('LoadGenerator is disposed');
    validateProfile(profile);
    this.stopCurrent(true);
    this.currentProfile = profile;
    this.bounds = boundsOf(profile);
    this.histogram.reset();
    this.finished = false;
    if (profile.model === 'none') return;

    const session = new LoadSession(this.host, profile.clients ?? 1);
    this.session = session;
    this.driver =
      profile.model === 'open'
        ? driveOpen(profile, session, { clock: this.clock, tickMs: this.options.tickMs, maxInFlight: this.options.maxInFlight })
        : driveClosed(profile, session, this.clock);
    this.saturation = new SaturationMonitor({ profile, startedAt: session.startedAt, loopLag: this.loopLag, thresholds: this.saturationThresholds });
    this.progressTimer = this.clock.setInterval(() => this.tick(), this.options.progressIntervalMs);
  }

  /** Resolves once no request of any profile is outstanding. */
  drained(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Stops sending and cancels every timer; in-flight requests finish and are still counted. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopCurrent(false);
    this.progressEmitter.dispose();
  }

  private requestSettled(): void {
    this.outstanding -= 1;
    if (this.outstanding > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private finish(): void {
    this.finished = true;
    this.driver?.dispose();
    this.driver = undefined;
    this.progressTimer?.dispose();
    this.progressTimer = undefined;
    this.stopSaturation();
    this.fireProgress();
  }

  /** Every progress interval: measure whether the workbench keeps up, then report. */
  private tick(): void {
    const session = this.session;
    if (session && this.saturation) this.saturationReading = this.saturation.sample(this.clock.now(), session);
    this.fireProgress();
  }

  private stopSaturation(): void {
    this.saturation?.dispose();
    this.saturation = undefined;
    this.saturationReading = undefined;
  }

  private fireProgress(): void {
    if (!this.progressEmitter.hasListeners) return;
    const progress = this.progress();
    if (progress) this.progressEmitter.fire(progress);
  }

  /** Stops the running load; `replaced` also detaches it and reports its end. */
  private stopCurrent(replaced: boolean): void {
    this.driver?.dispose();
    this.driver = undefined;
    this.progressTimer?.dispose();
    this.progressTimer = undefined;
    this.stopSaturation();
    const session = this.session;
    if (!session) return;
    if (replaced) {
      // The replaced load ends here: listeners get its final figures once.
      if (!this.finished) {
        this.finished = true;
        this.fireProgress();
      }
      session.detach();
      this.session = undefined;
    } else {
      session.stop();
    }
  }
}
