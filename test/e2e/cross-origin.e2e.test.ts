/**
 * A hostile page the learner visits while the workbench is open. It is served from another
 * port of 127.0.0.1: the nearest a web page gets, because cookies ignore ports (a cookie it
 * sets reaches the workbench) and the two are even the same site for SameSite (the
 * learner's token cookie goes along with its requests). In a real Chromium it:
 *  - opens WebSockets to the workbench with paths that once killed the process
 *    (`ws://…//`, whose path does not parse) and to the live stream of a real run;
 *  - sets `workbench_token=%` (decodeURIComponent throws on it) at `/` and at `/api`, the
 *    second one shadowing the learner's real cookie there;
 *  - fetch()es the API with credentials: reads, a run start (JSON, so preflighted), a
 *    "simple" text/plain POST that needs no preflight, a DELETE of the real run, and a
 *    no-cors GET of an exercise's solution (no Origin is sent, but the SameSite cookie is:
 *    only Sec-Fetch-Site tells it apart, and the solution must not be marked as viewed).
 * Then the workbench must still be running and serving the API, every hostile request must
 * have been refused (a 4xx, and no WebSocket opened), nothing may have changed, and the
 * learner's own page must still work despite the shadowing cookie.
 *
 * The workbench runs as a child process (`server/main.ts`), so a crash is seen as its exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectExit, httpRequest, PATTERN, readyUrl, sandboxBundleDir, SLOW, spawnMain } from '../integration/helpers.ts';
import { chromiumPath, openBrowser, screenshotPath } from './browser.ts';

const TOKEN = 'cross-origin-e2e-token';

/**
 * The hostile page's script. It records what it could see in `window.seen` and sets
 * `window.done` once every attempt has settled. Nothing from the workbench should be readable.
 */
const hostileScript = (workbench: string, runId: string, exerciseId: string) => `
const wsBase = ${JSON.stringify(workbench.replace('http:', 'ws:'))};
const api = ${JSON.stringify(workbench)};
const runId = ${JSON.stringify(runId)};
const exerciseId = ${JSON.stringify(exerciseId)};
window.seen = [];
const see = (what, outcome) => window.seen.push({ what, outcome });

const socket = (path) => new Promise((resolve) => {
  let ws;
  try {
    ws = new WebSocket(wsBase + path);
  } catch (error) {
    see('ws ' + path, 'threw ' + error.name);
    return resolve();
  }
  ws.onopen = () => { see('ws ' + path, 'OPENED'); ws.close(); };
  ws.onmessage = (event) => see('ws ' + path, 'MESSAGE ' + String(event.data).slice(0, 100));
  ws.onclose = (event) => { see('ws ' + path, 'closed ' + event.code); resolve(); };
});
const call = (label, path, init) =>
  fetch(api + path, { credentials: 'include', ...init }).then(
    async (res) => see(label, res.type === 'opaque' ? 'opaque' : 'READ ' + res.status + ' ' + (await res.text()).slice(0, 100)),
    (error) => see(label, 'failed ' + error.name),
  );

(async () => {
  // Before any cookie: the upgrade whose path does not parse.
  await socket('//');
  await socket('/api/live?run=x');
  // Cookies ignore ports: these reach the workbench. The one at / cannot replace the
  // learner's HttpOnly cookie; the one at /api is a second cookie, sent first there.
  document.cookie = 'workbench_token=%; path=/';
  document.cookie = 'workbench_token=%; path=/api';
  await Promise.all([
    socket('//'),
    socket('/%'),
    socket('/api/live?run=%'),
    socket('/api/live?run=' + runId),
    call('GET patterns (cors)', '/api/patterns'),
    call('POST run (json, preflighted)', '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patternId: 'circuit-breaker' }) }),
    call('POST run (text/plain, no-cors)', '/api/runs', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ patternId: 'circuit-breaker' }) }),
    call('GET solution (no-cors, no Origin)', '/api/exercises/' + encodeURIComponent(exerciseId) + '/solution', { mode: 'no-cors' }),
    call('DELETE run (cors, preflighted)', '/api/runs/' + runId, { method: 'DELETE' }),
    call('PUT file (cors, preflighted)', '/api/patterns/circuit-breaker/files/circuit-breaker.ts', { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: '{"content":""}' }),
  ]);
  window.done = true;
})();
`;

