/**
 * Debian's Chromium driven by playwright-core. Where no Chromium is found the
 * end-to-end suite says so loudly and is skipped — except under CI=true,
 * where a missing browser is a failure.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWebBuild } from '../../server/http/web-build.ts';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { inject } from 'vitest';

/** The project's root. */
const ROOT_DIR = join(import.meta.dirname, '..', '..');
export const ARTIFACTS_DIR = join(ROOT_DIR, 'test-artifacts');

const findChromium = (): string | undefined => {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not on PATH
    }
  }
  return undefined;
};

export const chromiumPath = findChromium();

if (!chromiumPath) {
  const message =
    'NO CHROMIUM FOUND: the end-to-end tests cannot run. Install Debian\'s chromium (apt-get install -y chromium) or set CHROMIUM_PATH.';
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`\n${'!'.repeat(100)}\n${message} Skipping them.\n${'!'.repeat(100)}\n`);
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A Chromium of its own (the benches). */
export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS });

/**
 * The end-to-end suites' Chromium: the one the browser project started for
 * all of them (browser-server.ts), or one of its own when a suite runs
 * outside that project. `close()` ends this suite's connection and contexts,
 * not the shared browser.
 */
export const openBrowser = (): Promise<Browser> => {
  const endpoint = inject('chromiumEndpoint');
  return endpoint ? chromium.connect(endpoint) : launchBrowser();
};

export const screenshotPath = (name: string): string => {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, `${name}.png`);
};

/**
 * A private copy of the web build to serve. web/dist is shared: a concurrent
 * `vitest` or `npm start` whose web sources changed rebuilds it in place, and
 * a page mid-test then loads a chunk that is gone and goes blank.
 */
export const copyWebBuild = async (into: string): Promise<string> => {
  for (let attempt = 1; ; attempt++) {
    const dist = await ensureWebBuild(ROOT_DIR);
    const stamp = join(dist, '.build-stamp');
    try {
      const builtAt = statSync(stamp).mtimeMs;
      rmSync(into, { recursive: true, force: true });
      cpSync(dist, into, { recursive: true });
      // The same build from start to end of the copy: nobody rebuilt it meanwhile.
      if (statSync(stamp).mtimeMs === builtAt && existsSync(join(into, 'index.html'))) return into;
    } catch {
      // Being rebuilt right now: try again.
    }
    if (attempt === 10) throw new Error(`${dist} kept changing while it was copied`);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
};

/**
 * Opens a folded `<details>` (a lab panel's form, the parameters) the way a
 * learner does, by its summary, unless it is open already: the Lab tab folds
 * its forms until wanted and remembers the learner's choice.
 */
export const unfold = async (details: Locator): Promise<Locator> => {
  if (!(await details.evaluate((element) => (element as HTMLDetailsElement).open))) await details.locator(':scope > summary').click();
  return details;
};
