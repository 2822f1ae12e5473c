/**
 * What every end-to-end suite starts from: a workbench of its own on a fresh
 * database (its web build copied beside it), a browser context signed in
 * through the printed URL, and pages that record what went wrong in them.
 * Called in a `describe`, it registers the hooks: when a test fails, its
 * pages' problems are printed and each page is captured to
 * test-artifacts/<name>-failure-<n>.png; after each test the pages close and,
 * if asked, the runs still going stop; after the suite, everything goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startWorkbench, type Workbench, type WorkbenchOptions } from '../../server/app.ts';
import { copyWebBuild, openBrowser, screenshotPath } from './browser.ts';

export interface WorkbenchInBrowserOptions {
  /** Names the suite's temporary folder and its failure screenshots. */
  name: string;
  token: string;
  /** The browser context's options; the viewport is 1440×900 unless given. */
  context?: BrowserContextOptions;
  /** Stop the runs still going after each test, so each starts with none. */
  stopRunsAfterEach?: boolean;
  /** More for the workbench (`redis`, …). */
  workbench?: Partial<WorkbenchOptions>;
}

export interface WorkbenchInBrowser {
  readonly workbench: Workbench;
  /** The suite's temporary folder (the database is in it): for files a test writes; removed after the suite. */
  readonly dir: string;
  /** `http://127.0.0.1:<port>`, the workbench's address. */
  readonly base: string;
  readonly browser: Browser;
  /** Signed in: its cookie carries the token. */
  readonly context: BrowserContext;
  /** A page in the signed-in context, watched for problems and closed after the test. */
  newPage(context?: BrowserContext): Promise<Page>;
  /** An API call from the test process, with the token as a bearer (set-up, clean-up, checks). */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export const useWorkbenchInBrowser = (options: WorkbenchInBrowserOptions): WorkbenchInBrowser => {
  let workbench: Workbench | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let dir: string | undefined;
  const pages: Page[] = [];
  /** What went wrong in the pages of the current test: uncaught errors, console errors, failed requests. */
  const problems: string[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the e2e workbench has no ${what} yet: use it inside a test or hook`);
    return value;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `wb-e2e-${options.name}-`));
    workbench = await startWorkbench({
      port: 0,
      dbPath: join(dir, 'workbench.db'),
      token: options.token,
      log: pino({ level: 'silent' }),
      webDir: await copyWebBuild(join(dir, 'web')),
      ...options.workbench,
    });
    browser = await openBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options.context });
    // The printed URL first: it sets the token cookie the app's API calls use.
    const page = await context.newPage();
    await page.goto(workbench.url);
    await page.close();
  }, 180_000);

  afterEach(async ({ task }) => {
    const failed = task.result?.state === 'fail';
    if (failed && problems.length > 0) console.error(`In the pages:\n  ${problems.join('\n  ')}`);
    problems.length = 0;
    for (const [index, page] of pages.splice(0).entries()) {
      // What the page showed when a test failed, to tell a slow machine from a broken page.
      if (failed) await page.screenshot({ path: screenshotPath(`${options.name}-failure-${index}`), fullPage: true }).catch(() => undefined);
      await page.close().catch(() => undefined);
    }
    if (options.stopRunsAfterEach && workbench) for (const run of workbench.runs.live()) await run.stop('user').catch(() => undefined);
  }, 60_000);

  afterAll(async () => {
    if (workbench) for (const run of workbench.runs.live()) await run.stop('user').catch(() => undefined);
    await browser?.close();
    await workbench?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const base = () => `http://127.0.0.1:${ready(workbench, 'workbench').port}`;
  return {
    get workbench() {
      return ready(workbench, 'workbench');
    },
    get dir() {
      return ready(dir, 'folder');
    },
    get base() {
      return base();
    },
    get browser() {
      return ready(browser, 'browser');
    },
    get context() {
      return ready(context, 'browser context');
    },
    async newPage(inContext = ready(context, 'browser context')) {
      const page = await inContext.newPage();
      pages.push(page);
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
      page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
      return page;
    },
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${base()}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
  };
};
