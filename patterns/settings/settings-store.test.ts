import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kit/index.ts';
import { appSettingsSchema, profiles } from './app-settings.ts';
import { SettingsStore } from './settings-store.ts';
import { SettingsError, type SettingIssue } from './settings.ts';

const ENV = { APP_ENV: 'production', PRICING_API_KEY: 'sk_live_0123456789abcdef' };
const GOOD = 'PRICING_URL=https://pricing.internal/v2\nPOOL_SIZE=4';

/** A store whose every read takes `readMs` of virtual time and finds `files.dotenv`. */
const openStore = async (clock: VirtualClock, readMs = 0) => {
  const files = { dotenv: GOOD, readMs: 0 };
  const store = await SettingsStore.open({
    schema: appSettingsSchema,
    profiles,
    async load() {
      const { dotenv, readMs: ms } = files;
      if (ms > 0) await clock.sleep(ms);
      return { env: ENV, dotenv };
    },
  });
  // Opened at once; the reads after it take their time.
  files.readMs = readMs;
  return { store, files };
};

describe('SettingsStore', () => {
  it('refuses to open on invalid settings, with every issue', async () => {
    const opening = SettingsStore.open({ schema: appSettingsSchema, profiles, load: () => ({ env: { APP_ENV: 'production', PRICING_API_KEY: 'short' }, dotenv: 'POOL_SIZE=x' }) });
    await expect(opening).rejects.toBeInstanceOf(SettingsError);
    await expect(opening).rejects.toMatchObject({ issues: [{ variable: 'POOL_SIZE' }, { variable: 'PRICING_URL' }, { variable: 'PRICING_API_KEY' }] });
  });

  it('applies a valid reload in one step, says what changed, and reports an unchanged one', async () => {
    const clock = new VirtualClock();
    const { store, files } = await openStore(clock, 100);
    const changes: string[][] = [];
    store.onChanged(({ changed }) => changes.push(changed));
    files.dotenv = GOOD.replace('POOL_SIZE=4', 'POOL_SIZE=8');
    const reload = store.reload();
    await clock.advance(50);
    expect(store.current.values.poolSize).toBe(4); // halfway through the read: the old settings
    await clock.advance(50);
    await expect(reload).resolves.toMatchObject({ kind: 'applied', changed: ['POOL_SIZE'] });
    expect(store.current.values.poolSize).toBe(8);
    expect(changes).toEqual([['POOL_SIZE']]);
    const again = store.reload();
    await clock.advance(100);
    await expect(again).resolves.toEqual({ kind: 'unchanged' });
  });

  it('notices a changed secret though it shows as the mask', async () => {
    const clock = new VirtualClock();
    let key = ENV.PRICING_API_KEY;
    const store = await SettingsStore.open({ schema: appSettingsSchema, profiles, load: () => ({ env: { ...ENV, PRICING_API_KEY: key }, dotenv: GOOD }) });
    key = 'sk_live_rotated_0000000000';
    const reload = store.reload();
    await clock.advance(0);
    await expect(reload).resolves.toMatchObject({ kind: 'applied', changed: ['PRICING_API_KEY'] });
    expect(store.current.values.pricingApiKey.reveal()).toBe(key);
  });

  it('refuses an invalid reload with every issue and keeps the settings in use', async () => {
    const clock = new VirtualClock();
    const { store, files } = await openStore(clock);
    const rejected: Array<readonly SettingIssue[]> = [];
    store.onRejected((issues) => rejected.push(issues));
    const before = store.current;
    files.dotenv = 'POOL_SIZE=0';
    await expect(store.reload()).resolves.toMatchObject({ kind: 'rejected', issues: [{ variable: 'POOL_SIZE' }, { variable: 'PRICING_URL' }] });
    expect(store.current).toBe(before);
    expect(rejected).toHaveLength(1);
  });

  it('runs reloads one at a time, in order: a slow first read never lands after a later one', async () => {
    const clock = new VirtualClock();
    const { store, files } = await openStore(clock, 300);
    files.dotenv = GOOD.replace('POOL_SIZE=4', 'POOL_SIZE=5');
    const first = store.reload();
    await clock.advance(1); // the first read has begun: it will find POOL_SIZE=5
    files.readMs = 10;
    files.dotenv = GOOD.replace('POOL_SIZE=4', 'POOL_SIZE=6');
    const second = store.reload();
    await clock.advance(400);
    await expect(first).resolves.toMatchObject({ kind: 'applied' });
    await expect(second).resolves.toMatchObject({ kind: 'applied' });
    expect(store.current.values.poolSize).toBe(6);
  });

  it('rejects a reload whose read fails, keeps the settings in use, and goes on reloading', async () => {
    const clock = new VirtualClock();
    let unreadable = false;
    let dotenv = GOOD;
    const store = await SettingsStore.open({
      schema: appSettingsSchema,
      profiles,
      load: () => {
        if (unreadable) throw new Error('EACCES: permission denied, open .env');
        return { env: ENV, dotenv };
      },
    });
    unreadable = true;
    await expect(store.reload()).rejects.toThrow(/EACCES/);
    expect(store.current.values.poolSize).toBe(4);
    unreadable = false;
    dotenv = GOOD.replace('POOL_SIZE=4', 'POOL_SIZE=3');
    await expect(store.reload()).resolves.toMatchObject({ kind: 'applied', changed: ['POOL_SIZE'] });
    await clock.advance(0);
  });
});
