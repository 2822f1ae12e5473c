/**
 * Once before every test file: build the web app if its build is missing or
 * stale, so end-to-end tests (and anything that starts `npm start`) never
 * build it concurrently. `WORKBENCH_TEST_NO_BUILD=1` skips it for a narrow
 * run of unit tests while the web sources are mid-change.
 *
 * Vitest runs a global setup once for the root and once per project, in one
 * process, and may load this module afresh for each: the build is kept on
 * `globalThis` so that all of them wait for the one build.
 */
import { ROOT_DIR } from '../server/app.ts';
import { ensureWebBuild } from '../server/http/web-build.ts';

const BUILD = Symbol.for('patterns-workbench.test.web-build');
const shared = globalThis as typeof globalThis & { [BUILD]?: Promise<unknown> };

export default async function setup(): Promise<void> {
  if (process.env.WORKBENCH_TEST_NO_BUILD === '1') return;
  await (shared[BUILD] ??= ensureWebBuild(ROOT_DIR));
}
