/**
 * An in-process event bus: a publisher announces that something happened,
 * and every handler subscribed to that event reacts, without the publisher
 * knowing who they are.
 *
 *   publish('user.created') ─▶ bus ─┬─▶ send-welcome-email   ✗ retry ✓
 *                                   ├─▶ create-profile       ✓
 *                                   └─▶ track-analytics      ✗ ✗ ✗ ─▶ dead letters
 *
 * Delivery semantics, in one place:
 * - `publish` returns as soon as the event is created and handed to its
 *   handlers; it never runs handler code itself and never fails because a
 *   handler did. Its `settled` promise (or `drain()`) waits for the outcome.
 * - Handlers run concurrently and in isolation: each gets its own delivery,
 *   with its own retries, timeout and dead letter.
 * - Within the process, delivery is at least once per handler: a failed
 *   attempt is retried, and an attempt that timed out may have done its work
 *   anyway. Across a crash it is at most once: events in flight live only in
 *   memory. Handlers should be idempotent (they get `event.id` to dedupe on).
 */
import { Emitter, RealClock, toDisposable, type Clock, type Disposable, type Event } from '../kit/index.ts';
import { InMemoryDeadLetterStore, type DeadLetter, type DeadLetterStore } from './dead-letters.ts';
import { runAttempt } from './deadline.ts';
import { BusDisposedError, DeadLetterNotFoundError, NoSuchHandlerError } from './errors.ts';
import { EventFactory, type AnyEventOf, type EventName, type EventOf } from './events.ts';

/**
 * The defaults, in one place: edit them here and every bus follows (the lab
 * too, except maxAttempts, a lab knob, and its shorter handler timeout).
 */
export const DEFAULTS = {
  /** Attempts per handler and event, the first one included. */
  maxAttempts: 3,
  /** The wait before the first retry; it doubles for each further retry, up to maxRetryDelayMs. */
  retryDelayMs: 100,
  maxRetryDelayMs: 2_000,
  /** One attempt taking longer fails (and its signal aborts). */
  handlerTimeoutMs: 10_000,
};

/** What a handler gets beside the event. */
export interface HandlerContext {
  /** 1 on the first attempt, 2 on the first retry, … (starting again at 1 on a replay). */
  attempt: number;
  /** Aborts when the attempt times out or the bus is disposed: pass it to your I/O. */
  signal: AbortSignal;
}

export type Handler<E> = (event: E, context: HandlerContext) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * The handler's name in events, telemetry and dead letters, and how replay
   * finds it: keep it stable. Unique per event name. Default: the function's
   * own name, or `<event>#<n>` for an anonymous one.
   */
  name?: string;
  /** Attempts for this handler. Default: the bus's `maxAttempts`. */
  maxAttempts?: number;
}

export interface EventBusOptions<M> {
  /** Where time comes from (timestamps, backoff, timeouts). Default: the real clock; tests pass a VirtualClock. */
  clock?: Clock;
  /**
   * Attempts per handler and event, the first one included; then the delivery
   * is dead-lettered. Default 3: enough to ride out a blip, few enough that a
   * broken handler is noticed within a second.
   */
  maxAttempts?: number;
  /**
   * The wait before the first retry, doubled for each further one. Default
   * 100 ms: a transient failure often clears that fast, and doubling stops a
   * struggling downstream from being hammered.
   */
  retryDelayMs?: number;
  /** The longest wait between two attempts. Default 2 000 ms (or `retryDelayMs`, if larger). */
  maxRetryDelayMs?: number;
  /**
   * An attempt taking longer fails with HandlerTimeoutError. Default 10 000 ms.
   * Without it one hung handler keeps its delivery in flight forever, and
   * `drain()` never resolves. `Infinity` turns it off.
   */
  handlerTimeoutMs?: number;
  /** Where dead letters go. Default: a new InMemoryDeadLetterStore (1 000 letters at most). */
  deadLetters?: DeadLetterStore<AnyEventOf<M>>;
  /** Makes event ids. Default: `evt-1`, `evt-2`, … (see EventFactory). */
  newId?: () => string;
}

