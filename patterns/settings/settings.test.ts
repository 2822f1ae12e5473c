import { describe, expect, it } from 'vitest';
import { z } from '../kit/index.ts';
import { appSettingsSchema, profiles } from './app-settings.ts';
import { MASK, Secret, secret } from './secret.ts';
import { envName, formatIssue, parseDotenv, resolveSettings, SettingsError, type SettingsSources } from './settings.ts';

const KEY = 'sk_live_0123456789abcdef';
const PRODUCTION: SettingsSources = { env: { APP_ENV: 'production', PRICING_API_KEY: KEY }, dotenv: 'PRICING_URL=https://pricing.internal/v2' };

const resolve = (sources: SettingsSources) => resolveSettings(appSettingsSchema, sources, { profiles });

/** The issues `resolve(sources)` throws. */
const issuesOf = (sources: SettingsSources) => {
  try {
    resolve(sources);
  } catch (error) {
    if (error instanceof SettingsError) return error.issues;
    throw error;
  }
  throw new Error('expected a SettingsError');
};

describe('resolveSettings', () => {
  it('types every setting and says where each came from', () => {
    const { values, settings, profile } = resolve({ ...PRODUCTION, dotenv: `${PRODUCTION.dotenv}\nPOOL_SIZE=7` });
    expect(values).toMatchObject({ appEnv: 'production', poolSize: 7, requestTimeoutMs: 1_000, pricingUrl: 'https://pricing.internal/v2', logLevel: 'warn' });
    expect(values.pricingApiKey).toBeInstanceOf(Secret);
    expect(profile).toBe('production');
    expect(settings.map((s) => [s.variable, s.source, s.display])).toEqual([
      ['APP_ENV', 'environment', 'production'],
      ['POOL_SIZE', '.env', '7'],
      ['REQUEST_TIMEOUT_MS', 'default', '1000'],
      ['PRICING_URL', '.env', 'https://pricing.internal/v2'],
      ['PRICING_API_KEY', 'environment', MASK],
      ['LOG_LEVEL', 'profile', 'warn'],
    ]);
    expect(Object.isFrozen(values)).toBe(true);
  });

  it('takes each value from the strongest source: override > environment > .env > profile > default', () => {
    const layered = (sources: SettingsSources) => resolve({ ...PRODUCTION, ...sources, env: { ...PRODUCTION.env, ...sources.env } }).values.poolSize;
    expect(layered({})).toBe(5); // the schema's default (production sets no pool size)
    expect(resolve({ ...PRODUCTION, env: { ...PRODUCTION.env, APP_ENV: 'development' } }).values.poolSize).toBe(2); // development's profile
    expect(layered({ dotenv: `${PRODUCTION.dotenv}\nPOOL_SIZE=3` })).toBe(3);
    expect(layered({ dotenv: `${PRODUCTION.dotenv}\nPOOL_SIZE=3`, env: { POOL_SIZE: '4' } })).toBe(4);
    expect(layered({ dotenv: `${PRODUCTION.dotenv}\nPOOL_SIZE=3`, env: { POOL_SIZE: '4' }, overrides: { POOL_SIZE: '6' } })).toBe(6);
  });

  it('picks the profile from the sources, and a profile never beats the .env file', () => {
    const dev = resolve({ env: { APP_ENV: 'development', PRICING_API_KEY: KEY }, dotenv: 'LOG_LEVEL=error' });
    expect(dev.profile).toBe('development');
    expect(dev.values).toMatchObject({ pricingUrl: 'http://localhost:8080/v2', requestTimeoutMs: 3_000, logLevel: 'error' });
    // No APP_ENV: the schema's default (development) is shown, and its profile applies.
    const byDefault = resolve({ env: { PRICING_API_KEY: KEY } });
    expect(byDefault.profile).toBe('development');
    expect(byDefault.settings.find((s) => s.variable === 'APP_ENV')).toMatchObject({ source: 'default', display: 'development' });
    expect(byDefault.values).toMatchObject({ appEnv: 'development', poolSize: 2, pricingUrl: 'http://localhost:8080/v2' });
  });

  it('reports every problem at once, each with its variable, source, line, expectation and value', () => {
    const issues = issuesOf({
      env: { APP_ENV: 'prod', REQUEST_TIMEOUT_MS: '20', PRICING_API_KEY: 'sk_short' },
      dotenv: '# the service\nPOOL_SIZE=four\nPOOL SIZE 4\nLOG_LEVEL=verbose',
    });
    expect(issues.map(formatIssue)).toEqual([
      '.env, line 3: expected KEY=value, a # comment or a blank line',
      'APP_ENV (from the environment): expected development, staging or production, received "prod"',
      'POOL_SIZE (from .env, line 2): expected a whole number, received "four"',
      'REQUEST_TIMEOUT_MS (from the environment): expected at least 50, received "20"',
      'PRICING_URL (not set): expected a value: it is required, and no source sets it',
      `PRICING_API_KEY (from the environment): expected at least 16 characters, received ${MASK}`,
      'LOG_LEVEL (from .env, line 4): expected debug, info, warn or error, received "verbose"',
    ]);
    expect(() => resolve({ env: { APP_ENV: 'production', PRICING_API_KEY: 'sk_short' } })).toThrow(/^2 problems with the settings:\n {2}PRICING_URL/);
    expect(() => resolve({ env: { APP_ENV: 'production', PRICING_API_KEY: 'sk_short' }, dotenv: 'PRICING_URL=https://pricing.internal/v2' })).toThrow(
      /^1 problem with the settings:\n {2}PRICING_API_KEY/,
    );
  });

  it('never quotes a secret, even an invalid one, nor a broken .env line that may hold one', () => {
    const error = (() => {
      try {
        resolve({ env: { APP_ENV: 'production' }, dotenv: 'PRICING_API_KEY sk_live_0123456789abcdef\nPRICING_API_KEY=sk_live_0123' });
      } catch (thrown) {
        return thrown as SettingsError;
      }
    })()!;
    expect(error.message).not.toMatch(/sk_live/);
    expect(JSON.stringify(error.issues)).not.toMatch(/sk_live/);
  });

  it('refuses a username or password inside PRICING_URL, without quoting it', () => {
    const issues = issuesOf({ ...PRODUCTION, dotenv: 'PRICING_URL=https://svc:hunter2hunter2@pricing.internal/v2' });
    expect(issues.map(formatIssue)).toEqual([
      `PRICING_URL (from .env, line 1): expected a URL without a username or password: a credential goes in a secret (PRICING_API_KEY), received ${MASK}`,
    ]);
  });

  it('masks a secret schema however it is wrapped: .describe(), .refine(), z.preprocess', () => {
    const trim = (v: unknown) => (typeof v === 'string' ? v.trim() : v);
    const loudMessage = { error: (iss: { input?: unknown }) => `too short: ${String(iss.input)}` };
    for (const apiKey of [
      secret(z.string().min(16, loudMessage)).describe('the key'),
      secret(z.string().min(16, loudMessage)).refine(() => true),
      z.preprocess(trim, secret(z.string().min(16, loudMessage))),
    ]) {
      const schema = z.object({ apiKey });
      const error = (() => {
        try {
          resolveSettings(schema, { env: { API_KEY: 'sk_live_short' } });
        } catch (thrown) {
          return thrown as SettingsError;
        }
      })()!;
      expect(error).toBeInstanceOf(SettingsError);
      expect(error.message).not.toContain('sk_live_short');
      expect(error.issues).toMatchObject([{ variable: 'API_KEY', expected: 'expected at least 16 characters', received: MASK }]);
      const ok = resolveSettings(schema, { env: { API_KEY: ' sk_live_0123456789abcdef ' } });
      expect(ok.settings[0]).toMatchObject({ secret: true, display: MASK });
    }
  });

  it('lists the .env variables no setting reads', () => {
    expect(resolve({ ...PRODUCTION, dotenv: `${PRODUCTION.dotenv}\nPOOLSIZE=4` }).unknown).toEqual(['POOLSIZE']);
  });

  it('works with any zod object, optional settings included', () => {
    const schema = z.object({ featureName: z.string().optional(), retries: z.string().default('3') });
    const { values, settings } = resolveSettings(schema, { overrides: { RETRIES: '5' } });
    expect(values).toEqual({ featureName: undefined, retries: '5' });
    expect(settings.map((s) => [s.variable, s.source, s.display])).toEqual([
      ['FEATURE_NAME', 'default', '(not set)'],
      ['RETRIES', 'override', '5'],
    ]);
  });
});

