/**
 * Recording a run's telemetry without ever taking the workbench down. The
 * database can refuse a write: another program holds a lock on it (SQLITE_BUSY),
 * the disk is full, an I/O error. Then the run goes on, its live subscribers
 * still get every event, and the events wait a little for the database; past
 * that bound they are dropped and counted, and the run's state says so.
 *
 * better-sqlite3 is synchronous: a write that waits for a lock blocks the whole
 * server for as long as it waits. So a write waits only a short busy timeout,
 * and after a failure the store's writes back off together (WriteHealth): at
 * most one blocked attempt per retry interval for all runs, the rest fail fast.
 */
import type { Logger } from 'pino';
import type { TelemetryEvent } from '../../patterns/kit/index.ts';
import type { RunStatus, Store } from './store.ts';

/** How recording a run goes, as its state shows it. */
export interface RecordingState {
  /** Events stored in the database. */
  stored: number;
  /** Events that could not be stored in time and were dropped. */
  dropped: number;
  /** Events waiting for the database to take them. */
  pending: number;
  /** The database's last error while recording this run; it stays after recording recovers. */
  lastError: string | null;
}

export interface WriteHealthOptions {
  file: string;
  log?: Logger | undefined;
  /** After a failed write, recording writes fail fast for this long before one tries again. */
  retryMs?: number;
  now?: () => number;
}

/**
 * Whether the store's recording writes are failing now, shared by all runs: one
 * warning per episode of failures, one line when it recovers.
 */
export class WriteHealth {
  private retryAt = 0;
  private episode: { since: number; error: string; dropped: number } | undefined;
  private closed = false;
  readonly retryMs: number;
  readonly now: () => number;

  constructor(private readonly options: WriteHealthOptions) {
    this.retryMs = options.retryMs ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  /** True while writes are failing (between the first failure and the next success). */
  get failing(): boolean {
    return this.episode !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** When a write may be tried again (meaningful while failing). */
  get nextAttemptAt(): number {
    return this.retryAt;
  }

  /**
   * Runs `write` unless writes are backing off after a failure. Never throws: returns
   * undefined when the write succeeded, otherwise the error's message.
   */
  attempt(write: () => void): string | undefined {
    if (this.closed) return 'the database is closed';
    if (this.episode && this.now() < this.retryAt) return this.episode.error;
    try {
      write();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // From the end of the attempt: a busy wait may have taken a while.
      this.retryAt = this.now() + this.retryMs;
      if (this.episode) {
        this.episode.error = message;
      } else {
        this.episode = { since: this.now(), error: message, dropped: 0 };
        this.options.log?.warn(
          { db: this.options.file, err: message },
          `recording telemetry failed: ${message}. Runs go on and live views still get their events; ` +
            'events wait briefly for the database, then are dropped and counted in each run\'s state, until it recovers',
        );
      }
      return message;
    }
    if (this.episode) {
      const { since, dropped } = this.episode;
      this.episode = undefined;
      this.options.log?.info(
        { db: this.options.file, dropped },
        `recording telemetry recovered after ${((this.now() - since) / 1000).toFixed(1)} s; ${dropped} events could not be stored`,
      );
    }
    return undefined;
  }

  /** Counts events a run gave up on, for the recovery line. */
  noteDropped(count: number): void {
    if (this.episode) this.episode.dropped += count;
  }

  /** The store is closing: writes fail from now on and nobody schedules a retry. */
  close(): void {
    this.closed = true;
  }
}

export interface RunRecorderOptions {
  /** Events wait at most this long for the database before they are dropped. */
  maxPendingMs?: number;
  /** At most this many events wait; the oldest are dropped first. */
  maxPendingEvents?: number;
}

/** Records one run's events, then its end, into the store. Never throws. */
export class RunRecorder {
  private pending: Array<{ events: readonly TelemetryEvent[]; at: number }> = [];
  private pendingCount = 0;
  private ending: { status: Exclude<RunStatus, 'running'>; error: string | undefined } | undefined;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  private stored = 0;
  private dropped = 0;
  private lastError: string | null = null;
  private readonly maxPendingMs: number;
  private readonly maxPendingEvents: number;

  constructor(
    private readonly store: Store,
    private readonly runId: string,
    options: RunRecorderOptions = {},
  ) {
    this.maxPendingMs = options.maxPendingMs ?? 2000;
    this.maxPendingEvents = options.maxPendingEvents ?? 20_000;
  }

  state(): RecordingState {
    return { stored: this.stored, dropped: this.dropped, pending: this.pendingCount, lastError: this.lastError };
  }

  add(events: readonly TelemetryEvent[]): void {
    if (events.length === 0) return;
    this.pending.push({ events, at: this.store.writes.now() });
    this.pendingCount += events.length;
    this.flush();
  }

  /** Marks the run stopped in the store, after its events (once; later calls are ignored). */
  finish(status: Exclude<RunStatus, 'running'>, error?: string): void {
    if (this.ending || this.ended) return;
    this.ending = { status, error };
    this.flush();
  }

  private flush(): void {
    const health = this.store.writes;
    if (this.pending.length > 0) {
      const batch = this.pending.length === 1 ? this.pending[0]!.events : this.pending.flatMap((p) => p.events);
      const error = health.attempt(() => this.store.appendEvents(this.runId, batch));
      if (error !== undefined) {
        this.lastError = error;
        this.dropStale();
        this.retryLater();
        return;
      }
      this.stored += batch.length;
      this.pending = [];
      this.pendingCount = 0;
    }
    if (this.ending) {
      const { status, error: runError } = this.ending;
      const error = health.attempt(() => this.store.finishRun(this.runId, status, runError));
      if (error !== undefined) {
        this.lastError = error;
        this.retryLater();
        return;
      }
      this.ending = undefined;
      this.ended = true;
    }
  }

  /** Drops what waited too long, or beyond the size bound, oldest first. */
  private dropStale(): void {
    const now = this.store.writes.now();
    let count = 0;
    while (
      this.pending.length > 0 &&
      (this.pendingCount > this.maxPendingEvents || now - this.pending[0]!.at > this.maxPendingMs)
    ) {
      const oldest = this.pending.shift()!;
      this.pendingCount -= oldest.events.length;
      count += oldest.events.length;
    }
    if (count > 0) {
      this.dropped += count;
      this.store.writes.noteDropped(count);
    }
  }

  /**
   * Tries again once the store's backoff is over, so waiting events (and the run's end) get
   * stored even when no new events come to trigger a write.
   */
  private retryLater(): void {
    const health = this.store.writes;
    if (this.timer || health.isClosed) return;
    const delay = Math.max(10, health.nextAttemptAt - health.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
    this.timer.unref();
  }
}
