/**
 * The sign-in problem page: a `?token=` that is not the workbench's, and a page request
 * (the root or any app route) without a valid cookie, get a styled, self-contained HTML
 * page with status 401 that says what happened and what to do, and echoes nothing of the
 * request. The API keeps answering JSON 401s. The workbench serves a stand-in web build
 * (an index.html of its own) so the app's routes are there.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkbench, type Workbench } from '../../server/app.ts';
import { httpRequest, SLOW, TOKEN, type ApiResult } from './helpers.ts';

const APP_PAGE = '<!doctype html><html lang="en"><head><title>the app</title></head><body><div id="root">THE-APP-PAGE</div></body></html>';

let dir: string;
let workbench: Workbench;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wb-it-sign-in-'));
  const webDir = join(dir, 'web');
  mkdirSync(join(webDir, 'assets'), { recursive: true });
  writeFileSync(join(webDir, 'index.html'), APP_PAGE);
  writeFileSync(join(webDir, 'assets', 'app.js'), 'console.log("app");');
  workbench = await startWorkbench({ port: 0, dbPath: join(dir, 'workbench.db'), token: TOKEN, log: pino({ level: 'silent' }), webDir, warmSandboxes: 0 });
  port = workbench.port;
}, SLOW);

afterAll(async () => {
  await workbench?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, SLOW);

const page = (path: string, headers: Record<string, string> = {}) => httpRequest(port, 'GET', path, undefined, { token: null, headers });

const cookie = async (): Promise<string> => {
  const res = await page(`/?token=${encodeURIComponent(TOKEN)}`);
  expect(res.status).toBe(302);
  return res.headers['set-cookie']![0]!.split(';')[0]!;
};

/** What every sign-in page must be: a 401 HTML document that stands alone and caches nowhere. */
const expectSignInPage = (res: ApiResult) => {
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/i);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
  expect(res.headers['set-cookie']).toBeUndefined();
  const html = res.text;
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toContain('<html lang="en">');
  expect(html).toMatch(/<title>[^<]*Patterns Workbench<\/title>/);
  expect(html).toMatch(/<h1>[^<]+<\/h1>/);
  // What to do, with this workbench's own address.
  expect(html).toContain('Open the URL the workbench printed in its terminal when it started');
  expect(html).toContain(`Workbench ready at http://127.0.0.1:${port}/?token=…`);
  expect(html).toContain('--token');
  // Self-contained: inline style, both colour schemes, no script, nothing fetched from elsewhere.
  expect(html).toContain('<style>');
  expect(html).toContain('prefers-color-scheme: dark');
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<link\b|@import|url\(|src=|https?:\/\/(?!127\.0\.0\.1)/i);
  expect(html).not.toContain('THE-APP-PAGE');
};

describe('the sign-in page', () => {
  it('a wrong token in the URL: what happened and what to do, 401, no cookie', async () => {
    const res = await page('/?token=wrong');
    expectSignInPage(res);
    expect(res.text).toContain('This link’s token is not this workbench’s: the workbench was restarted, or the link is from another one.');
  });

  it('never echoes the token it was given (no reflected markup)', async () => {
    const hostile = '<script>alert(document.cookie)</script>"\'><img src=x onerror=alert(1)>';
    const res = await page(`/?token=${encodeURIComponent(hostile)}`);
    expectSignInPage(res);
    expect(res.text).not.toContain('alert(');
    expect(res.text).not.toContain('onerror');
    expect(res.text).not.toContain(hostile);
    expect(res.text).not.toContain(encodeURIComponent(hostile));
    // Nor the path of an app route, nor a cookie's value.
    const routed = await page('/patterns/%3Cscript%3Ealert(1)%3C%2Fscript%3E', { cookie: 'workbench_token=%3Cscript%3Ealert(2)%3C%2Fscript%3E' });
    expectSignInPage(routed);
    expect(routed.text).not.toContain('alert(');
  });

  it('the root and any app route without a cookie: the page says the token is missing', async () => {
    for (const path of ['/', '/patterns/circuit-breaker/lab', '/exercises/x', '/index.html', '/no/such/page']) {
      const res = await page(path);
      expectSignInPage(res);
      expect(res.text, path).toContain('This page was opened without the workbench’s token');
    }
  });

  it('a cookie from an earlier launch (another token): the page says the workbench was restarted with a new token', async () => {
    const res = await page('/patterns/circuit-breaker', { cookie: 'workbench_token=an-earlier-launch-token' });
    expectSignInPage(res);
    expect(res.text).toContain('The workbench was restarted with a new token');
    expect(res.text).not.toContain('an-earlier-launch-token');
    // A cookie that does not decode is no token, never an error.
    expectSignInPage(await page('/', { cookie: 'workbench_token=%' }));
  });

  it('with the cookie, the root, app routes and /index.html are the app; a bad copy of the cookie beside it does not shadow it', async () => {
    const good = await cookie();
    for (const path of ['/', '/patterns/circuit-breaker/lab', '/index.html']) {
      const res = await page(path, { cookie: good });
      expect(res.status, path).toBe(200);
      expect(res.text, path).toContain('THE-APP-PAGE');
    }
    const shadowed = await page('/', { cookie: `workbench_token=%; ${good}; workbench_token=old` });
    expect(shadowed.status).toBe(200);
  });

  it('static files are served without the token (they are the app, no data)', async () => {
    const res = await page('/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.text).toContain('console.log');
  });

  it('the API still answers JSON 401s, not the page', async () => {
    for (const [path, headers] of [
      ['/api/patterns', {}],
      ['/api/patterns', { cookie: 'workbench_token=wrong' }],
      ['/api/runs/x/events', { accept: 'text/html' }],
      ['/api/no-such-route', {}],
    ] as const) {
      const res = await page(path, headers);
      expect(res.status, path).toBe(401);
      expect(res.headers['content-type'], path).toMatch(/^application\/json/);
      expect(res.body.error.status, path).toBe(401);
      expect(res.body.error.message, path).toMatch(/token/);
    }
  });

  it('a Host that is not loopback is still refused first (403), sign-in page or not', async () => {
    const res = await page('/?token=wrong', { host: 'evil.example' });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('Workbench ready at');
  });
});
