/**
 * The sandbox's engine room, through a real workbench (in this process, so the test
 * can watch the server's own event loop and read its log):
 *
 * - a learner's `console.log` in a loop cannot flood the server: the output is
 *   rate-limited, what is dropped is summarised with its count, the API keeps
 *   answering and the run goes on;
 * - compiled bundles go when their run stops, and when an exercise check ends;
 * - what lab code cannot reach: the runtime's ways to built-in and native modules
 *   (refused when called, at the learner's line) and the ways of loading code that
 *   no import names (refused by the compiler, at the line).
 *
 * The retry-backoff pattern's flaky lab serves as the host for the learner's code;
 * every run here is pinned (POST /api/runs with `code`), so nothing is saved.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkbench, type Workbench } from '../../server/app.ts';
import { defaultBundleDir } from '../../server/sandbox/compile.ts';
import { EventFeed, httpRequest, insertAfterLine, is, lineOf, SLOW, TOKEN, waitUntil, type ApiResult } from './helpers.ts';

const PATTERN = 'retry-backoff';
const LAB = 'flaky';
const FILE = 'retry.ts';
const FILE_PATH = `patterns/${PATTERN}/${FILE}`;
/** The first line of RetryPolicy.execute: every request of the lab runs through it. */
const EXECUTE = 'async execute<T>(fn: Attempt<T>, options: ExecuteOptions = {}): Promise<T> {';

let workbench: Workbench;
let dir: string;
let reference: string;
/** The workbench's log lines (pino JSON), as the terminal running `npm start` would show them. */
const logLines: Array<{ runId?: string; msg: string }> = [];

const api = (method: string, path: string, body?: unknown): Promise<ApiResult> => httpRequest(workbench.port, method, path, body);

const startPinned = (code: string) => api('POST', '/api/runs', { patternId: PATTERN, lab: LAB, code: { [FILE]: code } });

const bundleFiles = (): string[] => readdirSync(defaultBundleDir()).filter((name) => name.endsWith('.mjs') || name.endsWith('.map'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wb-engine-room-'));
  const log = pino(
    { level: 'info' },
    {
      write(line: string) {
        const parsed = JSON.parse(line) as { runId?: string; msg: string };
        logLines.push({ ...(parsed.runId !== undefined && { runId: parsed.runId }), msg: parsed.msg });
      },
    },
  );
  workbench = await startWorkbench({ port: 0, dbPath: join(dir, 'workbench.db'), token: TOKEN, log });
  const res = await api('GET', `/api/patterns/${PATTERN}/files/${FILE}/reference`);
  expect(res.status, res.text).toBe(200);
  reference = res.body.content as string;
}, SLOW);

afterAll(async () => {
  await workbench?.close();
  rmSync(dir, { recursive: true, force: true });
}, SLOW);

