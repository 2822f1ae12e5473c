import { defineConfig } from 'vitest/config';

/**
 * Three projects in two groups, one group after the other:
 * - everything but the browser, two files at a time (one per core: the tests
 *   that run labs in real time start sandbox processes of their own, so more
 *   would only make them wait on each other);
 * - then, one file at a time: the end-to-end suites, all in one Chromium
 *   started once for them (test/e2e/browser-server.ts), and the one test that
 *   holds a lab at a high rate for a minute of real time (the event history of
 *   a long run), whose circuit must stay closed while it runs: beside another
 *   file on two cores, its healthy calls could fail late.
 */
const ALONE = ['test/integration/history.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    // The web build, once, before any project runs: the e2e suites serve it.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit and integration',
          include: ['patterns/**/*.test.ts', 'server/**/*.test.ts', 'exercises/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
          exclude: ['test/e2e/**', ...ALONE, '**/node_modules/**'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: ALONE,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/browser-server.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
