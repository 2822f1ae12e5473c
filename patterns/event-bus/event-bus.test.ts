import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kit/index.ts';
import { InMemoryDeadLetterStore, type DeadLetter } from './dead-letters.ts';
import { BusDisposedError, DeadLetterNotFoundError, HandlerTimeoutError, NoSuchHandlerError } from './errors.ts';
import { EventBus, type EventBusOptions, type HandledEvent, type PublishedEvent } from './event-bus.ts';
import type { AnyEventOf, DomainEvent } from './events.ts';

interface TestEvents {
  'user.created': { userId: string; email: string };
  'order.placed': { orderId: string; total: number };
}

let clock: VirtualClock;
beforeEach(() => {
  clock = new VirtualClock();
});

const makeBus = (overrides: EventBusOptions<TestEvents> = {}) => {
  const bus = new EventBus<TestEvents>({ clock, retryDelayMs: 100, handlerTimeoutMs: 1_000, ...overrides });
  const published: Array<PublishedEvent<AnyEventOf<TestEvents>>> = [];
  const handled: HandledEvent[] = [];
  const dead: DeadLetter[] = [];
  bus.onPublished((e) => published.push(e));
  bus.onHandled((e) => handled.push(e));
  bus.onDeadLettered((e) => dead.push(e));
  return { bus, published, handled, dead };
};

const user = (n = 1) => ({ userId: `u${n}`, email: `u${n}@example.test` });

/** A handler that throws its first `failures` calls, then succeeds; counts its calls. */
const flaky = (failures: number) => {
  const calls: number[] = [];
  const handler = async () => {
    calls.push(clock.now());
    if (calls.length <= failures) throw new Error(`boom ${calls.length}`);
  };
  return { handler, calls };
};

describe('EventBus: typed publish / subscribe', () => {
  it('delivers the payload in an envelope with an id, the name and the creation time', async () => {
    const { bus } = makeBus();
    const seen: Array<DomainEvent<'user.created', TestEvents['user.created']>> = [];
    bus.subscribe('user.created', (event) => {
      // Typed: event.payload.email is a string, no cast.
      seen.push(event);
      expect(event.payload.email.endsWith('@example.test')).toBe(true);
    });
    await clock.advance(250);
    const { event, settled } = bus.publish('user.created', user());
    expect(await settled).toEqual([{ status: 'delivered', handler: 'user.created#1', attempts: 1 }]);
    expect(seen).toEqual([{ id: 'evt-1', name: 'user.created', payload: user(), occurredAt: 250 }]);
    expect(seen[0]).toBe(event);
  });

  it('type-checks event names and payloads', () => {
    const { bus } = makeBus();
    // @ts-expect-error: no such event in the map
    expect(() => bus.publish('user.deleted', user())).not.toThrow();
    // @ts-expect-error: the payload of 'order.placed' has no email
    bus.publish('order.placed', { orderId: 'o1', total: 3, email: 'x' });
    bus.subscribe('order.placed', (event) => {
      // @ts-expect-error: an order has no email
      void event.payload.email;
    });
  });

  it('gives every event its own id and the time it was created (not one shared timestamp)', async () => {
    const { bus } = makeBus();
    const first = bus.publish('user.created', user(1)).event;
    await clock.advance(40);
    const second = bus.publish('user.created', user(2)).event;
    expect(first.occurredAt).toBe(0);
    expect(second.occurredAt).toBe(40);
    expect(first.id).not.toBe(second.id);
  });

  it('freezes the event: one handler cannot change what another sees', async () => {
    const { bus } = makeBus();
    const errors: unknown[] = [];
    bus.subscribe('user.created', (event) => {
      try {
        (event.payload as { email: string }).email = 'hacked';
      } catch (error) {
        errors.push(error);
      }
    });
    const { event, settled } = bus.publish('user.created', user());
    await settled;
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(event.payload.email).toBe('u1@example.test');
  });

  it('publishes with no subscribers (nobody needed to know) and names the handlers it reached', async () => {
    const { bus, published } = makeBus();
    expect(await bus.publish('order.placed', { orderId: 'o1', total: 10 }).settled).toEqual([]);
    bus.subscribe('user.created', async function sendWelcomeEmail() {});
    bus.subscribe('user.created', async () => {}, { name: 'create-profile' });
    bus.publish('user.created', user());
    expect(published.map((p) => p.handlers)).toEqual([[], ['sendWelcomeEmail', 'create-profile']]);
  });

  it('refuses a second handler with the same name on the same event', () => {
    const { bus } = makeBus();
    bus.subscribe('user.created', async () => {}, { name: 'h' });
    expect(() => bus.subscribe('user.created', async () => {}, { name: 'h' })).toThrow(RangeError);
    expect(() => bus.subscribe('order.placed', async () => {}, { name: 'h' })).not.toThrow();
  });
});

