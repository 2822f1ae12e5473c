/**
 * Sandbox containment, through real runs: learner code that loops forever
 * (sync or async), eats memory, leaves a rejection unhandled, calls
 * `process.exit` or throws while the lab starts ends *that* run with a
 * `run.error` naming the learner's file and line; the server goes on
 * answering and another run of the same pattern goes on serving.
 *
 * One saved version of circuit-breaker.ts carries every mistake, each behind
 * its own value of the lab's `callTimeoutMs` parameter (the lab passes it to
 * the breaker's constructor): a run misbehaves only once a test sets that
 * value, so a healthy "bystander" run of the same code shows that other runs
 * are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryOf } from '../../patterns/kit/index.ts';
import {
  BREAKER_FILE,
  BREAKER_PATH,
  insertAfterLine,
  is,
  lineOf,
  SLOW,
  startTestWorkbench,
  type TestWorkbench,
} from './helpers.ts';

const TRIGGER = {
  syncLoop: 4001,
  asyncLoop: 4002,
  memoryBomb: 4003,
  unhandledRejection: 4004,
  exit: 4005,
  throwAtStart: 4006,
} as const;

/** Lines added at the top of CircuitBreaker.execute (the lab's request path). */
const EXECUTE_MISTAKES = [
  `    if (this.callTimeoutMs === ${TRIGGER.syncLoop}) while (true) {}`,
  `    if (this.callTimeoutMs === ${TRIGGER.asyncLoop}) for (;;) await null;`,
  `    if (this.callTimeoutMs === ${TRIGGER.memoryBomb}) { const hog: number[][] = []; for (;;) hog.push(new Array(1 << 20).fill(7)); }`,
  `    if (this.callTimeoutMs === ${TRIGGER.unhandledRejection}) void Promise.reject(new Error('nobody catches this'));`,
  `    if (this.callTimeoutMs === ${TRIGGER.exit}) process.exit(1);`,
].join('\n');
/** Added to the constructor: the lab fails to start with this value. */
const CONSTRUCTOR_MISTAKE = `    if (callTimeoutMs === ${TRIGGER.throwAtStart}) throw new Error('boom at start');`;

let tw: TestWorkbench;
let code: string;
let bystander: string;

const lineOfTrigger = (trigger: number): number => lineOf(code, `=== ${trigger})`);

beforeAll(async () => {
  tw = await startTestWorkbench({ sandbox: { watchdogMs: 1000, maxOldGenerationSizeMb: 128 } });
  const reference = await tw.reference(BREAKER_FILE);
  code = insertAfterLine(reference, 'async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal)', EXECUTE_MISTAKES).content;
  code = insertAfterLine(code, '} = options;', CONSTRUCTOR_MISTAKE).content;
  // No run is live: the save is checked by a trial load, which never calls execute().
  const saved = await tw.saveFile(BREAKER_FILE, code);
  expect(saved.status, saved.text).toBe(200);
  bystander = await tw.startRun();
}, SLOW);
afterAll(async () => {
  await tw?.close();
}, SLOW);

/** The server answers and the bystander run still serves requests, after the failure. */
const othersGoOn = async () => {
  expect((await tw.api('GET', '/api/patterns')).status).toBe(200);
  const feed = tw.feed(bystander);
  const after = await feed.mark();
  await feed.waitFor(is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), {
    after,
    what: 'the bystander serving a request',
  });
  expect((await tw.api('GET', `/api/runs/${bystander}`)).body).toMatchObject({ state: 'running', live: true });
};

/** Starts a run, sets the trigger, and returns the run.error that ends it. */
const breakRun = async (trigger: number): Promise<{ runId: string; error: TelemetryOf<'run.error'> }> => {
  const runId = await tw.startRun();
  await tw.waitForEvent(runId, is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), { what: 'a first request' });
  const res = await tw.api('PUT', `/api/runs/${runId}/params`, { callTimeoutMs: trigger });
  // The lab restarts with the new value and answers before the next request trips the
  // mistake; if the run has ended first, the change is refused (never a 5xx).
  expect([200, 422], res.text).toContain(res.status);
  const error = await tw.waitForEvent(runId, is('run.error'), { timeoutMs: 45_000, what: 'run.error' });
  await tw.waitForEvent(runId, is('run.stopped', (e) => e.reason === 'error'), { what: 'run.stopped (error)' });
  const info = (await tw.api('GET', `/api/runs/${runId}`)).body;
  expect(info).toMatchObject({ state: 'error', live: false, error: { message: error.message } });
  const record = (await tw.api('GET', '/api/runs')).body.find((r: { id: string }) => r.id === runId);
  expect(record).toMatchObject({ status: 'error', live: false });
  // Nothing more is recorded for the ended run.
  expect(tw.feed(runId).seen.at(-1)?.type).toBe('run.stopped');
  return { runId, error };
};