describe('parseDotenv', () => {
  it('reads KEY=value lines, export, comments, quotes and inline comments; a later line wins', () => {
    const { values, issues } = parseDotenv(
      ['# comment', '', 'A=1', 'export B = two words # a comment', "C='# not a comment'", 'D="line\\nbreak"', 'A=3', 'E='].join('\n'),
    );
    expect(issues).toEqual([]);
    expect(Object.fromEntries([...values].map(([k, v]) => [k, v.value]))).toEqual({ A: '3', B: 'two words', C: '# not a comment', D: 'line\nbreak', E: '' });
    expect(values.get('A')!.line).toBe(7);
  });

  it('reports lines that are not settings, and unclosed quotes, by line', () => {
    const { issues } = parseDotenv('GOOD=1\nnot a setting\nBAD="open');
    expect(issues.map((i) => [i.line, i.expected])).toEqual([
      [2, 'expected KEY=value, a # comment or a blank line'],
      [3, 'expected a closing quote (a value is one line)'],
    ]);
    expect(issues.map((i) => i.kind)).toEqual(['line', 'line']);
  });

  it('reads escaped quotes, backslashes, newlines and tabs in double quotes, in one pass', () => {
    const { values, issues } = parseDotenv(
      ['A="say \\"hi\\""', 'B="a\\\\nb"', 'C="tab\\there\\nnext"', 'D="C:\\\\dir"', "E='say \\\"hi\\\"'", 'F="\\q"'].join('\n'),
    );
    expect(issues).toEqual([]);
    expect(Object.fromEntries([...values].map(([k, v]) => [k, v.value]))).toEqual({
      A: 'say "hi"',
      B: 'a\\nb', // an escaped backslash, then n: not a newline
      C: 'tab\there\nnext',
      D: 'C:\\dir',
      E: 'say \\"hi\\"', // single quotes are literal
      F: '\\q', // an unknown escape is kept as written
    });
  });

  it('allows only blanks or a # comment after a closing quote', () => {
    const { values, issues } = parseDotenv(['A="one"  ', 'B="two" # a comment', "C='three'# glued", 'D="four"five', "E='six' seven"].join('\n'));
    expect(Object.fromEntries([...values].map(([k, v]) => [k, v.value]))).toEqual({ A: 'one', B: 'two' });
    expect(issues.map((i) => [i.line, i.expected])).toEqual([
      [3, 'expected only a # comment after the closing quote'],
      [4, 'expected only a # comment after the closing quote'],
      [5, 'expected only a # comment after the closing quote'],
    ]);
  });

  it('reads export KEY=value, but not a bare export KEY, nor a value over several lines', () => {
    const { values, issues } = parseDotenv(['export A=1', 'export B', 'C="first', 'second"'].join('\n'));
    expect(Object.fromEntries([...values].map(([k, v]) => [k, v.value]))).toEqual({ A: '1' });
    expect(issues.map((i) => i.line)).toEqual([2, 3, 4]);
  });
});

it('envName turns a key into its variable', () => {
  expect(envName('poolSize')).toBe('POOL_SIZE');
  expect(envName('pricingApiKey')).toBe('PRICING_API_KEY');
  expect(envName('requestTimeoutMs')).toBe('REQUEST_TIMEOUT_MS');
});
