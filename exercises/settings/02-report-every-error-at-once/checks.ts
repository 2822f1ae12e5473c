import { defineChecks, type Expectations } from '../../../patterns/kit/index.ts';
import { appSettingsSchema, profiles } from '../../../patterns/settings/app-settings.ts';
import { resolveSettings, SettingsError, type SettingIssue, type SettingsSources } from '../../../patterns/settings/settings.ts';

const KEY = 'sk_live_0123456789abcdef';

/** Resolves the quote service's settings from `sources`; the issues it throws (none when it resolves). */
const issuesOf = (sources: SettingsSources, expect: Expectations): readonly SettingIssue[] => {
  try {
    resolveSettings(appSettingsSchema, sources, { profiles });
    return [];
  } catch (error) {
    if (!(error instanceof SettingsError)) expect.fail(`resolveSettings threw ${String(error)}, not a SettingsError`);
    return error.issues;
  }
};

/** The variables the issues name, `.env` for a broken line of the file. */
const variables = (issues: readonly SettingIssue[]) => [...new Set(issues.map((i) => (i.kind === 'line' ? '.env' : i.variable)))].sort();

/** Three problems in three places: a bad number in .env, one out of range in the environment, a URL no source sets. */
const threeProblems: SettingsSources = {
  env: { APP_ENV: 'production', REQUEST_TIMEOUT_MS: '5', PRICING_API_KEY: KEY },
  dotenv: 'LOG_LEVEL=info\nPOOL_SIZE=four',
};

export default defineChecks([
  {
    task: 1,
    name: 'three invalid settings are reported in one error, each by name',
    run({ expect }) {
      const issues = issuesOf(threeProblems, expect);
      expect.equal(variables(issues), ['POOL_SIZE', 'PRICING_URL', 'REQUEST_TIMEOUT_MS'], 'the variables named by the error');
    },
  },
  {
    task: 1,
    name: 'each problem says where its value came from and what was expected',
    run({ expect }) {
      const issues = issuesOf(threeProblems, expect);
      const pool = issues.find((i) => i.variable === 'POOL_SIZE');
      expect.ok(pool, 'no issue names POOL_SIZE');
      expect.equal({ source: pool!.source, line: pool!.line, received: pool!.received }, { source: '.env', line: 2, received: '"four"' }, 'the POOL_SIZE issue');
      expect.ok(/whole number/.test(pool!.expected), `the POOL_SIZE issue should say a whole number was expected; it says "${pool!.expected}"`);
      const timeout = issues.find((i) => i.variable === 'REQUEST_TIMEOUT_MS');
      expect.equal(timeout?.source, 'environment', 'the source of the REQUEST_TIMEOUT_MS issue');
      expect.equal(issues.find((i) => i.variable === 'PRICING_URL')?.source, 'missing', 'the source of the PRICING_URL issue (no source sets it)');
    },
  },
  {
    task: 1,
    name: "the error's message lists every problem, one a line",
    run({ expect }) {
      let message = '';
      try {
        resolveSettings(appSettingsSchema, threeProblems, { profiles });
      } catch (error) {
        message = error instanceof Error ? error.message : String(error);
      }
      for (const variable of ['POOL_SIZE', 'PRICING_URL', 'REQUEST_TIMEOUT_MS']) {
        expect.ok(message.split('\n').some((line) => line.includes(variable)), `the message should name ${variable}; it is:\n${message}`);
      }
    },
  },
  {
    task: 2,
    name: 'a broken .env line is reported with the settings’ own problems',
    run({ expect }) {
      const issues = issuesOf(
        { env: { APP_ENV: 'production' }, dotenv: 'POOL SIZE 4\nPRICING_URL=https://pricing.internal/v2\nREQUEST_TIMEOUT_MS=fast' },
        expect,
      );
      expect.equal(variables(issues), ['.env', 'PRICING_API_KEY', 'REQUEST_TIMEOUT_MS'], 'the variables named by the error (.env for the broken line)');
      expect.equal(issues.find((i) => i.kind === 'line')?.line, 1, 'the line of the broken .env issue');
    },
  },
  {
    task: 2,
    name: 'the good lines of a broken .env file are still read',
    run({ expect }) {
      // Only the broken line is wrong: PRICING_URL comes from line 2, so it must not be reported missing.
      const issues = issuesOf({ env: { APP_ENV: 'production', PRICING_API_KEY: KEY }, dotenv: 'PRICING_URL="https://pricing.internal/v2\nPRICING_URL=https://pricing.internal/v2' }, expect);
      expect.equal(variables(issues), ['.env'], 'the variables named by the error');
    },
  },
  {
    task: 2,
    name: 'valid settings still resolve, each with its source',
    run({ expect }) {
      const resolved = resolveSettings(
        appSettingsSchema,
        { env: { APP_ENV: 'production', PRICING_API_KEY: KEY }, dotenv: 'PRICING_URL=https://pricing.internal/v2\nPOOL_SIZE=3' },
        { profiles },
      );
      expect.equal(resolved.values.poolSize, 3, 'POOL_SIZE');
      expect.equal(
        resolved.settings.map((s) => [s.variable, s.source]),
        [
          ['APP_ENV', 'environment'],
          ['POOL_SIZE', '.env'],
          ['REQUEST_TIMEOUT_MS', 'default'],
          ['PRICING_URL', '.env'],
          ['PRICING_API_KEY', 'environment'],
          ['LOG_LEVEL', 'profile'],
        ],
        'each setting and its source',
      );
    },
  },
]);
