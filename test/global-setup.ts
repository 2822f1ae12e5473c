/**
 * Once before every test file: build the web app if its build is missing or
 * stale, so end-to-end tests (and anything that starts `npm start`) never
 * build it concurrently. `WORKBENCH_TEST_NO_BUILD=1` skips it for a narrow
 * run of unit tests while the web sources are mid-change.
 */
import { ROOT_DIR } from '../server/app.ts';
import { ensureWebBuild } from '../server/http/web-build.ts';

export default async function setup(): Promise<void> {
  if (process.env.WORKBENCH_TEST_NO_BUILD === '1') return;
  await ensureWebBuild(ROOT_DIR);
}
