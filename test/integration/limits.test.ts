/**
 * Limits that hold under concurrency: whatever a client fires at once, the
 * server's work and memory stay bounded and the excess gets a clear 429.
 *  - live runs: the limit is checked before the first await, so 30 starts at
 *    once give at most the limit;
 *  - exercise checks: a few run, a few wait, the rest are refused;
 *  - live WebSocket clients: capped in total, and 200 clients that stop
 *    reading do not grow the server's memory without bound;
 *  - a progress import holds only exercises that exist, each once, and is
 *    bounded in size.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectExit,
  httpRequest,
  PATTERN,
  readyUrl,
  sandboxBundleDir,
  SLOW,
  spawnMain,
  startTestWorkbench,
  type TestWorkbench,
} from './helpers.ts';

describe('live runs', () => {
  let tw: TestWorkbench;
  beforeAll(async () => {
    tw = await startTestWorkbench({ maxRuns: 3 });
  }, SLOW);
  afterAll(async () => {
    await tw?.close();
  }, SLOW);

  it('30 concurrent starts give at most the limit of runs; the rest get a clear 429', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => tw.api('POST', '/api/runs', { patternId: PATTERN })));
    const started = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 429);
    expect(started).toHaveLength(3);
    expect(refused).toHaveLength(27);
    expect(refused[0]!.body.error.message).toMatch(/3 runs are live or starting already; stop one first/);
    expect(tw.workbench.runs.live()).toHaveLength(3);

    // A slot comes back when a run stops.
    await tw.stopRun(started[0]!.body.runId);
    const again = await tw.api('POST', '/api/runs', { patternId: PATTERN });
    expect(again.status, again.text).toBe(201);
  }, SLOW);
});

describe('exercise checks', () => {
  let tw: TestWorkbench;
  beforeAll(async () => {
    tw = await startTestWorkbench();
  }, SLOW);
  afterAll(async () => {
    await tw?.close();
  }, SLOW);

  it('a bounded number run and wait; the rest get a clear 429, and the accepted ones all answer', async () => {
    const list = await tw.api('GET', `/api/patterns/${PATTERN}/exercises`);
    const exercise = (list.body as Array<{ id: string }>)[0]!.id;
    const { body: detail } = await tw.api('GET', `/api/exercises/${encodeURIComponent(exercise)}`);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => tw.api('POST', `/api/exercises/${encodeURIComponent(exercise)}/check`, { code: detail.starter })),
    );
    const checked = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    // Two run and eight wait: the other ten arrive while all ten places are taken.
    expect(checked.length + refused.length).toBe(20);
    expect(checked.length).toBeLessThanOrEqual(10);
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(refused[0]!.body.error.message).toMatch(/checks are running and \d+ are waiting; try again in a moment/);
    for (const answer of checked) expect(answer.body.status).toBe('fail');

    // Once they are done, a check goes through again.
    const later = await tw.api('POST', `/api/exercises/${encodeURIComponent(exercise)}/check`, { code: detail.starter });
    expect(later.status).toBe(200);
  }, SLOW);
});

describe('progress import', () => {
  let tw: TestWorkbench;
  let exerciseId: string;
  beforeAll(async () => {
    tw = await startTestWorkbench();
    exerciseId = ((await tw.api('GET', '/api/exercises')).body as Array<{ id: string }>)[0]!.id;
  }, SLOW);
  afterAll(async () => {
    await tw?.close();
  }, SLOW);

  const file = (drafts: Array<{ exerciseId: string; code: string }>, progress: unknown[] = []) => ({
    format: 'patterns-workbench-progress',
    version: 1,
    exportedAt: new Date().toISOString(),
    progress,
    drafts: drafts.map((d) => ({ ...d, updatedAt: Date.now() })),
  });

  it('refuses drafts for exercises that do not exist, and stores nothing of that file', async () => {
    const res = await tw.api('POST', '/api/progress', file([{ exerciseId, code: '// mine' }, { exerciseId: 'no/such-exercise', code: 'x' }]));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("drafts: unknown exercises 'no/such-exercise'");
    const exported = await tw.api('GET', '/api/progress');
    expect(exported.body.drafts).toEqual([]);
  });

  it('refuses an exercise listed twice', async () => {
    const res = await tw.api('POST', '/api/progress', file([{ exerciseId, code: 'a' }, { exerciseId, code: 'b' }]));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^drafts: exercises listed more than once/);
  });

  it('refuses a file over its size bound with 413, and an oversized draft with 400', async () => {
    const huge = await tw.api('POST', '/api/progress', undefined, { rawBody: JSON.stringify(file([{ exerciseId, code: 'x'.repeat(9 << 20) }])) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.message).toBe('body: larger than 8 MB');
    const long = await tw.api('POST', '/api/progress', file([{ exerciseId, code: 'x'.repeat(500_001) }]));
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/^drafts\.0\.code: Too big/);
  });

  it('still imports what it exported', async () => {
    await tw.api('PUT', `/api/exercises/${encodeURIComponent(exerciseId)}/draft`, { code: '// work in progress' });
    const exported = (await tw.api('GET', '/api/progress')).body;
    const res = await tw.api('POST', '/api/progress', exported);
    expect(res.status, res.text).toBe(200);
  });
});

/** The resident memory of a process, in MB, from /proc. */
const rssMb = (pid: number): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
};

