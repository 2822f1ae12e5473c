/**
 * Runs pin their code: POST /api/runs with `code` runs those files in place of
 * the pattern's for that run only, stores nothing as the pattern's versions,
 * and no save reaches it; runs that follow the current code take every save.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BREAKER_FILE,
  breakerWithThreshold,
  BREAKER_PATH,
  insertAfterLine,
  is,
  PATTERN,
  SLOW,
  startTestWorkbench,
  type ApiResult,
  type TestWorkbench,
} from './helpers.ts';

let tw: TestWorkbench;
let reference: string;
const FILES = `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`;
const LAST_IMPORT = "from './errors.ts';";

beforeAll(async () => {
  tw = await startTestWorkbench();
  reference = await tw.reference(BREAKER_FILE);
}, SLOW);
afterAll(async () => {
  await tw?.close();
}, SLOW);

const withThreshold = (n: number): string => breakerWithThreshold(reference, n);

const startPinned = (code: unknown, extra: Record<string, unknown> = {}): Promise<ApiResult> =>
  tw.api('POST', '/api/runs', { patternId: PATTERN, code, ...extra });

const runInfo = async (runId: string) => {
  const res = await tw.api('GET', `/api/runs/${runId}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};

/** The pattern's stored versions of the breaker file, and its state. */
const history = async () => ({
  versions: (await tw.api('GET', `${FILES}/versions`)).body,
  state: (await tw.api('GET', FILES)).body,
});

/** The consecutive-failures threshold a run's code really uses: fail payments, count failures until the circuit opens. */
const runningThreshold = async (runId: string): Promise<number> => {
  const feed = tw.feed(runId);
  const after = await feed.mark();
  expect((await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { errorRate: 1 })).status).toBe(200);
  const opened = await feed.waitFor(is('log', (e) => e.msg.startsWith('payments circuit opened')), {
    after,
    what: 'the circuit opening',
  });
  expect((await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { enabled: false })).status).toBe(200);
  return opened.event.fields.failures as number;
};

describe('bad code is refused before anything starts', { timeout: SLOW }, () => {
  it.each([
    ['a file that is not editable', { 'lab.ts': 'export {}' }, /^code\.lab\.ts: not an editable file of circuit-breaker \(editable: circuit-breaker\.ts, breakers\.ts\)/],
    ['a path instead of a file name', { '../../server/app.ts': 'export {}' }, /^code\.\.\.\/\.\.\/server\/app\.ts: not an editable file/],
    ['content that is not a string', { [BREAKER_FILE]: 42 }, /^code\.circuit-breaker\.ts: /],
    ['no file at all', {}, /^code: name at least one editable file/],
    ['not an object', 'export {}', /^code: /],
    ['a file over the size bound', { [BREAKER_FILE]: 'x'.repeat(500_001) }, /^code\.circuit-breaker\.ts: /],
  ])('%s → 400 naming the field', async (_what, code, message) => {
    const before = (await tw.api('GET', '/api/runs')).body.length;
    const res = await startPinned(code);
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.message).toMatch(message);
    expect((await tw.api('GET', '/api/runs')).body.length).toBe(before);
  });

  it('code that does not compile → 422 with file, line and column; nothing is stored as a version', async () => {
    const { content, line } = insertAfterLine(reference, LAST_IMPORT, 'const = 42;');
    const res = await startPinned({ [BREAKER_FILE]: content });
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toMatchObject({ status: 422, file: BREAKER_PATH, line });
    expect(res.body.error.message).toMatch(/expected identifier/i);
    expect(res.body.error.column).toBeGreaterThanOrEqual(1);
    expect((await history()).versions).toEqual([]);
  });

  it('code that throws at load → 422 naming the file and line', async () => {
    const { content, line } = insertAfterLine(reference, LAST_IMPORT, "throw new Error('pinned boom');");
    const res = await startPinned({ [BREAKER_FILE]: content });
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toMatchObject({ status: 422, file: BREAKER_PATH, line });
    expect(res.body.error.message).toMatch(/pinned boom/);
    expect((await history()).versions).toEqual([]);
  });
});

