/**
 * An open tab across workbench restarts, in Debian's Chromium, and the sign-in page:
 *  - the lab open on a running run; the workbench closes: the tab says "The workbench is not
 *    answering — retrying…"; a new workbench on the same port and database with the same
 *    token: the notice goes by itself, the run shows as stopped (a restart ends runs; no
 *    "reconnecting…" left), and a new run starts and streams from the same tab;
 *  - restarted again with another token: the tab stops retrying and says the workbench was
 *    restarted with a new token and which URL to open; reloading gives the styled sign-in
 *    page; opening the new URL in the tab brings the app back;
 *  - a wrong `?token=` (one that is markup) and a page opened with no token get the styled
 *    401 sign-in page, in light and dark, echoing nothing.
 * Screenshots go to test-artifacts/connection-*.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkbench, type Workbench } from '../../server/app.ts';
import { chromiumPath, copyWebBuild, openBrowser, screenshotPath } from './browser.ts';

const TOKEN = 'e2e-connection-token-0123456789';
const NEW_TOKEN = 'e2e-connection-new-token-9876543210';
/** Generous: a loaded 2-core machine runs the server, the runs' sandboxes and Chromium at once. */
const WAIT = { timeout: 30_000 };
const NOT_ANSWERING = 'The workbench is not answering — retrying…';
const NEW_TOKEN_NOTICE = 'The workbench was restarted with a new token.';

