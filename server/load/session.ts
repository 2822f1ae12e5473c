/**
 * One profile's worth of load: the counters, and the single place where a
 * request is built, handed to the target and measured. The open and closed
 * drivers decide *when* to call `send`; this decides nothing about timing.
 */
import type { Clock } from '../../patterns/kit/clock.ts';
import type { LatencyHistogram } from './histogram.ts';
import { isOk, type LoadRequest, type LoadResult, type LoadStats, type LoadTarget } from './types.ts';

/** What a LoadSession borrows from the generator that owns it. */
export interface SessionHost {
  readonly clock: Clock;
  readonly target: LoadTarget;
  readonly histogram: LatencyHistogram;
  /** A request id unique across sessions. */
  nextId(): string;
  /** A request started / settled, whichever session it belongs to (for `drained`). */
  requestStarted(): void;
  requestSettled(): void;
  /** Counters moved or sending finished: the generator checks whether the load is done. */
  changed(session: LoadSession): void;
}

/** The part of a session the open and closed drivers see. */
export interface DriverSession {
  readonly startedAt: number;
  readonly sent: number;
  readonly inFlight: number;
  /**
   * Sends request number `sent + dropped` now; resolves once it is answered
   * and counted, with the clock time it was (read once, for its latency too).
   */
  send(intendedAt: number): Promise<number>;
  /** Skips the next arrival without sending it (open model back-pressure). */
  drop(): void;
  /** The driver will send nothing more. */
  finishSending(): void;
}

export class LoadSession implements DriverSession {
  readonly startedAt: number;
  sent = 0;
  completed = 0;
  errors = 0;
  dropped = 0;
  inFlight = 0;
  private sendingFinished = false;
  private stopped = false;
  /** Set when a new profile replaced this one: its stragglers must not pollute the new figures. */
  private detached = false;

  constructor(
    private readonly host: SessionHost,
    private readonly clients: number,
  ) {
    this.startedAt = host.clock.now();
  }

  /** Sending is over and every request has been answered. */
  get done(): boolean {
    return this.sendingFinished && this.inFlight === 0;
  }

  get stats(): LoadStats {
    const { sent, completed, errors, dropped, inFlight } = this;
    return { sent, completed, errors, dropped, inFlight };
  }

  send(intendedAt: number): Promise<number> {
    if (this.stopped) return Promise.resolve(this.host.clock.now());
    const index = this.sent + this.dropped;
    const request: LoadRequest = {
      id: this.host.nextId(),
      clientKey: `client-${index % this.clients}`,
      index,
      intendedAt,
    };
    this.sent += 1;
    this.inFlight += 1;
    this.host.requestStarted();
    let answer: Promise<LoadResult>;
    try {
      answer = Promise.resolve(this.host.target(request));
    } catch {
      // A target that throws before returning a promise is a failed request, not a crashed load.
      answer = Promise.resolve({ ok: false });
    }
    // One reaction for both ends (no intermediate promise): this runs for every request.
    return answer.then(
      (result) => this.complete(isOk(result), intendedAt),
      () => this.complete(false, intendedAt),
    );
  }

  drop(): void {
    if (this.stopped) return;
    this.dropped += 1;
  }

  finishSending(): void {
    if (this.sendingFinished) return;
    this.sendingFinished = true;
    if (!this.detached) this.host.changed(this);
  }

  /** No new requests; those in flight still finish and are counted. */
  stop(): void {
    this.stopped = true;
  }

  /** Stop, and stop counting: the histogram now belongs to the next profile. */
  detach(): void {
    this.stop();
    this.detached = true;
  }

  private complete(ok: boolean, intendedAt: number): number {
    const now = this.host.clock.now();
    this.host.requestSettled();
    if (this.detached) return now;
    this.inFlight -= 1;
    this.completed += 1;
    if (!ok) this.errors += 1;
    this.host.histogram.record(Math.max(0, now - intendedAt));
    this.host.changed(this);
    return now;
  }
}