describe('a mistake in the learner code ends only its own run', { timeout: SLOW }, () => {
  it('an infinite loop (while (true) {}) → run.error naming the file and line', async () => {
    const { error } = await breakRun(TRIGGER.syncLoop);
    expect(error).toMatchObject({ file: BREAKER_PATH, line: lineOfTrigger(TRIGGER.syncLoop) });
    expect(error.message).toMatch(/stopped responding/);
    expect(error.message).toContain(`${BREAKER_PATH}:${lineOfTrigger(TRIGGER.syncLoop)}`);
    await othersGoOn();
  });

  it('an async infinite loop (for (;;) await null) → run.error naming the file and line', async () => {
    const { error } = await breakRun(TRIGGER.asyncLoop);
    expect(error.message).toMatch(/stopped responding/);
    // Known gap (sandbox): on a heavily loaded machine the inspector's pause of a microtask
    // loop sometimes does not land in time, and the error then names no line. When it
    // names one, it must be the right one.
    if (error.file !== undefined || error.line !== undefined) {
      expect(error).toMatchObject({ file: BREAKER_PATH, line: lineOfTrigger(TRIGGER.asyncLoop) });
    }
    await othersGoOn();
  });

  it('a memory bomb → run.error saying the lab ran out of memory', async () => {
    const { error } = await breakRun(TRIGGER.memoryBomb);
    expect(error.message).toMatch(/out of memory|stopped responding/);
    // When the watchdog catches the allocation loop first, it also names the line.
    if (error.file !== undefined) expect(error).toMatchObject({ file: BREAKER_PATH, line: lineOfTrigger(TRIGGER.memoryBomb) });
    await othersGoOn();
  });

  it('an unhandled rejection → run.error naming the file and line', async () => {
    const { error } = await breakRun(TRIGGER.unhandledRejection);
    expect(error).toMatchObject({ file: BREAKER_PATH, line: lineOfTrigger(TRIGGER.unhandledRejection) });
    expect(error.message).toMatch(/Unhandled promise rejection: Error: nobody catches this/);
    await othersGoOn();
  });

  it('process.exit(1) → run.error naming the file and line', async () => {
    const { error } = await breakRun(TRIGGER.exit);
    expect(error).toMatchObject({ file: BREAKER_PATH, line: lineOfTrigger(TRIGGER.exit) });
    expect(error.message).toMatch(/process\.exit\(1\) was called/);
    await othersGoOn();
  });
});

describe('a throw while the lab starts', { timeout: SLOW }, () => {
  it('on a params change → 422 naming the file and line; the run keeps serving with its previous values', async () => {
    const runId = await tw.startRun();
    const feed = tw.feed(runId);
    const res = await tw.api('PUT', `/api/runs/${runId}/params`, { callTimeoutMs: TRIGGER.throwAtStart });
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toMatchObject({ file: BREAKER_PATH, line: lineOfTrigger(TRIGGER.throwAtStart) });
    expect(res.body.error.message).toMatch(/boom at start/);
    const after = await feed.mark();
    await feed.waitFor(is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), { after, what: 'a request served' });
    const info = (await tw.api('GET', `/api/runs/${runId}`)).body;
    expect(info).toMatchObject({ state: 'running', params: { callTimeoutMs: 1000 } });
    // A later good change still applies: the lab really runs with the previous values.
    const ok = await tw.api('PUT', `/api/runs/${runId}/params`, { callTimeoutMs: 900 });
    expect(ok.status, ok.text).toBe(200);
    const changed = await feed.waitFor(is('params.changed', (e) => e.params.callTimeoutMs === 900), { what: 'params.changed' });
    expect(feed.seen.filter((e) => e.type === 'params.changed').map((e) => e.type === 'params.changed' && e.params.callTimeoutMs)).toEqual([900]);
    await feed.waitFor(is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), { after: changed.index });
    await tw.stopRun(runId);
  });

  it('at a run’s first load (only on the real clock, so the trial load passed) → run.error naming the file and line', async () => {
    await tw.stopRun(bystander);
    const reference = await tw.reference(BREAKER_FILE);
    const startOnly = insertAfterLine(reference, '} = options;', "    if (clock instanceof RealClock) throw new Error('boom on the real clock');");
    const saved = await tw.saveFile(BREAKER_FILE, startOnly.content);
    expect(saved.status, saved.text).toBe(200);
    const res = await tw.api('POST', '/api/runs', { patternId: 'circuit-breaker' });
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toMatchObject({ file: BREAKER_PATH, line: startOnly.line });
    expect(res.body.error.message).toMatch(/boom on the real clock/);
    const runId = res.body.runId as string;
    const error = await tw.waitForEvent(runId, is('run.error'));
    expect(error).toMatchObject({ file: BREAKER_PATH, line: startOnly.line });
    await tw.waitForEvent(runId, is('run.stopped', (e) => e.reason === 'error'));
    expect((await tw.api('GET', `/api/runs/${runId}`)).body).toMatchObject({ state: 'error', live: false });

    // The server goes on: back to the reference, a new run serves.
    expect((await tw.api('POST', `/api/patterns/circuit-breaker/files/${BREAKER_FILE}/reset`)).status).toBe(200);
    bystander = await tw.startRun();
    await othersGoOn();
  });
});
