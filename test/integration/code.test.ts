/**
 * Saving the learner's code: every save is a durable version; a good one is
 * compiled and redeployed into the pattern's live runs (a `run.deployed`
 * event marks it), a bad one (a syntax error, a throw at load) answers 422
 * with the file, line and column, and the runs keep their previous code.
 * Versions can be listed, restored, and the file reset to the reference.
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
  waitUntil,
  type ApiResult,
  type TestWorkbench,
} from './helpers.ts';

const FILES = `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`;
/** The last import of circuit-breaker.ts: code inserted after it runs at load. */
const LAST_IMPORT = "from './errors.ts';";

let tw: TestWorkbench;
let reference: string;

beforeAll(async () => {
  tw = await startTestWorkbench();
  reference = await tw.reference(BREAKER_FILE);
}, SLOW);
afterAll(async () => {
  await tw?.close();
}, SLOW);

const withThreshold = (n: number): string => breakerWithThreshold(reference, n);
const withSyntaxError = () => insertAfterLine(reference, LAST_IMPORT, 'const = 42;');
const withThrowAtLoad = () => insertAfterLine(reference, LAST_IMPORT, "throw new Error('boom');");

const expect422 = (res: ApiResult, line: number, message: RegExp) => {
  expect(res.status, res.text).toBe(422);
  expect(res.body.error).toMatchObject({ status: 422, file: BREAKER_PATH, line });
  expect(res.body.error.message).toMatch(message);
  expect(res.body.error.column).toBeGreaterThanOrEqual(1);
  expect(typeof res.body.version).toBe('number');
};

const fileState = async () => (await tw.api('GET', FILES)).body;

describe('without a live run', { timeout: SLOW }, () => {
  it('a save stores version 1 and answers 200 (deployed nowhere)', async () => {
    const res = await tw.saveFile(BREAKER_FILE, withThreshold(4));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ version: 1, deployedTo: [] });
    expect(res.body.error).toBeUndefined();
    expect(await fileState()).toMatchObject({ version: 1, goodVersion: 1, error: null, content: withThreshold(4) });
  });

  it('a throw at load → 422 naming the file and line (found by a trial load)', async () => {
    const { content, line } = withThrowAtLoad();
    const res = await tw.saveFile(BREAKER_FILE, content);
    expect422(res, line, /boom/);
    expect(res.body.version).toBe(2);
    // Kept (nothing typed is lost), marked with its error; runs would use version 1.
    expect(await fileState()).toMatchObject({ version: 2, goodVersion: 1, content, error: { file: BREAKER_PATH, line } });
  });

  it('a syntax error → 422 with message, file, line and column', async () => {
    const { content, line } = withSyntaxError();
    const res = await tw.saveFile(BREAKER_FILE, content);
    expect422(res, line, /expected identifier/i);
    expect(res.body.error.column).toBe(7);
    expect(res.body.version).toBe(3);
    expect(await fileState()).toMatchObject({ version: 3, goodVersion: 1, content });
  });

  it('lists the versions newest first, each with its error; GET a version gives its content', async () => {
    const res = await tw.api('GET', `${FILES}/versions`);
    expect(res.status).toBe(200);
    expect(res.body.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(res.body[0]).toMatchObject({ patternId: PATTERN, file: BREAKER_FILE, origin: 'saved', error: { line: withSyntaxError().line } });
    expect(res.body[2]).toMatchObject({ version: 1, error: null });
    expect(res.body[0].content).toBeUndefined();
    const one = await tw.api('GET', `${FILES}/versions/1`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ version: 1, content: withThreshold(4) });
  });

  it('the pattern lists the file as modified, at its latest and good versions', async () => {
    const files = (await tw.api('GET', `/api/patterns/${PATTERN}`)).body.files;
    expect(files.find((f: { name: string }) => f.name === BREAKER_FILE)).toEqual({
      name: BREAKER_FILE,
      version: 3,
      goodVersion: 1,
      modified: true,
    });
  });
});

