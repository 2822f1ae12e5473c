/**
 * Once before every test file: build the web app if its build is missing or
 * stale, so end-to-end tests (and anything that starts `npm start`) never
 * build it concurrently.
 */
import { ROOT_DIR } from '../server/app.ts';
import { ensureWebBuild } from '../server/http/web-build.ts';

export default async function setup(): Promise<void> {
  await ensureWebBuild(ROOT_DIR);
}
