/**
 * Global setup of the browser project: one Chromium for every end-to-end
 * suite, started once (about a second and a half of each suite's set-up
 * otherwise). Each suite connects to it (`openBrowser` in browser.ts) and
 * makes contexts of its own, so suites share the process, not their cookies
 * or storage. Closed when the project ends.
 */
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Chromium's WebSocket endpoint; empty when no Chromium was found. */
    chromiumEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!chromiumPath) {
    // browser.ts has already said so loudly (and failed the run under CI=true); the suites skip.
    project.provide('chromiumEndpoint', '');
    return async () => undefined;
  }
  const server = await chromium.launchServer({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
  project.provide('chromiumEndpoint', server.wsEndpoint());
  return () => server.close();
}