describe('with a live run', { timeout: SLOW }, () => {
  let runId: string;
  const versionOf = async (): Promise<number> => (await tw.api('GET', `/api/runs/${runId}`)).body.versions[BREAKER_FILE];
  /** The run goes on serving: a request is recorded after `after`. */
  const stillServing = async (after: number) => {
    await tw.feed(runId).waitFor(is('request', (e) => e.direction === 'inbound'), { after, what: 'a request after the save' });
    expect((await tw.api('GET', `/api/runs/${runId}`)).body.state).toBe('running');
  };

  beforeAll(async () => {
    runId = await tw.startRun();
  }, SLOW);

  it('a new run starts with the newest good version', async () => {
    expect(await versionOf()).toBe(1);
    const started = await tw.waitForEvent(runId, is('run.started'));
    expect(started.versions[BREAKER_FILE]).toBe(1);
  });

  it('a save → 200 with its version deployed to the live run, and run.deployed with that version', async () => {
    const after = await tw.feed(runId).mark();
    const res = await tw.saveFile(BREAKER_FILE, withThreshold(3));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ version: 4, deployedTo: [runId] });
    const deployed = await tw.waitForEvent(runId, is('run.deployed', (e) => e.version === 4), { after, what: 'run.deployed v4' });
    expect(deployed.file).toBe(BREAKER_FILE);
    expect(await versionOf()).toBe(4);
    await stillServing(after);
  });

  it('the redeployed code is what runs: the circuit now opens after 3 failures', async () => {
    const feed = tw.feed(runId);
    const after = await feed.mark();
    expect((await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { errorRate: 1 })).status).toBe(200);
    const opened = await feed.waitFor(is('log', (e) => e.msg.startsWith('payments circuit opened')), { after, what: 'the circuit opening' });
    // 3 failures in a row (the reference needs 5); a call that was already on its way when
    // the fault came may succeed in between on a very slow machine, hence not exactly 3.
    expect(opened.event.fields).toMatchObject({ to: 'open' });
    expect(opened.event.fields.failures).toBeGreaterThanOrEqual(3);
    expect(opened.event.fields.failures).toBeLessThan(5);
    expect((await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { enabled: false })).status).toBe(200);
  });

  it('a syntax error → 422 with file, line and column; the run keeps its code and goes on serving', async () => {
    const after = await tw.feed(runId).mark();
    const { content, line } = withSyntaxError();
    const res = await tw.saveFile(BREAKER_FILE, content);
    expect422(res, line, /expected identifier/i);
    expect(res.body.version).toBe(5);
    expect(await versionOf()).toBe(4);
    await stillServing(after);
    expect(tw.feed(runId).seen.slice(after).filter((e) => e.type === 'run.deployed')).toEqual([]);
    expect(await fileState()).toMatchObject({ version: 5, goodVersion: 4, content });
  });

  it('a throw at load → 422 naming the file and line; the run keeps its code and goes on serving', async () => {
    const after = await tw.feed(runId).mark();
    const { content, line } = withThrowAtLoad();
    const res = await tw.saveFile(BREAKER_FILE, content);
    expect422(res, line, /boom/);
    expect(res.body.version).toBe(6);
    expect(await versionOf()).toBe(4);
    await stillServing(after);
    expect(tw.feed(runId).seen.slice(after).filter((e) => e.type === 'run.deployed')).toEqual([]);
    expect(await fileState()).toMatchObject({ version: 6, goodVersion: 4, content, error: { file: BREAKER_PATH, line } });
  });

  it('GET the file shows the latest content, even a broken one', async () => {
    const state = await fileState();
    expect(state.content).toBe(withThrowAtLoad().content);
    expect(state.error.message).toMatch(/boom/);
  });

  it('restore brings back an earlier version as a new one and deploys it', async () => {
    const after = await tw.feed(runId).mark();
    const res = await tw.api('POST', `${FILES}/restore`, { version: 1 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ version: 7, deployedTo: [runId] });
    await tw.waitForEvent(runId, is('run.deployed', (e) => e.version === 7), { after, what: 'run.deployed v7' });
    expect(await fileState()).toMatchObject({ version: 7, goodVersion: 7, content: withThreshold(4), error: null });
    const versions = (await tw.api('GET', `${FILES}/versions`)).body;
    expect(versions[0]).toMatchObject({ version: 7, origin: 'restored' });
  });

  it('restoring a version that did not compile answers 422 again, and changes nothing', async () => {
    const res = await tw.api('POST', `${FILES}/restore`, { version: 5 });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ file: BREAKER_PATH, line: withSyntaxError().line });
    expect(await versionOf()).toBe(7);
  });

  it('reset restores the reference, deploys it, and the file is no longer modified', async () => {
    const after = await tw.feed(runId).mark();
    const res = await tw.api('POST', `${FILES}/reset`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ version: 9, deployedTo: [runId] });
    await tw.waitForEvent(runId, is('run.deployed', (e) => e.version === 9), { after, what: 'run.deployed v9' });
    expect(await fileState()).toMatchObject({ version: 9, goodVersion: 9, content: reference, error: null });
    expect((await tw.api('GET', `${FILES}/versions`)).body[0]).toMatchObject({ version: 9, origin: 'reset' });
    const files = (await tw.api('GET', `/api/patterns/${PATTERN}`)).body.files;
    expect(files.find((f: { name: string }) => f.name === BREAKER_FILE)).toMatchObject({ version: 9, modified: false });
    await stillServing(after);
  });

  it('the other editable file (breakers.ts) saves and deploys the same way', async () => {
    const after = await tw.feed(runId).mark();
    const breakers = await tw.reference('breakers.ts');
    const res = await tw.saveFile('breakers.ts', `${breakers}\n// tried something\n`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ version: 1, deployedTo: [runId] });
    await tw.waitForEvent(runId, is('run.deployed', (e) => e.file === 'breakers.ts' && e.version === 1), { after });
    const info = (await tw.api('GET', `/api/runs/${runId}`)).body;
    expect(info.versions).toEqual({ [BREAKER_FILE]: 9, 'breakers.ts': 1 });
  });
});

