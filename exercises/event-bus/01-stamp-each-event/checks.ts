import { defineChecks, type VirtualClock } from '../../../patterns/kit/index.ts';
import { EventBus } from '../../../patterns/event-bus/event-bus.ts';
import { EventFactory, type SignupEvents, type UserCreated } from '../../../patterns/event-bus/events.ts';

const ada = (): UserCreated => ({ userId: 'user-1', email: 'ada@example.test', name: 'Ada' });
const grace = (): UserCreated => ({ userId: 'user-2', email: 'grace@example.test', name: 'Grace' });

/** A bus created at the start of the clock, as a server creates it at start-up. */
const busOn = (clock: VirtualClock) => new EventBus<SignupEvents>({ clock, retryDelayMs: 100, handlerTimeoutMs: Infinity });

export default defineChecks([
  {
    task: 1,
    name: 'each event carries the time it was published, not the time the bus was created',
    async run({ clock, expect }) {
      const bus = busOn(clock);
      await clock.advance(60_000);
      const first = bus.publish('user.created', ada()).event;
      await clock.advance(250);
      const second = bus.publish('user.created', grace()).event;
      expect.equal(first.occurredAt, 60_000, "occurredAt of the event published at 60 000 ms on the bus's clock (the bus was created at 0 ms)");
      expect.equal(second.occurredAt, 60_250, 'occurredAt of the event published 250 ms later');
      bus.dispose();
    },
  },
  {
    task: 1,
    name: 'a handler can tell how old an event is when a retry runs',
    async run({ clock, expect }) {
      const bus = busOn(clock);
      const ages: number[] = [];
      bus.subscribe(
        'user.created',
        (event, { attempt }) => {
          ages.push(clock.now() - event.occurredAt);
          if (attempt === 1) throw new Error('email service answered 503');
        },
        { name: 'send-welcome-email' },
      );
      await clock.advance(5_000);
      const { settled } = bus.publish('user.created', ada());
      await clock.advance(100);
      await settled;
      expect.equal(
        ages,
        [0, 100],
        'the event\'s age (now - occurredAt) on the first attempt, and on the retry 100 ms later (published at 5 000 ms)',
      );
      bus.dispose();
    },
  },
  {
    task: 1,
    name: 'EventFactory reads the clock each time it creates an event',
    async run({ clock, expect }) {
      const factory = new EventFactory<SignupEvents>({ clock });
      await clock.advance(1_000);
      const first = factory.create('user.created', ada());
      await clock.advance(1_000);
      const second = factory.create('user.created', grace());
      expect.equal(
        [first.occurredAt, second.occurredAt],
        [1_000, 2_000],
        'occurredAt of events created at 1 000 ms and 2 000 ms (the factory was made at 0 ms)',
      );
    },
  },
  {
    task: 2,
    name: 'one handler cannot change the payload another handler sees',
    async run({ clock, expect }) {
      const bus = busOn(clock);
      const seen: string[] = [];
      bus.subscribe(
        'user.created',
        (event) => {
          try {
            (event.payload as { email: string }).email = 'mallory@example.test';
          } catch {
            // A frozen payload refuses the change: that is the point.
          }
        },
        { name: 'careless-handler' },
      );
      bus.subscribe('user.created', (event) => void seen.push(event.payload.email), { name: 'send-welcome-email' });
      await bus.publish('user.created', ada()).settled;
      expect.equal(seen, ['ada@example.test'], 'the email send-welcome-email saw after careless-handler tried to change it');
      bus.dispose();
    },
  },
  {
    task: 2,
    name: 'the event and its payload are frozen',
    async run({ clock, expect }) {
      const bus = busOn(clock);
      const { event } = bus.publish('user.created', ada());
      expect.equal(
        { event: Object.isFrozen(event), payload: Object.isFrozen(event.payload) },
        { event: true, payload: true },
        'Object.isFrozen of the published event and of its payload',
      );
      bus.dispose();
    },
  },
  {
    task: 2,
    name: 'the publisher may go on using its own payload object after publishing',
    async run({ clock, expect }) {
      const bus = busOn(clock);
      const seen: string[] = [];
      bus.subscribe('user.created', (event) => void seen.push(event.payload.email), { name: 'send-welcome-email' });
      const payload = ada();
      const { event, settled } = bus.publish('user.created', payload);
      let threw: unknown;
      try {
        payload.email = 'ada.lovelace@example.test'; // the publisher reuses its object
      } catch (error) {
        threw = error;
      }
      await settled;
      expect.ok(
        threw === undefined,
        `changing the publisher's own object after publish threw ${String(threw)}: freeze a copy of the payload, not the publisher's object`,
      );
      expect.equal(seen, ['ada@example.test'], 'the email the handler saw after the publisher changed its own object');
      expect.equal(event.payload.email, 'ada@example.test', "the event's payload email after the publisher changed its own object");
      bus.dispose();
    },
  },
]);
