import { defineChecks, type VirtualClock } from '../../../patterns/kit/index.ts';
import { ConcurrencyLimit, LimitReachedError } from '../../../patterns/__id__/__id__.ts';

/** A backend call that answers after `ms` of virtual time. */
const answersAfter = (clock: VirtualClock, ms: number) => async () => {
  await clock.sleep(ms);
  return 'items';
};

/** A backend call that fails after `ms` of virtual time, as a 503 would. */
const failsAfter = (clock: VirtualClock, ms: number) => async () => {
  await clock.sleep(ms);
  throw new Error('backend answered 503');
};

/** Runs one call through the limit on virtual time until it has ended; its error is swallowed: the checks look at the limit. */
const settle = async (clock: VirtualClock, limit: ConcurrencyLimit, fn: () => Promise<unknown>, ms: number) => {
  const pending = limit.execute(fn).catch(() => undefined);
  await clock.advance(ms);
  await pending;
};

export default defineChecks([
  {
    task: 1,
    name: 'a call that fails gives its slot back',
    async run({ clock, expect }) {
      const limit = new ConcurrencyLimit({ limit: 2 });
      await settle(clock, limit, failsAfter(clock, 10), 10);
      expect.equal(limit.inFlight, 0, 'the calls in flight once the only call has failed');
      limit.dispose();
    },
  },
  {
    task: 1,
    name: 'after as many failed calls as the limit, the next call is still admitted',
    async run({ clock, expect }) {
      const limit = new ConcurrencyLimit({ limit: 3 });
      for (let i = 0; i < 3; i++) await settle(clock, limit, failsAfter(clock, 10), 10);
      // Settled into a value at once: a call turned away rejects before the clock moves.
      const pending = limit.execute(answersAfter(clock, 10)).then(
        (answer) => ({ answer }),
        (error: unknown) => ({ error }),
      );
      await clock.advance(10);
      const outcome = await pending;
      if ('error' in outcome) {
        expect.ok(
          !(outcome.error instanceof LimitReachedError),
          'a call after 3 failed calls (the limit is 3) was turned away: the failed calls still hold their slots',
        );
        throw outcome.error;
      }
      expect.equal(outcome.answer, 'items', 'the answer of a call after 3 failed calls');
      limit.dispose();
    },
  },
  {
    task: 1,
    name: 'a call past the limit is turned away at once, without running',
    async run({ clock, expect }) {
      const limit = new ConcurrencyLimit({ limit: 1 });
      const first = limit.execute(answersAfter(clock, 100));
      let ran = false;
      await expect.rejects(
        () =>
          limit.execute(async () => {
            ran = true;
            return 'items';
          }),
        'a second call while the only slot is taken',
        (error) => error instanceof LimitReachedError,
      );
      expect.ok(!ran, 'the call turned away should not have run');
      await clock.advance(100);
      expect.equal(await first, 'items', 'the answer of the first call');
      expect.equal(limit.inFlight, 0, 'the calls in flight once the first call has answered');
      limit.dispose();
    },
  },
]);