describe('live WebSocket clients', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-limits-'));
  const token = 'limits-test-token-123';
  const child = spawnMain(['--port', '0', '--no-open', '--db', join(dir, 'workbench.db'), '--token', token]);
  // Listen for the ready line from the start: it may come before the test runs.
  const ready = readyUrl(child);
  const exited = collectExit(child);
  const sockets: WebSocket[] = [];
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    child.kill('SIGTERM');
    await exited;
    if (child.pid !== undefined) rmSync(sandboxBundleDir(child.pid), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }, SLOW);

  it('200 clients that stop reading a busy run: at most 32 are served, the rest get 429, and memory stays bounded', async () => {
    const url = await ready;
    const port = Number(url.port);
    const api = (method: string, path: string, body?: unknown) => httpRequest(port, method, path, body, { token });
    const run = await api('POST', '/api/runs', { patternId: PATTERN });
    expect(run.status, run.text).toBe(201);
    const runId = run.body.runId as string;
    // A busy run: a thousand requests a second, each one several events.
    expect((await api('PUT', `/api/runs/${runId}/load`, { model: 'open', rate: 1000 })).status).toBe(200);
    const before = rssMb(child.pid!);

    // Clients that stop reading as soon as they are in: the server's sends back up into its buffers.
    const outcomes = Array.from({ length: 200 }, () => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api/live?run=${runId}`, {
        headers: { authorization: `Bearer ${token}`, origin: `http://127.0.0.1:${port}` },
      });
      sockets.push(socket);
      socket.on('error', () => undefined);
      return new Promise<number>((resolve) => {
        socket.once('open', () => {
          socket.pause();
          resolve(101);
        });
        socket.once('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          response.resume();
        });
        socket.once('close', () => resolve(0));
      });
    });
    const statuses = await Promise.all(outcomes);
    const opened = statuses.filter((s) => s === 101).length;
    const refused = statuses.filter((s) => s === 429).length;
    expect(opened).toBe(32);
    expect(refused).toBe(168);

    // Let the busy run stream into the stalled clients for a while, then measure.
    let peak = 0;
    const until = performance.now() + 8000;
    while (performance.now() < until) {
      peak = Math.max(peak, rssMb(child.pid!));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.log(`server RSS: ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak with 200 paused clients`);
    expect(peak - before).toBeLessThan(300);
    // And it still answers.
    expect((await api('GET', `/api/runs/${runId}`)).body).toMatchObject({ state: 'running' });
  }, SLOW);
});
