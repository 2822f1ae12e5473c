/**
 * A save is acknowledged only once it is committed: the server runs as its
 * own process (as `npm start` starts it), a version is saved, and the process
 * is killed with SIGKILL right after the 200. The version is in the db.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { startWorkbench } from '../../server/app.ts';
import { Store } from '../../server/store/store.ts';
import { BREAKER_FILE, collectExit, httpRequest, PATTERN, readyUrl, sandboxBundleDir, SLOW, spawnMain } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-durability-'));
const cleanup: Array<() => void> = [() => rmSync(dir, { recursive: true, force: true })];
afterAll(() => {
  for (const step of cleanup.reverse()) step();
});

it('a version acknowledged by PUT survives kill -9 of the server right after the 200', async () => {
  const dbPath = join(dir, 'workbench.db');
  const token = 'durability-token-123';
  const child = spawnMain(['--port', '0', '--no-open', '--db', dbPath, '--token', token]);
  const exited = collectExit(child);
  cleanup.push(() => {
    child.kill('SIGKILL');
    // A killed server cannot remove its compiled bundles: do it for it.
    if (child.pid !== undefined) rmSync(sandboxBundleDir(child.pid), { recursive: true, force: true });
  });
  const url = await readyUrl(child);
  expect(url.hostname).toBe('127.0.0.1');
  expect(url.searchParams.get('token')).toBe(token);
  const port = Number(url.port);
  expect(port).toBeGreaterThan(0);
  const api = (method: string, path: string, body?: unknown) => httpRequest(port, method, path, body, { token });

  // A live run, so the save is also deployed before it is acknowledged.
  const run = await api('POST', '/api/runs', { patternId: PATTERN });
  expect(run.status, run.text).toBe(201);
  const reference = (await api('GET', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}/reference`)).body.content as string;
  const first = `${reference}\n// first save\n`;
  const second = `${reference}\n// second save, then the power goes out\n`;
  expect((await api('PUT', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`, { content: first })).status).toBe(200);
  const saved = await api('PUT', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`, { content: second });
  expect(saved.status, saved.text).toBe(200);
  child.kill('SIGKILL');
  const { signal } = await exited;
  expect(signal).toBe('SIGKILL');

  const store = new Store(dbPath);
  try {
    const latest = store.latestFileVersion(PATTERN, BREAKER_FILE);
    expect(latest).toMatchObject({ version: saved.body.version, content: second, error: null });
    expect(store.getFileVersion(PATTERN, BREAKER_FILE, saved.body.version - 1)?.content).toBe(first);
    // The run it was running is still marked as running: nobody closed it.
    expect(store.getRun(run.body.runId)?.status).toBe('running');
  } finally {
    store.close();
  }

  // A new workbench on the same db serves the saved version, and closes the abandoned run.
  const workbench = await startWorkbench({ port: 0, dbPath, token, log: pino({ level: 'silent' }) });
  try {
    const file = await httpRequest(workbench.port, 'GET', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`, undefined, { token });
    expect(file.body).toMatchObject({ version: saved.body.version, goodVersion: saved.body.version, content: second });
    const abandoned = await httpRequest(workbench.port, 'GET', `/api/runs/${run.body.runId}`, undefined, { token });
    expect(abandoned.body).toMatchObject({ status: 'stopped', live: false });
  } finally {
    await workbench.close();
  }
}, SLOW);
