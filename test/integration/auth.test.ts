/**
 * The boundary of a tool that executes code sent to it: every API call and
 * the WebSocket need the token (a bearer header, or the cookie set when the
 * printed URL is opened); a Host that is not a loopback name, or an Origin
 * that is not the workbench's own, is refused even with the token.
 */
import { connect as connectTcp } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, SLOW, startTestWorkbench, TOKEN, upgradeStatus, type TestWorkbench } from './helpers.ts';

let tw: TestWorkbench;

beforeAll(async () => {
  tw = await startTestWorkbench();
}, SLOW);
afterAll(async () => {
  await tw?.close();
}, SLOW);

/** Opens the cookie the way a browser does: the printed URL, whose answer sets it. */
const cookieFromTokenUrl = async (): Promise<string> => {
  const url = new URL(tw.workbench.url);
  const res = await httpRequest(tw.port, 'GET', url.pathname + url.search, undefined, { token: null });
  const setCookie = res.headers['set-cookie']?.[0];
  if (!setCookie) throw new Error(`no cookie set: ${res.status}`);
  return setCookie.split(';')[0]!;
};

describe('the token', () => {
  it('no token → 401', async () => {
    const res = await tw.api('GET', '/api/patterns', undefined, { token: null });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/token/);
  });

  it('a wrong token → 401, also one of the same length and one with a wrong scheme', async () => {
    const attempts: Array<Record<string, string>> = [
      { authorization: 'Bearer nope' },
      { authorization: `Bearer ${'x'.repeat(TOKEN.length)}` },
      { authorization: `Basic ${TOKEN}` },
      { cookie: 'workbench_token=nope' },
    ];
    for (const headers of attempts) {
      const res = await tw.api('GET', '/api/patterns', undefined, { token: null, headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
    }
  });

  it('Authorization: Bearer with the token → 200', async () => {
    const res = await tw.api('GET', '/api/patterns');
    expect(res.status).toBe(200);
  });

  it('every API route needs it, including writes and unknown routes', async () => {
    for (const [method, path] of [
      ['POST', '/api/runs'],
      ['PUT', '/api/patterns/circuit-breaker/files/circuit-breaker.ts'],
      ['DELETE', '/api/runs/x'],
      ['GET', '/api/runs/x/events'],
      ['GET', '/api/nothing-here'],
    ] as const) {
      const res = await tw.api(method, path, { content: 'x', patternId: 'circuit-breaker' }, { token: null });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it('opening /?token=… answers 302 with an HttpOnly SameSite=Strict cookie, and the cookie works', async () => {
    const url = new URL(tw.workbench.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('token')).toBe(TOKEN);
    const res = await httpRequest(tw.port, 'GET', url.pathname + url.search, undefined, { token: null });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const setCookie = res.headers['set-cookie'];
    expect(setCookie).toHaveLength(1);
    const attributes = setCookie![0]!.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=strict');
    expect(attributes).toContain('path=/');

    const cookie = setCookie![0]!.split(';')[0]!;
    const withCookie = await tw.api('GET', '/api/patterns', undefined, { token: null, headers: { cookie } });
    expect(withCookie.status).toBe(200);
    // Among other cookies, as a browser sends them.
    const mixed = await tw.api('GET', '/api/patterns', undefined, { token: null, headers: { cookie: `theme=dark; ${cookie}; x=1` } });
    expect(mixed.status).toBe(200);
  });

  it('a wrong token in the URL sets no cookie', async () => {
    const res = await httpRequest(tw.port, 'GET', '/?token=wrong', undefined, { token: null });
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('the page opens with the cookie; without it, the sign-in page says what to do (test/integration/sign-in-page.test.ts)', async () => {
    const cookie = await cookieFromTokenUrl();
    const res = await httpRequest(tw.port, 'GET', '/', undefined, { token: null, headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Patterns Workbench');
    const refused = await httpRequest(tw.port, 'GET', '/', undefined, { token: null });
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.text).toContain('Open the URL the workbench printed in its terminal');
  });
});

describe('Host and Origin', () => {
  it('Host evil.example → 403, even with the token (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${'PORT'}`, '127.0.0.1.evil.example', 'localhost.evil.example']) {
      const res = await tw.api('GET', '/api/patterns', undefined, { headers: { host: host.replace('PORT', String(tw.port)) } });
      expect(res.status, host).toBe(403);
      expect(res.body.error.message).toMatch(/Host/);
    }
    const page = await httpRequest(tw.port, 'GET', '/', undefined, { token: null, headers: { host: 'evil.example' } });
    expect(page.status).toBe(403);
    const tokenUrl = await httpRequest(tw.port, 'GET', `/?token=${TOKEN}`, undefined, { token: null, headers: { host: 'evil.example' } });
    expect(tokenUrl.status).toBe(403);
    expect(tokenUrl.headers['set-cookie']).toBeUndefined();
  });

  it('loopback Host names are accepted: 127.0.0.1, localhost, [::1]', async () => {
    for (const host of [`127.0.0.1:${tw.port}`, `localhost:${tw.port}`, `[::1]:${tw.port}`, 'LOCALHOST']) {
      const res = await tw.api('GET', '/api/patterns', undefined, { headers: { host } });
      expect(res.status, host).toBe(200);
    }
  });

  it('Origin http://evil.example → 403, even with the token (cross-site requests)', async () => {
    for (const origin of ['http://evil.example', `http://evil.example:${tw.port}`, 'null', `https://127.0.0.1:${tw.port}`, 'http://127.0.0.1:1']) {
      const res = await tw.api('POST', '/api/runs', { patternId: 'circuit-breaker' }, { headers: { origin } });
      expect(res.status, origin).toBe(403);
      expect(res.body.error.message).toMatch(/Origin/);
    }
  });

  it("the workbench's own Origin is accepted", async () => {
    for (const origin of [tw.origin, `http://localhost:${tw.port}`]) {
      const res = await tw.api('GET', '/api/patterns', undefined, { headers: { origin } });
      expect(res.status, origin).toBe(200);
    }
  });
});

describe('the WebSocket', () => {
  let runId: string;
  beforeAll(async () => {
    runId = await tw.startRun();
  }, SLOW);

  const connect = (headers: Record<string, string>, run = runId) =>
    new WebSocket(`ws://127.0.0.1:${tw.port}/api/live?run=${run}`, { headers });

  it('no token → 401 at the upgrade', async () => {
    expect((await upgradeStatus(connect({ origin: tw.origin }))).status).toBe(401);
  });

  it('a wrong token → 401 at the upgrade', async () => {
    expect((await upgradeStatus(connect({ origin: tw.origin, authorization: 'Bearer wrong' }))).status).toBe(401);
  });

  it('a foreign Origin → 403 at the upgrade, even with the token (cross-site WebSocket hijacking)', async () => {
    const refused = await upgradeStatus(connect({ origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` }));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/Origin/);
  });

  it('a foreign Host → 403 at the upgrade, even with the token', async () => {
    const refused = await upgradeStatus(connect({ host: 'evil.example', origin: tw.origin, authorization: `Bearer ${TOKEN}` }));
    expect(refused.status).toBe(403);
  });

  it('an unknown run → 404 (once authorized); another path → 404', async () => {
    expect((await upgradeStatus(connect({ origin: tw.origin, authorization: `Bearer ${TOKEN}` }, 'nope'))).status).toBe(404);
    const other = new WebSocket(`ws://127.0.0.1:${tw.port}/api/other`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await upgradeStatus(other)).status).toBe(404);
  });

  it('opens with the bearer token, or with the cookie, from our own Origin', async () => {
    expect((await upgradeStatus(connect({ origin: tw.origin, authorization: `Bearer ${TOKEN}` }))).status).toBe(101);
    const cookie = await cookieFromTokenUrl();
    expect((await upgradeStatus(connect({ origin: tw.origin, cookie }))).status).toBe(101);
  });
});

/** Writes a raw upgrade request and resolves with the status line's code (0 if the socket just closed). */
const rawUpgrade = (port: number, target: string, headers: Record<string, string>): Promise<number> =>
  new Promise((resolve, reject) => {
    const socket = connectTcp(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to GET ${target} in 10 s`)));
    const lines = [
      `GET ${target} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n`);
  });

describe('hostile input from any page', () => {
  it('an upgrade whose target is not a path (`GET //`, as `new WebSocket("ws://…//")` sends) → 400, and the server goes on', async () => {
    for (const target of ['//', '//evil.example/api/live', 'http://127.0.0.1/api/live', '*', '/%', '/api/live?run=%zz']) {
      const status = await rawUpgrade(tw.port, target, { Origin: tw.origin });
      expect([400, 401, 404], target).toContain(status);
    }
    expect(await rawUpgrade(tw.port, '//', {})).toBe(400);
    expect((await tw.api('GET', '/api/patterns')).status).toBe(200);
  });

  it('a cookie that does not decode is no token: 401 on HTTP and at the upgrade, never a crash', async () => {
    const http = await tw.api('GET', '/api/patterns', undefined, { token: null, headers: { cookie: 'workbench_token=%' } });
    expect(http.status).toBe(401);
    expect(await rawUpgrade(tw.port, '/api/live?run=x', { Origin: tw.origin, Cookie: 'workbench_token=%' })).toBe(401);
    expect((await tw.api('GET', '/api/patterns')).status).toBe(200);
  });

  it('a bad cookie tossed in by another port of this host does not lock the learner out', async () => {
    // Cookies ignore ports: a page on 127.0.0.1:OTHER can set one that the browser sends first.
    const cookie = await cookieFromTokenUrl();
    const res = await tw.api('GET', '/api/patterns', undefined, { token: null, headers: { cookie: `workbench_token=%; ${cookie}` } });
    expect(res.status).toBe(200);
    const forged = await tw.api('GET', '/api/patterns', undefined, { token: null, headers: { cookie: 'workbench_token=nope; workbench_token=%' } });
    expect(forged.status).toBe(401);
  });

  it('a request a browser labels as from another site (Sec-Fetch-Site) → 403 even with the cookie; our own pages get in', async () => {
    const cookie = await cookieFromTokenUrl();
    for (const site of ['same-site', 'cross-site']) {
      const res = await tw.api('GET', '/api/patterns', undefined, { token: null, headers: { cookie, 'sec-fetch-site': site } });
      expect(res.status, site).toBe(403);
    }
    for (const site of ['same-origin', 'none']) {
      const res = await tw.api('GET', '/api/patterns', undefined, { token: null, headers: { cookie, 'sec-fetch-site': site } });
      expect(res.status, site).toBe(200);
    }
  });

  it('a page path that does not decode is a client error, not 500', async () => {
    const res = await tw.api('GET', '/%E0%A4%A', undefined, { token: null });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await tw.api('GET', '/api/patterns')).status).toBe(200);
  });
});