export interface PublishedEvent<E> {
  event: E;
  /** The handlers the event was handed to, by name (none is fine: nobody needed to know). */
  handlers: string[];
}

/** One attempt of one handler on one event, finished. */
export type HandledEvent = {
  eventId: string;
  eventName: string;
  handler: string;
  attempt: number;
  durationMs: number;
  /** True when this delivery is a replay of a dead letter. */
  replayed: boolean;
} & ({ ok: true } | { ok: false; error: unknown; willRetry: boolean });

/** How one handler's delivery of one event ended. */
export type DeliveryOutcome = { handler: string; attempts: number } & (
  | { status: 'delivered' }
  | { status: 'dead-lettered'; deadLetterId: string }
  /** The bus was disposed before the delivery finished: the event is lost for this handler. */
  | { status: 'abandoned' }
);

export interface Publication<E> {
  event: E;
  /**
   * Resolves once every handler's delivery has ended, retries included. A
   * handler's failure never rejects it (only a dead-letter store that throws).
   */
  settled: Promise<DeliveryOutcome[]>;
}

interface Subscription<M> {
  name: string;
  handler: Handler<AnyEventOf<M>>;
  maxAttempts: number;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const checkAttempts = (value: number, what: string): number => {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what} must be an integer >= 1, got ${value}`);
  return value;
};

export class EventBus<M> implements Disposable {
  /** Deliveries that gave up: inspect them, then `replay` one or `replayAll`. */
  readonly deadLetters: DeadLetterStore<AnyEventOf<M>>;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly factory: EventFactory<M>;
  /** Per event name; replaced, never mutated, so a publish in progress keeps the list it started with. */
  private subscriptions = new Map<string, ReadonlyArray<Subscription<M>>>();
  private readonly inFlight = new Set<Promise<DeliveryOutcome>>();
  /**
   * One per delivery in flight, aborted on dispose: ends its attempt or
   * backoff wait. (One shared signal would collect a listener per delivery.)
   */
  private readonly cancellers = new Set<AbortController>();
  private disposed = false;
  private anonymous = 0;

  private readonly publishedEmitter = new Emitter<PublishedEvent<AnyEventOf<M>>>();
  private readonly handledEmitter = new Emitter<HandledEvent>();
  private readonly deadLetteredEmitter = new Emitter<DeadLetter<AnyEventOf<M>>>();

  /** An event was created and handed to its handlers. Fires before any of them runs. */
  readonly onPublished: Event<PublishedEvent<AnyEventOf<M>>> = this.publishedEmitter.event;
  /** Fires once per attempt of each handler, when it ends. */
  readonly onHandled: Event<HandledEvent> = this.handledEmitter.event;
  /** A handler's delivery gave up after its last attempt; the letter is already in the store. */
  readonly onDeadLettered: Event<DeadLetter<AnyEventOf<M>>> = this.deadLetteredEmitter.event;

  constructor(options: EventBusOptions<M> = {}) {
    const {
      clock = new RealClock(),
      maxAttempts = DEFAULTS.maxAttempts,
      retryDelayMs = DEFAULTS.retryDelayMs,
      maxRetryDelayMs = Math.max(DEFAULTS.maxRetryDelayMs, retryDelayMs),
      handlerTimeoutMs = DEFAULTS.handlerTimeoutMs,
      deadLetters = new InMemoryDeadLetterStore<AnyEventOf<M>>(),
      newId,
    } = options;
    if (!(retryDelayMs >= 0 && Number.isFinite(retryDelayMs))) {
      throw new RangeError(`retryDelayMs must be a finite number >= 0, got ${retryDelayMs}`);
    }
    if (!(maxRetryDelayMs >= retryDelayMs && Number.isFinite(maxRetryDelayMs))) {
      throw new RangeError(`maxRetryDelayMs must be finite and >= retryDelayMs (${retryDelayMs}), got ${maxRetryDelayMs}`);
    }
    if (!(handlerTimeoutMs > 0)) {
      throw new RangeError(`handlerTimeoutMs must be > 0 (Infinity for none), got ${handlerTimeoutMs}`);
    }
    this.clock = clock;
    this.maxAttempts = checkAttempts(maxAttempts, 'maxAttempts');
    this.retryDelayMs = retryDelayMs;
    this.maxRetryDelayMs = maxRetryDelayMs;
    this.handlerTimeoutMs = handlerTimeoutMs;
    this.deadLetters = deadLetters;
    this.factory = new EventFactory<M>(newId ? { clock, newId } : { clock });
  }

  /** Calls `handler` for every event named `name` published from now on, until the result is disposed. */
  subscribe<N extends EventName<M>>(name: N, handler: Handler<EventOf<M, N>>, options: SubscribeOptions = {}): Disposable {
    this.throwIfDisposed();
    const handlerName = options.name ?? (handler.name || `${name}#${++this.anonymous}`);
    const existing = this.subscriptions.get(name) ?? [];
    if (existing.some((s) => s.name === handlerName)) {
      throw new RangeError(`a handler named '${handlerName}' is already subscribed to '${name}'`);
    }
    const subscription: Subscription<M> = {
      name: handlerName,
      // Safe: this subscription only ever receives events named `name`.
      handler: handler as unknown as Handler<AnyEventOf<M>>,
      maxAttempts: checkAttempts(options.maxAttempts ?? this.maxAttempts, 'maxAttempts'),
    };
    this.subscriptions.set(name, [...existing, subscription]);
    // Unsubscribing stops deliveries of events published afterwards. A delivery
    // already started runs to its end, retries included: nothing is dropped
    // half-way because a handler was swapped.
    return toDisposable(() => {
      const remaining = (this.subscriptions.get(name) ?? []).filter((s) => s !== subscription);
      if (remaining.length > 0) this.subscriptions.set(name, remaining);
      else this.subscriptions.delete(name);
    });
  }

  /**
   * Creates the event (id and timestamp stamped now) and hands it to every
   * handler subscribed to `name`. Returns at once: handlers start on a later
   * microtask. Throws only if the bus was disposed.
   */
  publish<N extends EventName<M>>(name: N, payload: M[N]): Publication<EventOf<M, N>> {
    this.throwIfDisposed();
    const event = this.factory.create(name, payload);
    const targets = this.subscriptions.get(name) ?? [];
    const anyEvent = event as unknown as AnyEventOf<M>;
    if (this.publishedEmitter.hasListeners) {
      this.publishedEmitter.fire({ event: anyEvent, handlers: targets.map((s) => s.name) });
    }
    const settled = Promise.all(targets.map((subscription) => this.track(this.deliver(anyEvent, subscription, false))));
    return { event, settled };
  }

  /**
   * Takes dead letter `id` out of the store and delivers its event again, with
   * the same id and timestamp, to the handler that failed it (only that one:
   * the others already have it). Attempts start again at 1; if they all fail
   * the event is dead-lettered again under a new id.
   */
  async replay(id: string): Promise<DeliveryOutcome> {
    this.throwIfDisposed();
    const letter = this.deadLetters.get(id);
    if (!letter) throw new DeadLetterNotFoundError(id);
    const subscription = this.subscriptions.get(letter.event.name)?.find((s) => s.name === letter.handler);
    // The letter stays in the store: subscribe the handler again, then replay it.
    if (!subscription) throw new NoSuchHandlerError(letter.event.name, letter.handler);
    this.deadLetters.delete(id);
    return this.track(this.deliver(letter.event, subscription, true));
  }

  /** Replays every dead letter whose handler is subscribed now; the others stay. */
  replayAll(): Promise<DeliveryOutcome[]> {
    this.throwIfDisposed();
    const replayable = this.deadLetters
      .list()
      .filter((letter) => this.subscriptions.get(letter.event.name)?.some((s) => s.name === letter.handler));
    return Promise.all(replayable.map((letter) => this.replay(letter.id)));
  }

  /** Resolves once no delivery is in flight, including ones started while waiting (a handler may publish). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** A snapshot for logs and tests. */
  toJSON(): { subscriptions: Record<string, string[]>; inFlight: number; deadLetters: number } {
    const subscriptions: Record<string, string[]> = {};
    for (const [name, list] of this.subscriptions) subscriptions[name] = list.map((s) => s.name);
    return { subscriptions, inFlight: this.inFlight.size, deadLetters: this.deadLetters.size };
  }

  /**
   * Stops the bus at once: attempts in flight are aborted, retries waiting are
   * cancelled (their deliveries end `abandoned`, unrecorded: an in-memory bus
   * loses them, as a crash would). For a graceful stop, `await drain()` first.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const reason = new BusDisposedError();
    for (const canceller of this.cancellers) canceller.abort(reason);
    this.cancellers.clear();
    this.subscriptions = new Map();
    for (const emitter of [this.publishedEmitter, this.handledEmitter, this.deadLetteredEmitter]) emitter.dispose();
  }

  /** One handler's delivery of one event, cancellable by dispose(). */
  private async deliver(event: AnyEventOf<M>, subscription: Subscription<M>, replayed: boolean): Promise<DeliveryOutcome> {
    // Start on a later microtask: publish() returns before any handler code runs.
    await undefined;
    if (this.disposed) return { status: 'abandoned', handler: subscription.name, attempts: 0 };
    const canceller = new AbortController();
    this.cancellers.add(canceller);
    try {
      return await this.attempts(event, subscription, replayed, canceller.signal);
    } finally {
      this.cancellers.delete(canceller);
    }
  }

  /** The attempts, the backoff between them, and the dead letter if all fail. */
  private async attempts(
    event: AnyEventOf<M>,
    subscription: Subscription<M>,
    replayed: boolean,
    cancelled: AbortSignal,
  ): Promise<DeliveryOutcome> {
    const { name: handler, maxAttempts } = subscription;
    const base = { eventId: event.id, eventName: event.name, handler, replayed };
    for (let attempt = 1; ; attempt++) {
      const start = this.clock.now();
      try {
        await runAttempt((signal) => subscription.handler(event, { attempt, signal }), {
          clock: this.clock,
          timeoutMs: this.handlerTimeoutMs,
          signal: cancelled,
        });
        this.handledEmitter.fire({ ...base, attempt, durationMs: this.clock.now() - start, ok: true });
        return { status: 'delivered', handler, attempts: attempt };
      } catch (error) {
        if (cancelled.aborted) return { status: 'abandoned', handler, attempts: attempt };
        const willRetry = attempt < maxAttempts;
        const durationMs = this.clock.now() - start;
        this.handledEmitter.fire({ ...base, attempt, durationMs, ok: false, error, willRetry });
        if (!willRetry) {
          const letter = this.deadLetters.add({ event, handler, attempts: attempt, error: messageOf(error), deadAt: this.clock.now() });
          this.deadLetteredEmitter.fire(letter);
          // Out of attempts: let whoever waits for the publication know it failed.
          throw error;
        }
      }
      // Awaited inside this async function (not a timer callback), so the wait
      // keeps the caller's async context: the retry still belongs to its request.
      try {
        await this.clock.sleep(this.backoff(attempt), cancelled);
      } catch {
        return { status: 'abandoned', handler, attempts: attempt };
      }
    }
  }

  /** The wait after failed attempt `attempt`: 100, 200, 400, … ms, capped. */
  private backoff(attempt: number): number {
    return Math.min(this.retryDelayMs * 2 ** (attempt - 1), this.maxRetryDelayMs);
  }

  private track(delivery: Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
    this.inFlight.add(delivery);
    const done = () => this.inFlight.delete(delivery);
    delivery.then(done, done);
    return delivery;
  }

  private throwIfDisposed(): void {
    if (this.disposed) throw new BusDisposedError();
  }
}
