import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['patterns/**/*.test.ts', 'server/**/*.test.ts', 'exercises/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