describe.skipIf(!chromiumPath)('a hostile page on another port of 127.0.0.1', () => {
  let browser: Browser;
  let context: BrowserContext;
  let child: ChildProcess;
  let exited: ReturnType<typeof collectExit>;
  /** What the workbench printed: a crash's stack, if it comes to that. */
  let output = '';
  let hostile: http.Server;
  let dir: string;
  let port: number;
  let runId: string;
  let exerciseId: string;
  let pageScript = '';

  const api = (method: string, path: string, body?: unknown) => httpRequest(port, method, path, body, { token: TOKEN });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-e2e-cross-'));
    child = spawnMain(['--port', '0', '--no-open', '--db', join(dir, 'workbench.db'), '--token', TOKEN]);
    child.stdout!.on('data', (chunk) => (output += String(chunk)));
    child.stderr!.on('data', (chunk) => (output += String(chunk)));
    exited = collectExit(child);
    port = Number((await readyUrl(child)).port);
    const started = await api('POST', '/api/runs', { patternId: PATTERN });
    expect(started.status, started.text).toBe(201);
    runId = started.body.runId;
    await api('PUT', `/api/runs/${runId}/load`, { model: 'none' });

    hostile = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Totally harmless</title><h1>Nothing to see</h1><script>${pageScript}</script>`);
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    exerciseId = (await api('GET', `/api/patterns/${PATTERN}/exercises`)).body[0].id;
    pageScript = hostileScript(`http://127.0.0.1:${port}`, runId, exerciseId);
    browser = await openBrowser();
    context = await browser.newContext();
  }, SLOW);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await new Promise((resolve) => (hostile ? hostile.close(resolve) : resolve(undefined)));
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    if (child?.pid) rmSync(sandboxBundleDir(child.pid), { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, SLOW);

  it('cannot crash the workbench, open its live stream, call its API or lock the learner out', async () => {
    // The learner has the workbench open: the HttpOnly SameSite=Strict cookie is set.
    const learner = await context.newPage();
    await learner.goto(`http://127.0.0.1:${port}/?token=${TOKEN}`);
    expect(await learner.evaluate(async () => (await fetch('/api/patterns')).status)).toBe(200);
    const runsBefore = (await api('GET', '/api/runs')).body.length;

    // What the network saw: each answer the workbench gave the hostile page, and each
    // WebSocket handshake it refused (Chromium reports the status in the socket's error).
    const page = await context.newPage();
    const answers: string[] = [];
    const handshakes: string[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(`http://127.0.0.1:${port}/`)) answers.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
    page.on('websocket', (ws) => {
      ws.on('socketerror', (error) => handshakes.push(`${ws.url()}: ${error}`));
      ws.on('framereceived', (frame) => handshakes.push(`${ws.url()}: FRAME ${String(frame.payload).slice(0, 100)}`));
    });
    const hostileOrigin = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    await page.goto(`${hostileOrigin}/`);
    await page.waitForFunction(() => (window as unknown as { done?: boolean }).done === true, undefined, { timeout: 30_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: Array<{ what: string; outcome: string }> }).seen);
    await page.screenshot({ path: screenshotPath('cross-origin-hostile'), fullPage: true });

    // 1. The workbench is still running and serves the API to whoever has the token.
    expect(child.exitCode, `the workbench exited; it printed:\n${output}`).toBeNull();
    expect(child.signalCode, `the workbench was killed; it printed:\n${output}`).toBeNull();
    expect((await api('GET', '/api/patterns')).status).toBe(200);

    // 2. The page read nothing: no socket opened or got a message, no fetch was readable.
    const readable = seen.filter(({ outcome }) => /OPENED|MESSAGE|READ/.test(outcome));
    expect(readable, JSON.stringify(seen, null, 2)).toEqual([]);
    expect(seen.filter(({ what }) => what.startsWith('ws '))).toHaveLength(6);

    // 3. Every request that reached the workbench was refused: 4xx answers, and each
    //    handshake failed on a 4xx status (a bad path: 400; a foreign Origin: 403).
    expect(answers.length, 'the page sent no HTTP request to the workbench').toBeGreaterThan(0);
    const accepted = answers.filter((answer) => !/^4\d\d /.test(answer));
    expect(accepted, answers.join('\n')).toEqual([]);
    expect(handshakes, handshakes.join('\n')).toHaveLength(6);
    for (const handshake of handshakes) expect(handshake).toMatch(/Unexpected response code: 4\d\d/);

    // 4. Nothing changed: the run still runs, no run was started, the file was not saved.
    expect((await api('GET', `/api/runs/${runId}`)).body).toMatchObject({ state: 'running', live: true });
    expect((await api('GET', '/api/runs')).body).toHaveLength(runsBefore);
    expect((await api('GET', `/api/patterns/${PATTERN}/files/circuit-breaker.ts`)).body.version).toBe(0);
    expect((await api('GET', `/api/exercises/${encodeURIComponent(exerciseId)}`)).body.progress).toBeNull();

    // 5. The learner still gets in, though a `workbench_token=%` cookie now comes first under
    //    /api: the API answers their page, and so does the live stream (from their own Origin
    //    the cookie is read, which is where `%` once ended the process).
    const cookies = await context.cookies(`http://127.0.0.1:${port}/api/patterns`);
    expect(cookies.filter((c) => c.name === 'workbench_token').map((c) => c.value)).toContain('%');
    await learner.reload();
    expect(await learner.evaluate(async () => (await fetch('/api/patterns')).status)).toBe(200);
    const live = await learner.evaluate(
      (run) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/api/live?run=${run}`);
          ws.onopen = () => {
            resolve('open');
            ws.close();
          };
          ws.onclose = (event) => resolve(`closed ${event.code}`);
        }),
      runId,
    );
    expect(live).toBe('open');
    expect(child.exitCode, `the workbench exited; it printed:\n${output}`).toBeNull();
    expect((await api('GET', '/api/patterns')).status).toBe(200);
  }, SLOW);
});
