import { defineChecks } from '../../../patterns/kit/index.ts';
import { appSettingsSchema, profiles } from '../../../patterns/settings/app-settings.ts';
import { resolveSettings, type SettingsSources } from '../../../patterns/settings/settings.ts';

const KEY = 'sk_live_0123456789abcdef';
const BASE: SettingsSources = { env: { APP_ENV: 'production', PRICING_API_KEY: KEY }, dotenv: 'PRICING_URL=https://pricing.internal/v2' };

/** The quote service's settings from BASE plus these sources; each setting's value and source by variable. */
const resolve = (extra: { env?: Record<string, string>; dotenv?: string; overrides?: Record<string, string> }) => {
  const resolved = resolveSettings(
    appSettingsSchema,
    {
      env: { ...BASE.env, ...extra.env },
      dotenv: [BASE.dotenv, extra.dotenv].filter(Boolean).join('\n'),
      ...(extra.overrides && { overrides: extra.overrides }),
    },
    { profiles },
  );
  return Object.fromEntries(resolved.settings.map((s) => [s.variable, { value: s.display, source: s.source }]));
};

export default defineChecks([
  {
    task: 1,
    name: 'a variable set in the environment and in .env takes the environment’s value',
    run({ expect }) {
      expect.equal(resolve({ env: { POOL_SIZE: '2' }, dotenv: 'POOL_SIZE=4' }).POOL_SIZE, { value: '2', source: 'environment' }, 'POOL_SIZE');
    },
  },
  {
    task: 1,
    name: 'an override beats the environment and the .env file',
    run({ expect }) {
      expect.equal(
        resolve({ env: { POOL_SIZE: '2' }, dotenv: 'POOL_SIZE=4', overrides: { POOL_SIZE: '7' } }).POOL_SIZE,
        { value: '7', source: 'override' },
        'POOL_SIZE',
      );
    },
  },
  {
    task: 1,
    name: 'a variable set only in .env is read from there',
    run({ expect }) {
      expect.equal(resolve({ dotenv: 'POOL_SIZE=4' }).POOL_SIZE, { value: '4', source: '.env' }, 'POOL_SIZE');
    },
  },
  {
    task: 2,
    name: 'the profile never beats the .env file, the environment or an override',
    run({ expect }) {
      // The production profile sets LOG_LEVEL=warn.
      expect.equal(resolve({ dotenv: 'LOG_LEVEL=info' }).LOG_LEVEL, { value: 'info', source: '.env' }, 'LOG_LEVEL set in .env');
      expect.equal(resolve({ env: { LOG_LEVEL: 'error' } }).LOG_LEVEL, { value: 'error', source: 'environment' }, 'LOG_LEVEL set in the environment');
      expect.equal(resolve({ overrides: { LOG_LEVEL: 'debug' } }).LOG_LEVEL, { value: 'debug', source: 'override' }, 'LOG_LEVEL overridden');
    },
  },
  {
    task: 2,
    name: 'the profile fills in what nobody set, over the schema’s default',
    run({ expect }) {
      const settings = resolve({});
      expect.equal(settings.LOG_LEVEL, { value: 'warn', source: 'profile' }, 'LOG_LEVEL set by no one (production’s profile says warn)');
      expect.equal(settings.POOL_SIZE, { value: '5', source: 'default' }, 'POOL_SIZE set by no one, nor by the profile');
    },
  },
]);
