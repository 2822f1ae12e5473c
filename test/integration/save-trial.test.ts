/**
 * A save whose code hangs or runs out of memory while it loads cannot take a
 * live run down: the code is tried in a trial sandbox with a run's limits
 * first, the save is answered 422 with why (and the line), the run goes on
 * serving with its last good code and its timeline says so, and the next good
 * save deploys as usual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BREAKER_FILE,
  BREAKER_PATH,
  breakerWithThreshold,
  insertAfterLine,
  is,
  SLOW,
  startTestWorkbench,
  type TestWorkbench,
} from './helpers.ts';

/** The last import line of circuit-breaker.ts: what is inserted after it runs as the module loads. */
const lastImport = (source: string): string => source.split('\n').filter((line) => line.startsWith('import ')).at(-1)!;

let tw: TestWorkbench;
let reference: string;
let runId: string;

beforeAll(async () => {
  // The limits of sandbox.test.ts: a short watchdog and a small heap keep the failures quick.
  tw = await startTestWorkbench({ sandbox: { watchdogMs: 1000, maxOldGenerationSizeMb: 128 } });
  reference = await tw.reference(BREAKER_FILE);
  runId = await tw.startRun();
  await tw.waitForEvent(runId, is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), { what: 'a first request' });
}, SLOW);
afterAll(async () => {
  await tw?.close();
}, SLOW);

/** Saves `content`, expects the 422, and checks that the run went on as if nothing was sent to it. */
const saveRejected = async (content: string) => {
  const feed = tw.feed(runId);
  const before = (await tw.api('GET', `/api/runs/${runId}`)).body;
  const after = await feed.mark();
  const res = await tw.saveFile(BREAKER_FILE, content);
  expect(res.status, res.text).toBe(422);
  // The version is kept, marked with its error; runs use the previous good one.
  const file = (await tw.api('GET', `/api/patterns/circuit-breaker/files/${BREAKER_FILE}`)).body;
  expect(file).toMatchObject({ version: res.body.version, goodVersion: before.versions[BREAKER_FILE], error: { message: res.body.error.message } });

  // The run's history says why, without ending it.
  const { event: noted } = await feed.waitFor(is('run.error'), { after, what: 'the run.error of the rejected save' });
  expect(noted.message).toContain(`v${res.body.version} of ${BREAKER_FILE} was not deployed: ${res.body.error.message}`);
  expect(noted.message).toMatch(/The run goes on with (the reference|v\d+ of) /);
  // It goes on serving, on its previous code.
  const served = await feed.mark();
  await feed.waitFor(is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), { after: served, what: 'a request served after the save' });
  const info = (await tw.api('GET', `/api/runs/${runId}`)).body;
  expect(info).toMatchObject({ state: 'running', versions: before.versions });
  expect(info.error).toBeUndefined();
  const since = feed.seen.slice(after);
  expect(since.filter((e) => e.type === 'run.stopped' || e.type === 'run.deployed')).toEqual([]);
  return res.body.error as { message: string; file?: string; line?: number };
};

describe('a save that cannot finish loading, into a live run', { timeout: SLOW }, () => {
  it('an infinite loop at load → 422 naming the line; the run keeps serving its last good code', async () => {
    const looping = insertAfterLine(reference, lastImport(reference), 'while (true) {}');
    const error = await saveRejected(looping.content);
    expect(error.message).toMatch(/^The new code did not finish loading: it stopped responding for over 1 s \(an infinite loop/);
    expect(error).toMatchObject({ file: BREAKER_PATH, line: looping.line });
    expect(error.message).toContain(`at ${BREAKER_PATH}:${looping.line}?`);
  });

  it('a memory bomb at load → 422 saying it ran out of memory; the run keeps serving its last good code', async () => {
    const bomb = insertAfterLine(reference, lastImport(reference), 'const hog: number[][] = [];\nfor (;;) hog.push(new Array(1 << 20).fill(7));');
    const error = await saveRejected(bomb.content);
    expect(error.message).toMatch(/^The new code ran out of memory while loading: it reached the 128 MB heap the sandbox allows/);
  });

  it('a good save after them deploys into the run', async () => {
    const feed = tw.feed(runId);
    const after = await feed.mark();
    const res = await tw.saveFile(BREAKER_FILE, breakerWithThreshold(reference, 3));
    expect(res.status, res.text).toBe(200);
    expect(res.body.deployedTo).toEqual([runId]);
    await feed.waitFor(is('run.deployed', (e) => e.version === res.body.version && e.file === BREAKER_FILE), { after, what: 'run.deployed' });
    const info = (await tw.api('GET', `/api/runs/${runId}`)).body;
    expect(info).toMatchObject({ state: 'running', versions: { [BREAKER_FILE]: res.body.version } });
    const file = (await tw.api('GET', `/api/patterns/circuit-breaker/files/${BREAKER_FILE}`)).body;
    expect(file).toMatchObject({ version: res.body.version, goodVersion: res.body.version, error: null });
  });
});
