import { defineChecks } from '../../../patterns/kit/index.ts';
import { appSettingsSchema, profiles } from '../../../patterns/settings/app-settings.ts';
import { MASK, quoteReceived, Secret } from '../../../patterns/settings/secret.ts';
import { resolveSettings, SettingsError } from '../../../patterns/settings/settings.ts';

const KEY = 'sk_live_0123456789abcdef';
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The quote service's settings, with KEY as its API key. */
const settings = () =>
  resolveSettings(appSettingsSchema, { env: { APP_ENV: 'production', PRICING_API_KEY: KEY }, dotenv: 'PRICING_URL=https://pricing.internal/v2' }, { profiles });

export default defineChecks([
  {
    task: 1,
    name: 'printing a secret gives the mask, and reveal() the value',
    run({ expect }) {
      const secret = new Secret(KEY);
      expect.equal(String(secret), MASK, 'String(secret)');
      expect.equal(`key=${secret}`, `key=${MASK}`, 'a template literal');
      expect.equal(secret.reveal(), KEY, 'secret.reveal()');
    },
  },
  {
    task: 1,
    name: 'console.log and util.inspect get the mask, not the fields',
    run({ expect }) {
      const secret = new Secret(KEY) as unknown as Record<symbol, unknown>;
      const inspect = secret[INSPECT];
      expect.ok(
        typeof inspect === 'function',
        "a Secret has no method under Symbol.for('nodejs.util.inspect.custom'): console.log(secret) prints its fields, the value among them",
      );
      // Node calls it as (depth, options, inspect): stand-ins for each, as util.inspect would pass.
      const stylize = (text: string) => text;
      const printed = String((inspect as (depth: number, options: object, inspect: (value: unknown) => string) => unknown).call(secret, 2, { stylize }, (value) => String(value)));
      expect.ok(!printed.includes(KEY), `util.inspect(secret) prints ${printed}, which holds the value`);
      expect.ok(printed.includes(MASK), `util.inspect(secret) should show the mask; it prints ${printed}`);
    },
  },
  {
    task: 2,
    name: 'JSON.stringify of a secret, or of settings holding one, gives the mask',
    run({ expect }) {
      expect.equal(JSON.stringify(new Secret(KEY)), JSON.stringify(MASK), 'JSON.stringify(secret)');
      const json = JSON.stringify({ settings: settings().values });
      expect.ok(!json.includes(KEY), `JSON.stringify of the settings' values holds the key: ${json}`);
      expect.ok(json.includes(`"pricingApiKey":"${MASK}"`), `the settings' values should serialise the key as the mask: ${json}`);
    },
  },
  {
    task: 2,
    name: "copying a secret's own fields does not reach the value",
    run({ expect }) {
      const secret = new Secret(KEY);
      const copied = JSON.stringify([{ ...secret }, Object.values(secret), Object.entries(secret)]);
      expect.ok(!copied.includes(KEY), `{ ...secret }, Object.values or Object.entries reach the value: ${copied}`);
    },
  },
  {
    task: 3,
    name: 'an invalid secret is quoted as the mask in the error',
    run({ expect }) {
      const short = 'sk_live_tooshort';
      expect.equal(quoteReceived(short.slice(0, 10), true), MASK, 'quoteReceived(value, true)');
      let error: unknown;
      try {
        resolveSettings(appSettingsSchema, { env: { APP_ENV: 'production', PRICING_API_KEY: 'sk_live_12345' }, dotenv: 'PRICING_URL=https://pricing.internal/v2' }, { profiles });
      } catch (thrown) {
        error = thrown;
      }
      expect.ok(error instanceof SettingsError, 'a key of 13 characters should be refused with a SettingsError');
      const { message, issues } = error as SettingsError;
      expect.ok(!message.includes('sk_live_12345'), `the error's message quotes the key: ${message}`);
      expect.equal(issues[0]?.received, MASK, 'what the issue says the key received');
    },
  },
  {
    task: 3,
    name: 'a value that is not a secret is still quoted, to help fix it',
    run({ expect }) {
      expect.equal(quoteReceived('four', false), '"four"', "quoteReceived('four', false)");
    },
  },
]);
