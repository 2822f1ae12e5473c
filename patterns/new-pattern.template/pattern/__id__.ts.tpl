/**
 * The __title__ pattern: the code a learner edits (and the solution of its
 * exercises, as it stands).
 *
 * What it holds for now is a small, working example to replace with the
 * pattern itself: a concurrency limit, or bulkhead. At most `limit` calls run
 * at once; a call that finds every slot taken is turned away at once with a
 * LimitReachedError, instead of queueing behind a slow downstream and tying
 * up its caller too.
 *
 * It has the shape every pattern here has: plain TypeScript with no telemetry
 * calls, its collaborators and settings passed in, and typed events
 * (`onDecision`) that the lab turns into telemetry.
 */
import { Emitter, type Disposable, type Event } from '../kit/index.ts';

/** Every slot was taken: the call was turned away without running. */
export class LimitReachedError extends Error {
  override readonly name = 'LimitReachedError';

  constructor(readonly limit: number) {
    super(`all ${limit} slots are taken: call turned away`);
  }
}

/** What the limit decided about one call. */
export interface Decision {
  admitted: boolean;
  /** Calls running once it decided, an admitted call included. */
  inFlight: number;
  limit: number;
}

export interface ConcurrencyLimitOptions {
  /** Most calls running at once: a whole number, at least 1. */
  limit: number;
}

export class ConcurrencyLimit implements Disposable {
  readonly limit: number;
  private running = 0;
  private readonly decisionEmitter = new Emitter<Decision>();

  /** Fires for every call, admitted or turned away, before it runs. */
  readonly onDecision: Event<Decision> = this.decisionEmitter.event;

  constructor({ limit }: ConcurrencyLimitOptions) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number of at least 1, got ${limit}`);
    this.limit = limit;
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Runs `fn` if a slot is free; otherwise rejects at once with LimitReachedError, without running it. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      this.decide(false);
      throw new LimitReachedError(this.limit);
    }
    this.running++;
    this.decide(true);
    try {
      return await fn();
    } finally {
      // However the call ended (an answer, an error, a timeout), its slot is free again.
      this.running--;
    }
  }

  dispose(): void {
    this.decisionEmitter.dispose();
  }

  private decide(admitted: boolean): void {
    // Build the event only when someone listens: a limit nobody watches costs nothing more.
    if (this.decisionEmitter.hasListeners) {
      this.decisionEmitter.fire({ admitted, inFlight: this.running, limit: this.limit });
    }
  }
}