describe('a console.log flood', { timeout: SLOW }, () => {
  it('is rate-limited and summarised with the right count, while the API keeps answering and the run goes on', async () => {
    const FLOOD = 1_000_000;
    const code = insertAfterLine(
      `let flooded = false;\n${reference}`,
      EXECUTE,
      `    if (!flooded) { flooded = true; for (let i = 0; i < ${FLOOD}; i++) console.log(i); console.log('flood over'); }`,
    ).content;
    const res = await startPinned(code);
    expect(res.status, res.text).toBe(201);
    const runId = res.body.runId as string;
    const feed = new EventFeed(workbench.port, runId);

    // What the learner printed, as the server logged it: the lines let through, and the
    // summaries of those dropped.
    const output = () => {
      let printed = 0;
      let dropped = 0;
      let summaries = 0;
      for (const { runId: id, msg } of logLines) {
        if (id !== runId || !msg.startsWith('run output: ')) continue;
        for (const line of msg.slice('run output: '.length).split('\n')) {
          const summary = /^\[sandbox\] ([\d,]+) lines? of output dropped/.exec(line);
          if (summary) {
            dropped += Number(summary[1]!.replaceAll(',', ''));
            summaries++;
          } else if (/^\d+$/.test(line) || line === 'flood over') printed++;
        }
      }
      return { printed, dropped, summaries };
    };

    // Meanwhile, the API is asked every 25 ms, and the server's event loop is watched.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const latencies: number[] = [];
    const failures: string[] = [];
    let pinging = true;
    const pinger = (async () => {
      while (pinging) {
        const began = performance.now();
        const answer = await api('GET', `/api/runs/${runId}`);
        latencies.push(performance.now() - began);
        if (answer.status !== 200) failures.push(`${answer.status} ${answer.text}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    await waitUntil(() => {
      const { printed, dropped } = output();
      return printed + dropped >= FLOOD + 1;
    }, { timeoutMs: 30_000, what: () => `every line printed or counted: ${JSON.stringify(output())}` });
    // The run goes on: it serves requests after the flood, and it is still running.
    const after = await feed.mark();
    await feed.waitFor(is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), { after, what: 'a request after the flood' });
    pinging = false;
    await pinger;
    delay.disable();

    const { printed, dropped, summaries } = output();
    // Every line is accounted for: printed, or counted in a summary. Nothing vanishes unreported.
    expect(printed + dropped).toBe(FLOOD + 1);
    expect(dropped).toBeGreaterThan(FLOOD / 2);
    expect(summaries).toBeGreaterThanOrEqual(1);
    expect(failures).toEqual([]);
    expect((await api('GET', `/api/runs/${runId}`)).body).toMatchObject({ state: 'running' });
    expect(feed.seen.some((e) => e.type === 'run.error')).toBe(false);
    // Generous: a stalled server would take seconds; the figures go to the report, not here.
    expect(Math.max(...latencies)).toBeLessThan(2_000);

    const sorted = [...latencies].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
    console.info(
      `console.log flood of ${FLOOD.toLocaleString('en-US')} lines in a run: ${printed} printed, ${dropped.toLocaleString('en-US')} dropped ` +
        `in ${summaries} summary line(s); GET /api/runs/:id ×${latencies.length}: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${Math.max(...latencies).toFixed(1)} ms; ` +
        `server event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
    );
    await api('DELETE', `/api/runs/${runId}`);
  });
});

describe('compiled bundles', { timeout: SLOW }, () => {
  it('are removed when their run stops, the code it was redeployed with included', async () => {
    const start = await api('POST', '/api/runs', { patternId: PATTERN, lab: LAB });
    expect(start.status, start.text).toBe(201);
    const runId = start.body.runId as string;
    const feed = new EventFeed(workbench.port, runId);
    await feed.waitFor(is('run.started'));
    const first = bundleFiles();
    expect(first.filter((name) => name.endsWith('.mjs')).length).toBeGreaterThanOrEqual(1);

    // A save redeploys the run: its new bundle is held by the run, the previous one drains.
    const save = await api('PUT', `/api/patterns/${PATTERN}/files/${FILE}`, { content: `// a comment\n${reference}` });
    expect(save.status, save.text).toBe(200);
    expect(save.body.deployedTo).toEqual([runId]);
    expect(bundleFiles().some((name) => !first.includes(name))).toBe(true);

    await api('DELETE', `/api/runs/${runId}`);
    await waitUntil(() => bundleFiles().length === 0, { timeoutMs: 15_000, what: () => `no bundle left; still ${bundleFiles().join(', ')}` });
    expect((await api('POST', `/api/patterns/${PATTERN}/files/${FILE}/reset`)).status).toBe(200);
    await waitUntil(() => bundleFiles().length === 0, { timeoutMs: 15_000, what: () => `no bundle left after the reset's trial load; still ${bundleFiles().join(', ')}` });
  });

  it('are removed when an exercise check ends', async () => {
    const exercises = (await api('GET', '/api/exercises')).body as Array<{ id: string; patternId: string }>;
    const exercise = exercises.find((e) => e.patternId === PATTERN)!;
    const solution = (await api('GET', `/api/exercises/${encodeURIComponent(exercise.id)}/solution`)).body as { content: string };
    expect(bundleFiles()).toEqual([]);
    const check = await api('POST', `/api/exercises/${encodeURIComponent(exercise.id)}/check`, { code: solution.content });
    expect(check.status, check.text).toBe(200);
    expect(check.body.status).toBe('pass');
    // Released as the check's answer is made: nothing to wait for.
    expect(bundleFiles()).toEqual([]);
  });
});

describe('what lab code cannot reach', { timeout: SLOW }, () => {
  /** Starts a pinned run with `probe` at the top of execute(); the first request runs it. */
  const probeAtRequest = async (probe: string) => {
    const edited = insertAfterLine(reference, EXECUTE, `    ${probe}`);
    return { ...edited, res: await startPinned(edited.content) };
  };

  // Refused at run time: the function is there, and says why it does nothing.
  it.each([
    ['process.getBuiltinModule', `(process as any).getBuiltinModule('child_process').execSync('id');`, 'process.getBuiltinModule()'],
    ['process.binding', `(process as any).binding('fs');`, 'process.binding()'],
    ['process.dlopen', `process.dlopen({ exports: {} } as any, '/usr/lib/x86_64-linux-gnu/libc.so.6');`, 'process.dlopen()'],
  ])('%s → refused when called, with a clear error naming the file and line', async (_name, probe, what) => {
    // At the top of the file: the run fails to load, with a 422 and a run.error at the line.
    const res = await startPinned(`${probe}\n${reference}`);
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toMatchObject({ file: FILE_PATH, line: 1 });
    expect(res.body.error.message).toContain(`${what} is not available in the lab sandbox`);
    const feed = new EventFeed(workbench.port, res.body.runId as string);
    const { event } = await feed.waitFor(is('run.error'));
    expect(event).toMatchObject({ file: FILE_PATH, line: 1 });
    expect(event.message).toContain('not available in the lab sandbox');
  });

  // Refused by the compiler, at the line: the run never starts.
  it.each([
    ['a computed import()', `const name: string = 'node:child_process'; await import(name);`, 'computed name'],
    ['a template import()', 'const x: string = "fs"; await import(`../../server/${x}`);', 'computed name'],
    ['require()', `require('fs');`, 'require() is not available in the lab sandbox'],
    ['module.createRequire', `(globalThis as any).module.createRequire(import.meta.url)('fs');`, 'createRequire is not available in the lab sandbox'],
  ])('%s → a compile error at the line', async (_name, probe, message) => {
    const { res, line } = await probeAtRequest(probe);
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toMatchObject({ file: FILE_PATH, line });
    expect(res.body.error.message).toContain(message);
    expect(line).toBe(lineOf(reference, EXECUTE) + 1);
  });
});