describe.skipIf(!chromiumPath)('an open tab when the workbench restarts, and the sign-in page', () => {
  let browser: Browser;
  let context: BrowserContext;
  let workbench: Workbench | undefined;
  let dir: string;
  let webDir: string;
  let dbPath: string;
  let port = 0;
  let base: string;
  /** The tab kept open across the restarts. */
  let page: Page;
  /** What went wrong in the page: uncaught errors (printed; failed requests are expected while the workbench is down). */
  const pageErrors: string[] = [];

  /** A workbench on `port` (0 the first time: any free one) over the same database and web build. */
  const start = async (token: string): Promise<Workbench> => {
    const started = await startWorkbench({ port, dbPath, token, log: pino({ level: 'silent' }), webDir });
    if (port === 0) port = started.port;
    // Same port, or the tab would be talking to nothing: fail here, plainly.
    if (started.port !== port) {
      await started.close();
      throw new Error(`the restarted workbench got port ${started.port}, not ${port} (something else took it)`);
    }
    return started;
  };

  const stop = async () => {
    const closing = workbench;
    workbench = undefined;
    await closing?.close();
  };

  const notice = () => page.locator('.connection-notice');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-e2e-connection-'));
    dbPath = join(dir, 'workbench.db');
    webDir = await copyWebBuild(join(dir, 'web'));
    workbench = await start(TOKEN);
    base = `http://127.0.0.1:${port}`;
    browser = await openBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    // The printed URL first: it sets the token cookie.
    await page.goto(workbench.url);
  }, 180_000);

  afterAll(async () => {
    if (pageErrors.length > 0) console.warn(`Uncaught errors in the tab kept open across restarts:\n  ${pageErrors.join('\n  ')}`);
    await context?.close().catch(() => undefined);
    await browser?.close();
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('same token: "not answering — retrying…" while it is down, then the tab carries on by itself', async () => {
    await page.goto(`${base}/patterns/circuit-breaker/lab`);
    await page.getByRole('button', { name: /Start (a new )?run/ }).click(WAIT);
    await page.locator('.run-state.running').waitFor(WAIT);
    const firstRun = (await page.locator('.run-meta code').textContent())!.trim();
    // The live stream delivers: events in view.
    await expect.poll(async () => Number(/([\d,]+) events in view/.exec((await page.locator('.run-meta').textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0), WAIT).toBeGreaterThan(0);
    expect(await notice().count()).toBe(0);

    // The workbench stops (Ctrl+C does the same: close()).
    await stop();
    await page.getByText(NOT_ANSWERING).waitFor(WAIT);
    await expect(page.getByRole('button', { name: 'Try now' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath('connection-retrying') });

    // Back on the same port and database, with the same token: the notice goes by itself
    // (the backoff is capped at 10 s).
    workbench = await start(TOKEN);
    await notice().waitFor({ state: 'detached', timeout: 30_000 });
    // The restart ended the run; the tab says so, and no longer "reconnecting…".
    await page.locator('.run-state.stopped').waitFor(WAIT);
    await expect.poll(() => page.getByText('reconnecting…').count(), WAIT).toBe(0);
    await expect.poll(async () => (await page.locator('.run-meta code').textContent())?.trim(), WAIT).toBe(firstRun);

    // The same tab goes on: a new run starts and streams.
    await page.getByRole('button', { name: /Start (a new )?run/ }).click(WAIT);
    await expect.poll(async () => (await page.locator('.run-meta code').textContent())?.trim(), WAIT).not.toBe(firstRun);
    await page.locator('.run-state.running').waitFor(WAIT);
    await expect.poll(async () => Number(/([\d,]+) events in view/.exec((await page.locator('.run-meta').textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0), WAIT).toBeGreaterThan(0);
    expect(await page.getByText('reconnecting…').count()).toBe(0);
    expect(await notice().count()).toBe(0);
    await page.screenshot({ path: screenshotPath('connection-reconnected') });
  }, 180_000);

  it('a new token: the tab stops retrying and says to open the new URL; the URL brings it back', async () => {
    await stop();
    workbench = await start(NEW_TOKEN);
    // However the tab finds out (the live stream's close, the heartbeat, a retry), it ends signed out.
    await page.getByText(NEW_TOKEN_NOTICE).waitFor(WAIT);
    const text = (await notice().textContent()) ?? '';
    expect(text).toContain(`${base}/?token=…`);
    expect(text).toContain('in this tab');
    expect(text).not.toContain(NOT_ANSWERING);
    expect(text).not.toContain(NEW_TOKEN);
    await expect(notice().getAttribute('role')).resolves.toBe('alert');
    await page.screenshot({ path: screenshotPath('connection-new-token') });
    // It stays so: no retrying behind it.
    await page.waitForTimeout(3_000);
    expect((await notice().textContent()) ?? '').toContain(NEW_TOKEN_NOTICE);

    // A reload (the cookie is the old launch's): the styled sign-in page says the same.
    const reload = await page.goto(`${base}/patterns/circuit-breaker/lab`);
    expect(reload?.status()).toBe(401);
    await page.getByRole('heading', { level: 1, name: 'The workbench was restarted with a new token' }).waitFor(WAIT);
    await page.screenshot({ path: screenshotPath('connection-sign-in-stale-cookie'), fullPage: true });

    // The new URL, in this tab: the app is back, signed in, without a notice.
    await page.goto(workbench!.url);
    expect(page.url()).toBe(`${base}/`);
    await page.getByRole('heading', { name: 'Backend patterns, live' }).waitFor(WAIT);
    await page.waitForTimeout(1_000);
    expect(await notice().count()).toBe(0);
  }, 180_000);

  it('a wrong token in the URL, and a page opened with none: the styled sign-in page, light and dark, echoing nothing', async () => {
    const stranger = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const signIn = await stranger.newPage();
      const dialogs: string[] = [];
      signIn.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const hostile = '<script>alert("xss")</script><img src=x onerror=alert(1)>';
      const response = await signIn.goto(`${base}/?token=${encodeURIComponent(hostile)}`);
      expect(response?.status()).toBe(401);
      expect(response?.headers()['content-type']).toMatch(/^text\/html/);
      await signIn.getByRole('heading', { level: 1 }).waitFor(WAIT);
      const body = (await signIn.locator('body').textContent()) ?? '';
      expect(body).toContain('This link’s token is not this workbench’s: the workbench was restarted, or the link is from another one.');
      expect(body).toContain('Open the URL the workbench printed in its terminal when it started');
      expect(body).toContain(`Workbench ready at ${base}/?token=…`);
      expect(body).toContain('--token');
      expect(body).not.toContain('xss');
      expect(await signIn.title()).toMatch(/Patterns Workbench/);
      expect(await signIn.locator('html').getAttribute('lang')).toBe('en');
      expect(await signIn.locator('script, img').count()).toBe(0);
      // No cookie was set, and the address bar still holds what was opened (nothing redirected).
      expect((await stranger.cookies()).filter((c) => c.name === 'workbench_token')).toEqual([]);
      await signIn.emulateMedia({ colorScheme: 'light' });
      await signIn.screenshot({ path: screenshotPath('connection-sign-in-light'), fullPage: true });
      await signIn.emulateMedia({ colorScheme: 'dark' });
      // Dark really is dark: the page's background follows the scheme.
      const background = await signIn.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe('rgb(21, 22, 26)');
      await signIn.screenshot({ path: screenshotPath('connection-sign-in-dark'), fullPage: true });
      expect(dialogs).toEqual([]);

      // No token at all, on an app route: the same page, saying the token is missing.
      const bare = await signIn.goto(`${base}/patterns/circuit-breaker`);
      expect(bare?.status()).toBe(401);
      await signIn.getByText('This page was opened without the workbench’s token').waitFor(WAIT);
      // The API from that page is still refused as JSON.
      const api = await signIn.evaluate(async () => {
        const res = await fetch('/api/patterns');
        return { status: res.status, type: res.headers.get('content-type') ?? '' };
      });
      expect(api.status).toBe(401);
      expect(api.type).toMatch(/application\/json/);
    } finally {
      await stranger.close();
    }
  }, 120_000);
});