describe('saving while a run is still starting', { timeout: SLOW }, () => {
  // Only the starting run is live: nothing else could catch a bad save.
  beforeAll(async () => {
    const patterns = (await tw.api('GET', '/api/patterns')).body as Array<{ id: string; liveRuns: string[] }>;
    for (const id of patterns.find((p) => p.id === PATTERN)!.liveRuns) await tw.stopRun(id);
  }, SLOW);

  /** Starts a run without waiting, and returns its id as soon as it is listed (still starting). */
  const startWithoutWaiting = async () => {
    const before = new Set<string>((await tw.api('GET', '/api/runs')).body.map((r: { id: string }) => r.id));
    const answer = tw.api('POST', '/api/runs', { patternId: PATTERN });
    const runId = await waitUntil(
      async () => {
        const runs = (await tw.api('GET', '/api/runs')).body as Array<{ id: string }>;
        return runs.find((r) => !before.has(r.id))?.id;
      },
      { intervalMs: 5, what: 'the new run to be listed' },
    );
    return { runId, answer };
  };

  it('a throw at load is still refused, and the starting run ends up with the last good code', async () => {
    const { runId, answer } = await startWithoutWaiting();
    const { content, line } = withThrowAtLoad();
    const res = await tw.saveFile(BREAKER_FILE, content);
    expect422(res, line, /boom/);
    expect((await answer).status).toBe(201);
    await tw.stopRun(runId);
    const info = (await tw.api('GET', `/api/runs/${runId}`)).body;
    expect(info.versions[BREAKER_FILE]).toBe((await fileState()).goodVersion);
  });

  it('a good save reaches the starting run too', async () => {
    const { runId, answer } = await startWithoutWaiting();
    const res = await tw.saveFile(BREAKER_FILE, withThreshold(6));
    expect(res.status, res.text).toBe(200);
    expect(res.body.deployedTo).toContain(runId);
    expect((await answer).status).toBe(201);
    await tw.waitForEvent(runId, is('run.deployed', (e) => e.version === res.body.version), { what: 'run.deployed' });
    expect((await tw.api('GET', `/api/runs/${runId}`)).body.versions[BREAKER_FILE]).toBe(res.body.version);
  });
});

describe('saves and params changes that race', { timeout: SLOW }, () => {
  let runId: string;
  beforeAll(async () => {
    runId = await tw.startRun();
  }, SLOW);

  const versionOf = async (): Promise<number> => (await tw.api('GET', `/api/runs/${runId}`)).body.versions[BREAKER_FILE];
  /** The consecutive-failures threshold the run's code really uses: fail payments, count failures until the circuit opens. */
  const runningThreshold = async (): Promise<number> => {
    const feed = tw.feed(runId);
    const after = await feed.mark();
    expect((await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { errorRate: 1 })).status).toBe(200);
    const opened = await feed.waitFor(is('log', (e) => e.msg.startsWith('payments circuit opened')), { after, what: 'the circuit opening' });
    expect((await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { enabled: false })).status).toBe(200);
    return opened.event.fields.failures as number;
  };

  it('concurrent saves reach the run in the order they were stored: it ends on the latest version', async () => {
    for (let round = 0; round < 4; round++) {
      const [a, b] = await Promise.all([tw.saveFile(BREAKER_FILE, withThreshold(2)), tw.saveFile(BREAKER_FILE, withThreshold(7))]);
      expect(a.status, a.text).toBe(200);
      expect(b.status, b.text).toBe(200);
      const latest = Math.max(a.body.version, b.body.version);
      expect((await fileState()).goodVersion).toBe(latest);
      expect(await versionOf(), `round ${round}`).toBe(latest);
    }
    // The last round's latest version is the code that runs.
    const state = await fileState();
    const threshold = state.content === withThreshold(2) ? 2 : 7;
    const failures = await runningThreshold();
    expect(failures).toBeGreaterThanOrEqual(threshold);
    expect(failures).toBeLessThanOrEqual(threshold + 1);
  });

  it('a params change racing a save leaves the run on the saved code, with the new values', async () => {
    for (let round = 0; round < 4; round++) {
      const threshold = round % 2 === 0 ? 2 : 7;
      const [saved, params] = await Promise.all([
        tw.saveFile(BREAKER_FILE, withThreshold(threshold)),
        tw.api('PUT', `/api/runs/${runId}/params`, { callTimeoutMs: 900 + round }),
      ]);
      expect(saved.status, saved.text).toBe(200);
      expect(params.status, params.text).toBe(200);
      const info = (await tw.api('GET', `/api/runs/${runId}`)).body;
      expect(info.versions[BREAKER_FILE]).toBe(saved.body.version);
      expect(info.params.callTimeoutMs).toBe(900 + round);
      const failures = await runningThreshold();
      expect(failures, `round ${round}`).toBeGreaterThanOrEqual(threshold);
      expect(failures, `round ${round}`).toBeLessThanOrEqual(threshold + 1);
    }
  });
});