describe('EventBus: isolation and concurrency', () => {
  it('one failing handler fails neither the others nor the publisher', async () => {
    const { bus } = makeBus({ maxAttempts: 1 });
    const ran: string[] = [];
    bus.subscribe('user.created', () => {
      throw new Error('sync throw');
    }, { name: 'throws' });
    bus.subscribe('user.created', async () => Promise.reject(new Error('rejects')), { name: 'rejects' });
    bus.subscribe('user.created', async () => void ran.push('email'), { name: 'email' });
    bus.subscribe('user.created', async () => void ran.push('profile'), { name: 'profile' });

    const publication = bus.publish('user.created', user());
    const outcomes = await publication.settled;
    expect(ran).toEqual(['email', 'profile']);
    expect(outcomes.map((o) => `${o.handler}:${o.status}`)).toEqual([
      'throws:dead-lettered',
      'rejects:dead-lettered',
      'email:delivered',
      'profile:delivered',
    ]);
  });

  it('never runs handler code inside publish()', () => {
    const { bus } = makeBus();
    let ran = false;
    bus.subscribe('user.created', () => {
      ran = true;
    });
    bus.publish('user.created', user());
    expect(ran).toBe(false);
  });

  it('runs handlers concurrently: the delivery takes as long as the slowest, not the sum', async () => {
    const { bus, handled } = makeBus();
    for (const ms of [100, 300, 200]) {
      bus.subscribe('user.created', (_event, { signal }) => clock.sleep(ms, signal), { name: `sleeps-${ms}` });
    }
    let doneAt = -1;
    void bus.publish('user.created', user()).settled.then(() => {
      doneAt = clock.now();
    });
    await clock.runUntilIdle();
    expect(doneAt).toBe(300);
    expect(handled.map((h) => [h.handler, h.durationMs])).toEqual([
      ['sleeps-100', 100],
      ['sleeps-200', 200],
      ['sleeps-300', 300],
    ]);
  });
});

