/**
 * Learner code whose loading never finishes (a top-level `await` on a promise that never
 * settles) is refused like code that throws at load, once the sandbox's load deadline has
 * passed: four watchdog periods (4 s in runs here; 6 s in a save's trial load). Found by the fuzz suite: before, such a save never
 * answered, and with it every later save of the pattern (saves of a pattern go one at a
 * time), every new run of the pattern (the version counted as good) and every later message
 * to the run it was deployed into (a run handles its messages one at a time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BREAKER_FILE, insertAfterLine, PATTERN, SLOW, startTestWorkbench, type TestWorkbench } from './helpers.ts';

/** The last import of circuit-breaker.ts: code inserted after it runs at load. */
const LAST_IMPORT = "from './errors.ts';";
const NEVER_LOADS = /did not finish loading within \d+ s/;

let tw: TestWorkbench;
let reference: string;

beforeAll(async () => {
  tw = await startTestWorkbench({ sandbox: { watchdogMs: 1000 } });
  reference = await tw.reference(BREAKER_FILE);
}, SLOW);
afterAll(async () => {
  await tw?.close();
}, SLOW);

const fileState = async () => (await tw.api('GET', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`)).body;

describe('code that never finishes loading', { timeout: SLOW }, () => {
  it('with no live run (the trial load, kept alive by a timer) → 422; the next save goes through', async () => {
    // The interval keeps the trial worker alive, so it cannot just end with "unsettled top-level await".
    const content = insertAfterLine(reference, LAST_IMPORT, 'setInterval(() => {}, 1000);\nawait new Promise(() => {});').content;
    const res = await tw.saveFile(BREAKER_FILE, content);
    expect(res.status, res.text).toBe(422);
    expect(res.body.error.message).toMatch(NEVER_LOADS);
    const next = await tw.saveFile(BREAKER_FILE, reference);
    expect(next.status, next.text).toBe(200);
  });

  it('deployed into a live run → 422; the run keeps its code and answers params changes; a new run starts', async () => {
    const runId = await tw.startRun();
    const good = (await fileState()).goodVersion as number;
    const content = insertAfterLine(reference, LAST_IMPORT, 'await new Promise(() => {});').content;
    const res = await tw.saveFile(BREAKER_FILE, content);
    expect(res.status, res.text).toBe(422);
    expect(res.body.error.message).toMatch(NEVER_LOADS);
    expect(await fileState()).toMatchObject({ goodVersion: good, error: { message: expect.stringMatching(NEVER_LOADS) } });

    const params = await tw.api('PUT', `/api/runs/${runId}/params`, { resetTimeoutMs: 2000 });
    expect(params.status, params.text).toBe(200);
    const run = await tw.api('GET', `/api/runs/${runId}`);
    expect(run.body).toMatchObject({ state: 'running', versions: { [BREAKER_FILE]: good } });
    // A new run starts from the last good version, not the one that never loads.
    const another = await tw.startRun();
    expect((await tw.api('GET', `/api/runs/${another}`)).body.versions[BREAKER_FILE]).toBe(good);
    const next = await tw.saveFile(BREAKER_FILE, reference);
    expect(next.status, next.text).toBe(200);
    expect(next.body.deployedTo).toEqual(expect.arrayContaining([runId, another]));
  });
});
