import { defineChecks, type VirtualClock } from '../../../patterns/kit/index.ts';
import type { DeadLetter } from '../../../patterns/event-bus/dead-letters.ts';
import { DeadLetterNotFoundError, NoSuchHandlerError } from '../../../patterns/event-bus/errors.ts';
import { EventBus, type DeliveryOutcome, type EventBusOptions, type HandledEvent } from '../../../patterns/event-bus/event-bus.ts';
import type { SignupEvents, UserCreated } from '../../../patterns/event-bus/events.ts';

const ada = (): UserCreated => ({ userId: 'user-1', email: 'ada@example.test', name: 'Ada' });

/** A bus on the check's clock, listening to its own events. */
const makeBus = (clock: VirtualClock, options: EventBusOptions<SignupEvents> = {}) => {
  const bus = new EventBus<SignupEvents>({ clock, retryDelayMs: 100, handlerTimeoutMs: Infinity, ...options });
  const handled: HandledEvent[] = [];
  const dead: DeadLetter[] = [];
  bus.onHandled((e) => handled.push(e));
  bus.onDeadLettered((letter) => dead.push(letter));
  return { bus, handled, dead };
};

/** A handler that fails its first `failures` calls (Infinity: always), remembering when it ran and on what. */
const flaky = (clock: VirtualClock, failures: number) => {
  const calls: Array<{ at: number; attempt: number; eventId: string; occurredAt: number }> = [];
  let broken = true;
  const handle = (event: { id: string; occurredAt: number }, { attempt }: { attempt: number }) => {
    calls.push({ at: clock.now(), attempt, eventId: event.id, occurredAt: event.occurredAt });
    if (broken && calls.length <= failures) throw new Error(`analytics is down (call ${calls.length})`);
  };
  return { handle, calls, heal: () => (broken = false) };
};

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export default defineChecks([
  {
    task: 1,
    name: 'retries a failing handler after waits of 100, 200 and 400 ms',
    async run({ clock, expect }) {
      const { bus } = makeBus(clock, { maxAttempts: 4 });
      const analytics = flaky(clock, Infinity);
      bus.subscribe('user.created', analytics.handle, { name: 'track-analytics' });
      bus.publish('user.created', ada());
      await clock.advance(5_000);
      expect.equal(
        analytics.calls.map((c) => c.at),
        [0, 100, 300, 700],
        'when track-analytics was called (ms), with maxAttempts 4 and retryDelayMs 100',
      );
      expect.equal(
        analytics.calls.map((c) => c.attempt),
        [1, 2, 3, 4],
        'the `attempt` each call was given',
      );
      bus.dispose();
    },
  },
  {
    task: 1,
    name: 'a handler that recovers on a retry is delivered, and every attempt is reported',
    async run({ clock, expect }) {
      const { bus, handled, dead } = makeBus(clock, { maxAttempts: 3 });
      const email = flaky(clock, 2);
      bus.subscribe('user.created', email.handle, { name: 'send-welcome-email' });
      const { settled } = bus.publish('user.created', ada());
      await clock.advance(5_000);
      expect.equal<DeliveryOutcome[]>(
        await settled,
        [{ status: 'delivered', handler: 'send-welcome-email', attempts: 3 }],
        'the outcome of a handler that failed twice, then succeeded',
      );
      expect.equal(
        handled.map((h) => (h.ok ? `attempt ${h.attempt}: ok` : `attempt ${h.attempt}: failed, willRetry ${String(h.willRetry)}`)),
        ['attempt 1: failed, willRetry true', 'attempt 2: failed, willRetry true', 'attempt 3: ok'],
        'what onHandled reported, once per attempt',
      );
      expect.equal(dead.length, 0, 'dead letters for a handler that recovered');
      bus.dispose();
    },
  },
  {
    task: 1,
    name: "the wait doubles up to maxRetryDelayMs, and a subscription's own maxAttempts wins",
    async run({ clock, expect }) {
      const { bus } = makeBus(clock, { maxAttempts: 3, retryDelayMs: 100, maxRetryDelayMs: 250 });
      const analytics = flaky(clock, Infinity);
      bus.subscribe('user.created', analytics.handle, { name: 'track-analytics', maxAttempts: 5 });
      bus.publish('user.created', ada());
      await clock.advance(5_000);
      expect.equal(
        analytics.calls.map((c) => c.at),
        [0, 100, 300, 550, 800],
        'when track-analytics was called (ms): maxAttempts 5 on the subscription, waits of 100, 200, then 250 (the cap)',
      );
      bus.dispose();
    },
  },
  {
    task: 2,
    name: 'dead-letters once, after the last attempt, with the last error',
    async run({ clock, expect }) {
      const { bus, dead } = makeBus(clock, { maxAttempts: 3 });
      const analytics = flaky(clock, Infinity);
      bus.subscribe('user.created', analytics.handle, { name: 'track-analytics' });
      const { event, settled } = bus.publish('user.created', ada());
      await clock.advance(299);
      expect.equal(bus.deadLetters.size, 0, 'dead letters at 299 ms, while the third attempt (due at 300 ms) is still to come');
      await clock.advance(5_000);
      expect.equal<DeliveryOutcome[]>(
        await settled,
        [{ status: 'dead-lettered', handler: 'track-analytics', attempts: 3, deadLetterId: 'dl-1' }],
        'the outcome of a handler that failed all 3 attempts',
      );
      expect.equal(
        bus.deadLetters.list().map(({ id, handler, attempts, error, deadAt, event: e }) => ({ id, handler, attempts, error, deadAt, eventId: e.id })),
        [{ id: 'dl-1', handler: 'track-analytics', attempts: 3, error: 'analytics is down (call 3)', deadAt: 300, eventId: event.id }],
        'the dead letters in the store',
      );
      expect.equal(dead.length, 1, 'times onDeadLettered fired');
      bus.dispose();
    },
  },
  {
    task: 2,
    name: 'disposing the bus during the wait abandons the delivery: no dead letter, no timer left',
    async run({ clock, expect }) {
      const { bus, dead } = makeBus(clock, { maxAttempts: 3 });
      const analytics = flaky(clock, Infinity);
      bus.subscribe('user.created', analytics.handle, { name: 'track-analytics' });
      const { settled } = bus.publish('user.created', ada());
      await clock.advance(50); // attempt 1 failed at 0 ms; attempt 2 is due at 100 ms
      bus.dispose();
      expect.equal(clock.pending, 0, 'timers left on the clock right after dispose (the wait for the retry should end with the bus)');
      await clock.advance(5_000);
      expect.equal<DeliveryOutcome[]>(
        await settled,
        [{ status: 'abandoned', handler: 'track-analytics', attempts: 1 }],
        'the outcome of a delivery whose bus was disposed while it waited to retry',
      );
      expect.equal(dead.length, 0, 'dead letters written for it');
      expect.equal(analytics.calls.length, 1, 'calls to track-analytics (none after dispose)');
    },
  },
  {
    task: 3,
    name: 'replay redelivers the same event to the handler that failed it, and only to it',
    async run({ clock, expect }) {
      const { bus, handled } = makeBus(clock, { maxAttempts: 2 });
      let emailsSent = 0;
      bus.subscribe('user.created', async () => void emailsSent++, { name: 'send-welcome-email' });
      const analytics = flaky(clock, Infinity);
      bus.subscribe('user.created', analytics.handle, { name: 'track-analytics' });
      await clock.advance(1_000);
      const { event } = bus.publish('user.created', ada());
      await clock.advance(1_000);
      const [letter] = bus.deadLetters.list();
      if (!letter) return expect.fail('track-analytics should have been dead-lettered after 2 failed attempts, but the store is empty');
      analytics.heal();
      await clock.advance(5_000);
      const outcome = bus.replay(letter.id);
      await clock.advance(100);
      expect.equal<DeliveryOutcome>(
        await outcome,
        { status: 'delivered', handler: 'track-analytics', attempts: 1 },
        `the outcome of replay('${letter.id}') once analytics works again`,
      );
      const replayed = analytics.calls.at(-1)!;
      expect.equal(
        { eventId: replayed.eventId, occurredAt: replayed.occurredAt },
        { eventId: event.id, occurredAt: 1_000 },
        'the event track-analytics got on the replay (the one it failed: same id, same time)',
      );
      expect.equal(emailsSent, 1, 'welcome emails sent (send-welcome-email already had the event)');
      expect.equal(bus.deadLetters.size, 0, 'dead letters left after a successful replay');
      expect.equal(handled.at(-1)?.replayed, true, 'onHandled `replayed` for the replayed attempt');
      bus.dispose();
    },
  },
  {
    task: 3,
    name: 'a replay that fails again is retried, then dead-lettered under a new id',
    async run({ clock, expect }) {
      const { bus } = makeBus(clock, { maxAttempts: 2 });
      const analytics = flaky(clock, Infinity);
      bus.subscribe('user.created', analytics.handle, { name: 'track-analytics' });
      const { event } = bus.publish('user.created', ada());
      await clock.advance(1_000);
      const outcome = bus.replay('dl-1');
      await clock.advance(1_000);
      expect.equal<DeliveryOutcome>(
        await outcome,
        { status: 'dead-lettered', handler: 'track-analytics', attempts: 2, deadLetterId: 'dl-2' },
        "the outcome of replay('dl-1') while analytics is still down",
      );
      expect.equal(
        analytics.calls.map((c) => `${c.at} ms: attempt ${c.attempt} of ${c.eventId}`),
        [`0 ms: attempt 1 of ${event.id}`, `100 ms: attempt 2 of ${event.id}`, `1000 ms: attempt 1 of ${event.id}`, `1100 ms: attempt 2 of ${event.id}`],
        'the calls to track-analytics: the delivery, then the replay',
      );
      expect.equal(
        bus.deadLetters.list().map((l) => `${l.id} (${l.event.id})`),
        [`dl-2 (${event.id})`],
        'the dead letters in the store after the replay failed',
      );
      bus.dispose();
    },
  },
  {
    task: 3,
    name: 'a letter whose handler has gone stays in the store',
    async run({ clock, expect }) {
      const { bus } = makeBus(clock, { maxAttempts: 1 });
      let emailsSent = 0;
      bus.subscribe('user.created', async () => void emailsSent++, { name: 'send-welcome-email' });
      const analytics = flaky(clock, Infinity);
      const subscription = bus.subscribe('user.created', analytics.handle, { name: 'track-analytics' });
      bus.publish('user.created', ada());
      await clock.advance(1_000);
      subscription.dispose(); // analytics is taken out while it is being fixed
      await expect.rejects(
        () => bus.replay('dl-1'),
        "replay('dl-1') after track-analytics unsubscribed",
        (error) => error instanceof NoSuchHandlerError,
      );
      await clock.advance(1_000);
      expect.equal(
        bus.deadLetters.list().map((l) => l.id),
        ['dl-1'],
        'the dead letters kept after a replay that had no handler to go to',
      );
      expect.equal(emailsSent, 1, 'welcome emails sent (a replay must not reach the other handlers)');
      const all = await bus.replayAll();
      expect.equal(all, [], 'the outcomes of replayAll() while the only letter has no handler');
      const thrown = await expect.rejects(() => bus.replay('dl-99'), "replay('dl-99'), a letter that does not exist");
      expect.ok(thrown instanceof DeadLetterNotFoundError, `replay('dl-99') threw ${describe(thrown)}, expected a DeadLetterNotFoundError`);
      bus.dispose();
    },
  },
]);
