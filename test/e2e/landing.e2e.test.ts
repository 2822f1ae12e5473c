import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkbench, type Workbench } from '../../server/app.ts';
import { chromiumPath, openBrowser, screenshotPath } from './browser.ts';

describe.skipIf(!chromiumPath)('opening the printed URL in a browser', () => {
  let browser: Browser;
  let workbench: Workbench;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-e2e-'));
    workbench = await startWorkbench({
      port: 0,
      dbPath: join(dir, 'workbench.db'),
      token: 'e2e-token-123456',
      log: pino({ level: 'silent' }),
    });
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await workbench?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the token from the URL into a cookie, hides it, and lets the page use the API', async () => {
    const page = await browser.newPage();
    await page.goto(workbench.url);
    // The token left the address bar.
    expect(page.url()).toBe(`http://127.0.0.1:${workbench.port}/`);
    await expect(page.getByText('Circuit breaker').first().isVisible()).resolves.toBe(true);
    const cookies = await page.context().cookies();
    const cookie = cookies.find((c) => c.name === 'workbench_token');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    // Same-origin API calls now carry the cookie.
    const status = await page.evaluate(async () => (await fetch('/api/patterns')).status);
    expect(status).toBe(200);
    await page.screenshot({ path: screenshotPath('landing'), fullPage: true });
  });

  it('refuses the API to a page opened without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${workbench.port}/`);
    const status = await page.evaluate(async () => (await fetch('/api/patterns')).status);
    expect(status).toBe(401);
    await context.close();
  });
});
