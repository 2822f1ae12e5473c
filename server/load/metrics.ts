/**
 * A rolling summary of inbound requests: every `windowMs` of clock time it
 * turns the requests completed in that window into one `metrics` telemetry
 * payload (rate, errors, percentiles) and starts afresh. Charts draw these
 * instead of every request, so a long run at full load stays cheap to show.
 */
import type { Clock } from '../../patterns/kit/clock.ts';
import { Emitter, type Disposable, type Event } from '../../patterns/kit/events.ts';
import type { RequestOutcome, TelemetryEventMap } from '../../patterns/kit/telemetry.ts';
import { LatencyHistogram } from './histogram.ts';

/** The `metrics` telemetry payload. */
export type MetricsSummary = TelemetryEventMap['metrics'];

export interface MetricsWindowOptions {
  clock: Clock;
  /** Length of one window in clock ms. Default 1000: one point per second on a chart. */
  windowMs?: number;
}

/** Rounds ms to the microsecond the histogram keeps, so payloads stay short. */
const roundMs = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Summarises completed requests once per window, on the clock. */
export class MetricsWindow implements Disposable {
  readonly windowMs: number;
  private readonly summaryEmitter = new Emitter<MetricsSummary>();
  /**
   * Fires at the end of every window, empty ones included (a chart needs its
   * zeros). Nothing is computed while nobody listens.
   */
  readonly onSummary: Event<MetricsSummary> = this.summaryEmitter.event;

  private readonly histogram = new LatencyHistogram();
  private errors = 0;
  private rejected = 0;
  private readonly timer: Disposable;

  constructor(options: MetricsWindowOptions) {
    this.windowMs = options.windowMs ?? 1000;
    if (!(this.windowMs > 0 && Number.isFinite(this.windowMs))) {
      throw new RangeError(`windowMs must be a finite number > 0, got ${options.windowMs}`);
    }
    this.timer = options.clock.setInterval(() => this.closeWindow(), this.windowMs);
  }

  /**
   * Counts one completed request in the current window. O(1): a histogram
   * increment and two counters. `timeout` counts as an error; `rejected`
   * (fast-failed by a breaker or a limiter) is counted apart.
   */
  record(outcome: RequestOutcome, durationMs: number): void {
    this.histogram.record(Math.max(0, durationMs));
    if (outcome === 'rejected') this.rejected += 1;
    else if (outcome !== 'ok') this.errors += 1;
  }

  /** The current window's figures so far, without closing it. */
  peek(): MetricsSummary {
    const { count, p50, p90, p99, p999 } = this.histogram.summary();
    return {
      windowMs: this.windowMs,
      count,
      rate: (count * 1000) / this.windowMs,
      errors: this.errors,
      rejected: this.rejected,
      errorRate: count === 0 ? 0 : (this.errors + this.rejected) / count,
      p50: roundMs(p50),
      p90: roundMs(p90),
      p99: roundMs(p99),
      p999: roundMs(p999),
    };
  }

  /** Stops the window timer; nothing fires afterwards. */
  dispose(): void {
    this.timer.dispose();
    this.summaryEmitter.dispose();
  }

  private closeWindow(): void {
    if (this.summaryEmitter.hasListeners) this.summaryEmitter.fire(this.peek());
    this.histogram.reset();
    this.errors = 0;
    this.rejected = 0;
  }
}