describe('EventBus: retries and dead letters', () => {
  it('retries with a doubling backoff on the clock, then dead-letters after maxAttempts', async () => {
    const { bus, handled, dead } = makeBus({ maxAttempts: 3 });
    const { handler, calls } = flaky(Infinity);
    bus.subscribe('user.created', handler, { name: 'analytics' });
    const { event, settled } = bus.publish('user.created', user());
    await clock.runUntilIdle();
    expect(await settled).toEqual([{ status: 'dead-lettered', handler: 'analytics', attempts: 3, deadLetterId: 'dl-1' }]);
    expect(calls).toEqual([0, 100, 300]); // waits of 100 then 200 ms
    // onHandled fires exactly once per attempt, onDeadLettered exactly once.
    expect(handled.map((h) => (h.ok ? [h.attempt] : [h.attempt, h.willRetry]))).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(dead).toEqual([{ id: 'dl-1', event, handler: 'analytics', attempts: 3, error: 'boom 3', deadAt: 300 }]);
    expect(bus.deadLetters.list()).toEqual(dead);
  });

  it('delivers on a retry without dead-lettering when the handler recovers', async () => {
    const { bus, handled, dead } = makeBus({ maxAttempts: 3 });
    const { handler } = flaky(2);
    bus.subscribe('user.created', handler, { name: 'email' });
    const { settled } = bus.publish('user.created', user());
    await clock.runUntilIdle();
    expect(await settled).toEqual([{ status: 'delivered', handler: 'email', attempts: 3 }]);
    expect(handled.map((h) => h.ok)).toEqual([false, false, true]);
    expect(dead).toEqual([]);
  });

  it('caps the backoff and honours a per-subscription maxAttempts', async () => {
    const { bus } = makeBus({ retryDelayMs: 100, maxRetryDelayMs: 250 });
    const { handler, calls } = flaky(Infinity);
    bus.subscribe('user.created', handler, { name: 'h', maxAttempts: 5 });
    bus.publish('user.created', user());
    await clock.runUntilIdle();
    expect(calls).toEqual([0, 100, 300, 550, 800]);
  });

  it('times out a hung attempt, aborts its signal and counts it as a failure', async () => {
    const { bus, handled } = makeBus({ maxAttempts: 2, handlerTimeoutMs: 500 });
    const signals: AbortSignal[] = [];
    bus.subscribe('user.created', (_event, { signal }) => {
      signals.push(signal);
      return new Promise(() => {}); // never settles
    }, { name: 'hangs' });
    const { settled } = bus.publish('user.created', user());
    await clock.runUntilIdle();
    expect(await settled).toMatchObject([{ status: 'dead-lettered', attempts: 2 }]);
    expect(handled.every((h) => !h.ok && h.error instanceof HandlerTimeoutError && h.durationMs === 500)).toBe(true);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('keeps the dead-letter store bounded, dropping the oldest', async () => {
    const deadLetters = new InMemoryDeadLetterStore<AnyEventOf<TestEvents>>(2);
    const { bus } = makeBus({ maxAttempts: 1, deadLetters });
    bus.subscribe('user.created', () => Promise.reject(new Error('no')));
    for (let n = 1; n <= 3; n++) bus.publish('user.created', user(n));
    await bus.drain();
    expect(deadLetters.list().map((l) => l.event.payload)).toEqual([
      { userId: 'u2', email: 'u2@example.test' },
      { userId: 'u3', email: 'u3@example.test' },
    ]);
    expect(deadLetters.dropped).toBe(1);
  });
});

describe('EventBus: replay', () => {
  const deadLetterOne = async () => {
    const made = makeBus({ maxAttempts: 2 });
    let broken = true;
    const analyticsCalls: string[] = [];
    let emailCalls = 0;
    made.bus.subscribe('user.created', async () => void emailCalls++, { name: 'email' });
    made.bus.subscribe('user.created', async (event) => {
      analyticsCalls.push(event.id);
      if (broken) throw new Error('analytics down');
    }, { name: 'analytics' });
    const { event } = made.bus.publish('user.created', user());
    await clock.runUntilIdle();
    expect(made.bus.deadLetters.size).toBe(1);
    return { ...made, event, analyticsCalls, emailCalls: () => emailCalls, heal: () => (broken = false) };
  };

  it('redelivers the same event (same id and timestamp) to the failed handler only', async () => {
    const { bus, event, heal, handled, analyticsCalls, emailCalls } = await deadLetterOne();
    heal();
    await clock.advance(5_000);
    const [letter] = bus.deadLetters.list();
    const outcome = await bus.replay(letter!.id);
    expect(outcome).toEqual({ status: 'delivered', handler: 'analytics', attempts: 1 });
    expect(analyticsCalls).toEqual([event.id, event.id, event.id]);
    expect(emailCalls()).toBe(1);
    expect(bus.deadLetters.size).toBe(0);
    expect(handled.at(-1)).toMatchObject({ eventId: event.id, handler: 'analytics', attempt: 1, ok: true, replayed: true });
  });

  it('dead-letters again under a new id when the handler still fails', async () => {
    const { bus, dead } = await deadLetterOne();
    const outcomes = bus.replayAll();
    await clock.runUntilIdle();
    expect(await outcomes).toEqual([{ status: 'dead-lettered', handler: 'analytics', attempts: 2, deadLetterId: 'dl-2' }]);
    expect(dead.map((d) => d.id)).toEqual(['dl-1', 'dl-2']);
    expect(bus.deadLetters.list().map((d) => d.id)).toEqual(['dl-2']);
  });

  it('refuses an unknown letter, and keeps a letter whose handler is gone', async () => {
    const { bus } = await deadLetterOne();
    await expect(bus.replay('dl-99')).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    const other = makeBus();
    other.bus.deadLetters.add({ ...bus.deadLetters.list()[0]!, handler: 'gone' });
    await expect(other.bus.replay('dl-1')).rejects.toBeInstanceOf(NoSuchHandlerError);
    expect(other.bus.deadLetters.size).toBe(1);
    expect(await other.bus.replayAll()).toEqual([]);
  });
});

describe('EventBus: unsubscribe, drain and dispose', () => {
  it('stops delivering events published after unsubscribe', async () => {
    const { bus } = makeBus();
    const seen: string[] = [];
    const subscription = bus.subscribe('user.created', (e) => void seen.push(e.payload.userId));
    bus.publish('user.created', user(1));
    await bus.drain();
    subscription.dispose();
    bus.publish('user.created', user(2));
    await bus.drain();
    expect(seen).toEqual(['u1']);
    expect(bus.toJSON().subscriptions).toEqual({});
  });

  it('lets a delivery already under way finish its retries after unsubscribe', async () => {
    const { bus } = makeBus({ maxAttempts: 3 });
    const { handler, calls } = flaky(1);
    const subscription = bus.subscribe('user.created', handler);
    const { settled } = bus.publish('user.created', user());
    await clock.advance(0);
    subscription.dispose();
    await clock.runUntilIdle();
    expect(calls).toHaveLength(2);
    expect(await settled).toMatchObject([{ status: 'delivered', attempts: 2 }]);
  });

  it('drain() waits for retries and for events that handlers publish', async () => {
    const { bus } = makeBus();
    const placed: string[] = [];
    bus.subscribe('user.created', async () => {
      await clock.sleep(50);
      bus.publish('order.placed', { orderId: 'welcome-gift', total: 0 });
    });
    bus.subscribe('order.placed', async (e) => {
      await clock.sleep(50);
      placed.push(e.payload.orderId);
    });
    bus.publish('user.created', user());
    let drained = false;
    void bus.drain().then(() => (drained = true));
    await clock.advance(60);
    expect(drained).toBe(false);
    await clock.advance(50);
    expect(drained).toBe(true);
    expect(placed).toEqual(['welcome-gift']);
  });

  it('dispose() abandons deliveries in flight, cancels retry timers and refuses new work', async () => {
    const { bus, handled, dead } = makeBus({ maxAttempts: 3 });
    const signals: AbortSignal[] = [];
    bus.subscribe('user.created', (_e, { signal }) => {
      signals.push(signal);
      return clock.sleep(10_000, signal);
    }, { name: 'slow' });
    bus.subscribe('user.created', () => Promise.reject(new Error('no')), { name: 'failing' });
    const { settled } = bus.publish('user.created', user());
    await clock.advance(50); // 'failing' waits for its retry, 'slow' is mid-attempt
    bus.dispose();
    expect(await settled).toEqual([
      { status: 'abandoned', handler: 'slow', attempts: 1 },
      { status: 'abandoned', handler: 'failing', attempts: 1 },
    ]);
    expect(signals[0]!.aborted).toBe(true);
    expect(clock.pending).toBe(0);
    expect(handled).toHaveLength(1); // only the first failure of 'failing'
    expect(dead).toEqual([]);
    expect(() => bus.publish('user.created', user())).toThrow(BusDisposedError);
    expect(() => bus.subscribe('user.created', () => {})).toThrow(BusDisposedError);
    await expect(bus.drain()).resolves.toBeUndefined();
  });
});

describe('EventBus: options', () => {
  it.each([
    [{ maxAttempts: 0 }, /maxAttempts must be an integer >= 1, got 0/],
    [{ maxAttempts: 1.5 }, /maxAttempts must be an integer >= 1, got 1.5/],
    [{ retryDelayMs: -1 }, /retryDelayMs must be a finite number >= 0, got -1/],
    [{ retryDelayMs: 100, maxRetryDelayMs: 50 }, /maxRetryDelayMs must be finite and >= retryDelayMs \(100\), got 50/],
    [{ handlerTimeoutMs: 0 }, /handlerTimeoutMs must be > 0/],
  ] as const)('rejects %o with a RangeError naming the value', (options, message) => {
    expect(() => new EventBus<TestEvents>({ clock, ...options })).toThrow(RangeError);
    expect(() => new EventBus<TestEvents>({ clock, ...options })).toThrow(message);
  });

  it('rejects a bad per-subscription maxAttempts', () => {
    const { bus } = makeBus();
    expect(() => bus.subscribe('user.created', () => {}, { maxAttempts: 0 })).toThrow(RangeError);
  });

  it('uses newId for event ids', () => {
    let n = 0;
    const bus = new EventBus<TestEvents>({ clock, newId: () => `custom-${++n}` });
    expect(bus.publish('user.created', user()).event.id).toBe('custom-1');
  });
});
