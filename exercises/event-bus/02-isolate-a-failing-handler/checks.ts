import { defineChecks, type Expectations, type VirtualClock } from '../../../patterns/kit/index.ts';
import { EventBus, type DeliveryOutcome, type EventBusOptions } from '../../../patterns/event-bus/event-bus.ts';
import type { SignupEvents, UserCreated } from '../../../patterns/event-bus/events.ts';

const ada = (): UserCreated => ({ userId: 'user-1', email: 'ada@example.test', name: 'Ada' });

const makeBus = (clock: VirtualClock, options: EventBusOptions<SignupEvents> = {}) =>
  new EventBus<SignupEvents>({ clock, retryDelayMs: 100, handlerTimeoutMs: Infinity, ...options });

const analyticsDown = () => {
  throw new Error('analytics is down');
};

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Watches a promise on the virtual clock: whether and when it resolved or rejected. */
const watch = <T>(promise: Promise<T>, clock: VirtualClock) => {
  const seen: { state: 'pending' | 'resolved' | 'rejected'; at?: number; value?: T; reason?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(seen, { state: 'resolved', at: clock.now(), value }),
    (reason: unknown) => Object.assign(seen, { state: 'rejected', at: clock.now(), reason }),
  );
  return seen;
};

/** Fails the check with a clear message unless `seen` resolved. */
const expectResolved = (expect: Expectations, seen: ReturnType<typeof watch>, what: string, because: string) => {
  if (seen.state === 'rejected') expect.fail(`${what} rejected with ${describe(seen.reason)}: ${because}`);
  if (seen.state === 'pending') expect.fail(`${what} had not settled yet: ${because}`);
};

export default defineChecks([
  {
    task: 1,
    name: 'settled resolves with one outcome per handler when one of them fails',
    async run({ clock, expect }) {
      const bus = makeBus(clock, { maxAttempts: 2 });
      bus.subscribe('user.created', async () => {}, { name: 'send-welcome-email' });
      bus.subscribe('user.created', analyticsDown, { name: 'track-analytics' });
      bus.subscribe('user.created', async () => {}, { name: 'create-profile' });
      const settled = watch(bus.publish('user.created', ada()).settled, clock);
      await clock.advance(1_000);
      expectResolved(expect, settled, '`settled`', 'it should resolve with one outcome per handler, the failed one included');
      expect.equal<DeliveryOutcome[] | undefined>(
        settled.value,
        [
          { status: 'delivered', handler: 'send-welcome-email', attempts: 1 },
          { status: 'dead-lettered', handler: 'track-analytics', attempts: 2, deadLetterId: 'dl-1' },
          { status: 'delivered', handler: 'create-profile', attempts: 1 },
        ],
        'the outcomes `settled` resolved with',
      );
      bus.dispose();
    },
  },
  {
    task: 1,
    name: 'two failing handlers each get their own outcome and dead letter',
    async run({ clock, expect }) {
      const bus = makeBus(clock, { maxAttempts: 1 });
      bus.subscribe('user.created', analyticsDown, { name: 'track-analytics' });
      bus.subscribe(
        'user.created',
        () => {
          throw new Error('profile store is read-only');
        },
        { name: 'create-profile' },
      );
      bus.subscribe('user.created', async () => {}, { name: 'send-welcome-email' });
      const settled = watch(bus.publish('user.created', ada()).settled, clock);
      await clock.advance(1_000);
      expectResolved(expect, settled, '`settled`', 'each failure belongs in its own outcome, not in the publication');
      const outcomes = (settled.value ?? []).map((o) => `${o.handler}: ${o.status}`);
      expect.equal(
        outcomes,
        ['track-analytics: dead-lettered', 'create-profile: dead-lettered', 'send-welcome-email: delivered'],
        'the outcome of each handler',
      );
      expect.equal(
        bus.deadLetters.list().map((l) => `${l.handler}: ${l.error}`),
        ['track-analytics: analytics is down', 'create-profile: profile store is read-only'],
        'the dead letters, with their errors',
      );
      bus.dispose();
    },
  },
  {
    task: 1,
    name: 'replaying a letter whose handler still fails resolves with its new dead letter',
    async run({ clock, expect }) {
      const bus = makeBus(clock, { maxAttempts: 1 });
      bus.subscribe('user.created', analyticsDown, { name: 'track-analytics' });
      const first = watch(bus.publish('user.created', ada()).settled, clock);
      await clock.advance(100);
      expectResolved(expect, first, '`settled`', 'a dead letter is an outcome, not an error');
      const replay = watch(bus.replay('dl-1'), clock);
      await clock.advance(100);
      expectResolved(expect, replay, '`replay(\'dl-1\')`', 'it should resolve with the outcome of the redelivery');
      expect.equal<DeliveryOutcome | undefined>(
        replay.value,
        { status: 'dead-lettered', handler: 'track-analytics', attempts: 1, deadLetterId: 'dl-2' },
        'the outcome of replaying dl-1 while analytics is still down',
      );
      bus.dispose();
    },
  },
  {
    task: 2,
    name: 'settled waits for every handler, not just until the first failure',
    async run({ clock, expect }) {
      const bus = makeBus(clock, { maxAttempts: 1 });
      bus.subscribe('user.created', analyticsDown, { name: 'track-analytics' });
      bus.subscribe('user.created', (_event, { signal }) => clock.sleep(300, signal), { name: 'send-welcome-email' });
      const settled = watch(bus.publish('user.created', ada()).settled, clock);
      await clock.advance(1_000);
      expect.equal(
        settled.at,
        300,
        '`settled` settled at (ms): track-analytics failed at 0 ms, send-welcome-email finished at 300 ms',
      );
      expectResolved(expect, settled, '`settled`', 'it should resolve once every handler has finished');
      bus.dispose();
    },
  },
  {
    task: 2,
    name: 'drain() resolves once every delivery has ended, failed ones included',
    async run({ clock, expect }) {
      const bus = makeBus(clock, { maxAttempts: 3 });
      bus.subscribe('user.created', analyticsDown, { name: 'track-analytics' }); // fails at 0, 100 and 300 ms
      bus.subscribe('user.created', (_event, { signal }) => clock.sleep(500, signal), { name: 'send-welcome-email' });
      watch(bus.publish('user.created', ada()).settled, clock); // observed, so a rejection cannot end the checks
      const drained = watch(bus.drain(), clock);
      await clock.advance(1_000);
      expectResolved(expect, drained, '`drain()`', 'it should resolve, whatever the handlers did');
      expect.equal(drained.at, 500, '`drain()` resolved at (ms): the last delivery, send-welcome-email, ended at 500 ms');
      bus.dispose();
    },
  },
]);