describe('a pinned run beside a following run', { timeout: SLOW }, () => {
  let following: string;
  let pinned: string;

  beforeAll(async () => {
    following = await tw.startRun();
    const res = await startPinned({ [BREAKER_FILE]: withThreshold(2) });
    expect(res.status, res.text).toBe(201);
    pinned = res.body.runId;
  }, SLOW);

  it('starting a pinned run stores nothing as the pattern’s versions', async () => {
    const { versions, state } = await history();
    expect(versions).toEqual([]);
    expect(state).toMatchObject({ version: 0, goodVersion: 0, content: reference, error: null });
    const files = (await tw.api('GET', `/api/patterns/${PATTERN}`)).body.files;
    expect(files.find((f: { name: string }) => f.name === BREAKER_FILE)).toMatchObject({ version: 0, modified: false });
  });

  it('GET /api/runs/:id says which code each run runs', async () => {
    expect((await runInfo(following)).code).toEqual({ follows: 'current', versions: { [BREAKER_FILE]: 0, 'breakers.ts': 0 } });
    const info = await runInfo(pinned);
    expect(info.code).toEqual({ follows: 'pinned', files: [BREAKER_FILE], versions: { 'breakers.ts': 0 } });
    expect(info.versions).toEqual({ 'breakers.ts': 0 });
    const started = await tw.waitForEvent(pinned, is('run.started'));
    expect(started.versions).toEqual({ 'breakers.ts': 0 });
  });

  it('a save redeploys the following run only; the pinned run keeps its code and gets no run.deployed', async () => {
    const pinnedAfter = await tw.feed(pinned).mark();
    const followingAfter = await tw.feed(following).mark();
    const res = await tw.saveFile(BREAKER_FILE, withThreshold(7));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ version: 1, deployedTo: [following] });
    await tw.waitForEvent(following, is('run.deployed', (e) => e.version === 1), { after: followingAfter, what: 'run.deployed v1' });
    expect((await runInfo(following)).code).toEqual({ follows: 'current', versions: { [BREAKER_FILE]: 1, 'breakers.ts': 0 } });

    // The pinned run goes on serving, on its own code.
    await tw.feed(pinned).waitFor(is('request', (e) => e.direction === 'inbound'), { after: pinnedAfter, what: 'a request after the save' });
    expect(tw.feed(pinned).seen.slice(pinnedAfter).filter(is('run.deployed'))).toEqual([]);
    const info = await runInfo(pinned);
    expect(info.state).toBe('running');
    expect(info.code).toEqual({ follows: 'pinned', files: [BREAKER_FILE], versions: { 'breakers.ts': 0 } });

    // Behaviour: the following run now needs 7 failures, the pinned one 2 (its pinned code; the reference needs 5).
    const followingFailures = await runningThreshold(following);
    expect(followingFailures).toBeGreaterThanOrEqual(7);
    expect(followingFailures).toBeLessThanOrEqual(8);
    const pinnedFailures = await runningThreshold(pinned);
    expect(pinnedFailures).toBeGreaterThanOrEqual(2);
    expect(pinnedFailures).toBeLessThan(5);
  });

  it('a save of a file the pinned run did not pin does not reach it either', async () => {
    const after = await tw.feed(pinned).mark();
    const breakers = await tw.reference('breakers.ts');
    const res = await tw.saveFile('breakers.ts', `${breakers}\n// tried something\n`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.deployedTo).toEqual([following]);
    await tw.feed(pinned).waitFor(is('request', (e) => e.direction === 'inbound'), { after, what: 'a request after the save' });
    expect(tw.feed(pinned).seen.slice(after).filter(is('run.deployed'))).toEqual([]);
    expect((await runInfo(pinned)).code.versions).toEqual({ 'breakers.ts': 0 });
  });

  it('with only a pinned run live, a bad save is still caught (by a trial load) and the pinned run is untouched', async () => {
    await tw.stopRun(following);
    const { content, line } = insertAfterLine(reference, LAST_IMPORT, "throw new Error('save boom');");
    const res = await tw.saveFile(BREAKER_FILE, content);
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toMatchObject({ file: BREAKER_PATH, line });
    const info = await runInfo(pinned);
    expect(info.state).toBe('running');
    expect(info.code.follows).toBe('pinned');
  });

  it('a stopped pinned run still says what it ran', async () => {
    await tw.stopRun(pinned);
    const info = await runInfo(pinned);
    expect(info.state).toBe('stopped');
    expect(info.code).toEqual({ follows: 'pinned', files: [BREAKER_FILE], versions: { 'breakers.ts': 0 } });
  });
});
