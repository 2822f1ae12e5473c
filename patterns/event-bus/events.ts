/**
 * Domain events: what happened, as data. An event is a fact in the past tense
 * ("user.created"), named once and typed once, so a publisher and every
 * handler agree on its payload at compile time.
 *
 * The bus is generic over an *event map*: an interface from event name to
 * payload type. `EventBus<SignupEvents>` then only accepts
 * `publish('user.created', { userId, email, name })`, and a handler
 * subscribed to 'user.created' gets `event.payload.email` typed as a string.
 */
import type { Clock } from '../kit/index.ts';

/** The events of the sign-up flow the lab runs. Add a line here to add an event. */
export interface SignupEvents {
  'user.created': UserCreated;
}

export interface UserCreated {
  userId: string;
  email: string;
  name: string;
}

/** The names of an event map's events. */
export type EventName<M> = keyof M & string;

/**
 * One event as the bus carries it: the payload wrapped with what every event
 * needs, whoever publishes it. Frozen: handlers run concurrently on the same
 * object, and one handler must not change what the next one sees.
 */
export interface DomainEvent<N extends string = string, P = unknown> {
  /** Unique per event, kept on redelivery and replay: what an idempotent handler dedupes on. */
  readonly id: string;
  readonly name: N;
  readonly payload: Readonly<P>;
  /** When the event was created, read from the injected clock at that moment (ms). */
  readonly occurredAt: number;
}

/** The event named `N` of map `M`. */
export type EventOf<M, N extends EventName<M>> = DomainEvent<N, M[N]>;

/** Any event of map `M`, as a union discriminated by `name`. */
export type AnyEventOf<M> = { [N in EventName<M>]: EventOf<M, N> }[EventName<M>];

export interface EventFactoryOptions {
  /** Where `occurredAt` comes from. */
  clock: Clock;
  /**
   * Makes event ids. Default: `evt-1`, `evt-2`, … per factory, which is
   * deterministic (the same run gives the same ids). Across processes use
   * something globally unique, such as a UUID or a ULID.
   */
  newId?: () => string;
}

/** Creates events: the one place an id and a timestamp are stamped on them. */
export class EventFactory<M> {
  private readonly clock: Clock;
  private readonly newId: () => string;
  private seq = 0;

  constructor(options: EventFactoryOptions) {
    this.clock = options.clock;
    this.newId = options.newId ?? (() => `evt-${++this.seq}`);
  }

  create<N extends EventName<M>>(name: N, payload: M[N]): EventOf<M, N> {
    // The clock is read *here*, per event, at the moment it is created. (A
    // default argument or field initializer evaluated once would give every
    // event the same time: the bug of the widely copied Python version.)
    return Object.freeze({
      id: this.newId(),
      name,
      payload: Object.freeze({ ...payload }),
      occurredAt: this.clock.now(),
    });
  }
}
