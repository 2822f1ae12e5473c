import { defineChecks, type Expectations, type VirtualClock } from '../../../patterns/kit/index.ts';
import { appSettingsSchema, profiles } from '../../../patterns/settings/app-settings.ts';
import { SettingsStore } from '../../../patterns/settings/settings-store.ts';
import type { SettingIssue } from '../../../patterns/settings/settings.ts';

const ENV = { APP_ENV: 'production', PRICING_API_KEY: 'sk_live_0123456789abcdef' };
const GOOD = 'PRICING_URL=https://pricing.internal/v2\nPOOL_SIZE=4';

/**
 * A store of the quote service's settings whose reads take `delays` ms in turn (the last one
 * repeats), on the check's clock; `files.dotenv` is the .env file each read finds.
 */
const openStore = async (clock: VirtualClock, delays: number[] = [0]) => {
  const files = { dotenv: GOOD };
  let reads = 0;
  const store = await SettingsStore.open({
    schema: appSettingsSchema,
    profiles,
    async load() {
      const dotenv = files.dotenv;
      const delay = delays[Math.min(reads++, delays.length - 1)]!;
      if (delay > 0) await clock.sleep(delay);
      return { env: ENV, dotenv };
    },
  });
  return { store, files };
};

/** Reads `store.current` as a request would; a throw is a failed request. */
const poolSizeNow = (store: { current: { values: { poolSize: number } } }, expect: Expectations, when: string): number => {
  try {
    return store.current.values.poolSize;
  } catch (error) {
    return expect.fail(`reading current ${when} threw: ${error instanceof Error ? error.message : String(error)}`);
  }
};

/** Runs `reload` to its end on virtual time; a throw is a check failure. */
const settle = async <T>(clock: VirtualClock, reload: Promise<T>, expect: Expectations, ms = 1_000): Promise<T> => {
  const settled = reload.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await clock.advance(ms);
  const outcome = await settled;
  if ('error' in outcome) {
    return expect.fail(`reload() threw instead of resolving: ${outcome.error instanceof Error ? outcome.error.message.split('\n')[0] : String(outcome.error)}`);
  }
  return outcome.value;
};

export default defineChecks([
  {
    task: 1,
    name: 'a reload of an empty .env file resolves rejected, with every issue',
    async run({ clock, expect }) {
      const { store, files } = await openStore(clock);
      files.dotenv = '';
      const outcome = await settle(clock, store.reload(), expect);
      expect.equal(outcome.kind, 'rejected', 'what the reload did');
      if (outcome.kind === 'rejected') expect.equal(outcome.issues.map((i) => i.variable), ['PRICING_URL'], 'the variables of its issues');
      store.dispose();
    },
  },
  {
    task: 1,
    name: 'after a rejected reload, the service reads the settings it had',
    async run({ clock, expect }) {
      const { store, files } = await openStore(clock);
      const rejected: Array<readonly SettingIssue[]> = [];
      store.onRejected((issues) => rejected.push(issues));
      files.dotenv = 'POOL_SIZE=0';
      await settle(clock, store.reload(), expect).catch(() => undefined);
      expect.equal(poolSizeNow(store, expect, 'after a rejected reload'), 4, 'POOL_SIZE after the rejected reload');
      expect.equal(rejected.length, 1, 'onRejected calls');
      expect.equal(rejected[0]?.map((i) => i.variable).sort(), ['POOL_SIZE', 'PRICING_URL'], 'the issues onRejected got');
      store.dispose();
    },
  },
  {
    task: 2,
    name: 'while a reload reads its sources, current still answers',
    async run({ clock, expect }) {
      const { store, files } = await openStore(clock, [0, 200]);
      files.dotenv = GOOD.replace('POOL_SIZE=4', 'POOL_SIZE=7');
      const reload = store.reload();
      await clock.advance(100);
      expect.equal(poolSizeNow(store, expect, 'halfway through a reload'), 4, 'POOL_SIZE halfway through the reload');
      await settle(clock, reload, expect);
      expect.equal(poolSizeNow(store, expect, 'after the reload'), 7, 'POOL_SIZE after the reload');
      store.dispose();
    },
  },
  {
    task: 2,
    name: 'a valid reload applies in one step and says what changed',
    async run({ clock, expect }) {
      const { store, files } = await openStore(clock);
      const changes: string[][] = [];
      store.onChanged(({ changed, previous }) => {
        changes.push(changed);
        expect.equal(previous.values.poolSize, 4, 'the previous POOL_SIZE onChanged got');
      });
      files.dotenv = GOOD.replace('POOL_SIZE=4', 'POOL_SIZE=9');
      const outcome = await settle(clock, store.reload(), expect);
      expect.equal(outcome.kind === 'applied' ? outcome.changed : outcome.kind, ['POOL_SIZE'], 'what the reload changed');
      expect.equal(changes, [['POOL_SIZE']], 'onChanged calls');
      const again = await settle(clock, store.reload(), expect);
      expect.equal(again.kind, 'unchanged', 'a reload of the same sources');
      store.dispose();
    },
  },
  {
    task: 3,
    name: 'a slow first reload does not overwrite a later one',
    async run({ clock, expect }) {
      // The first reload's read takes 300 ms, the second's 10 ms.
      const { store, files } = await openStore(clock, [0, 300, 10]);
      files.dotenv = GOOD.replace('POOL_SIZE=4', 'POOL_SIZE=5');
      const first = store.reload();
      // The first reload is under way (its read has begun) before the file changes again.
      await clock.advance(1);
      files.dotenv = GOOD.replace('POOL_SIZE=4', 'POOL_SIZE=6');
      const second = store.reload();
      await settle(clock, Promise.all([first, second]), expect);
      expect.equal(poolSizeNow(store, expect, 'after both reloads'), 6, 'POOL_SIZE after both reloads (the second read 6)');
      store.dispose();
    },
  },
]);
