/**
 * The database cannot take the workbench down. A real workbench over HTTP:
 * another connection holds a lock on its database for 8 s while a run goes
 * (the API keeps answering quickly, the run and its live stream go on, what
 * could not be stored is counted, recording resumes); a second workbench on
 * the same file is refused and the first is untouched; files that are not a
 * workbench database, or are damaged, are refused at start by the real CLI.
 */
import Database from 'better-sqlite3';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TelemetryBatch } from '../../patterns/kit/index.ts';
import { startWorkbench } from '../../server/app.ts';
import { Store } from '../../server/store/store.ts';
import { BREAKER_FILE, collectExit, SLOW, spawnMain, startTestWorkbench, TOKEN, waitUntil, type TestWorkbench } from './helpers.ts';

const LOCK_MS = 8000;

const workbenches: TestWorkbench[] = [];
afterEach(async () => {
  for (const tw of workbenches.splice(0)) await tw.close();
}, SLOW);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-database-'));
  dirs.push(dir);
  return dir;
};

describe('the database cannot take the workbench down', { timeout: SLOW }, () => {
  it('a lock held elsewhere for 8 s: the API answers quickly, the run goes on, drops are counted, recording resumes', async () => {
    const tw = await startTestWorkbench();
    workbenches.push(tw);
    const runId = await tw.startRun();
    const feed = tw.feed(runId);
    await feed.waitFor((e) => e.type === 'request', { what: 'a recorded request' });
    const live: Array<{ at: number; batch: TelemetryBatch }> = [];
    const socket = tw.openLive(runId);
    socket.on('message', (data) => live.push({ at: performance.now(), batch: JSON.parse(String(data)) as TelemetryBatch }));
    await waitUntil(() => live.length > 0, { what: 'a first live batch' });
    const storedBefore = (await tw.api('GET', `/api/runs/${runId}`)).body.recording.stored as number;
    expect(storedBefore).toBeGreaterThan(0);

    // Another program takes the write lock (like a long write from the sqlite3 tool) and keeps it 8 s.
    const other = new Database(tw.dbPath);
    other.exec('BEGIN EXCLUSIVE');
    const lockedAt = performance.now();
    let releasedAt = 0;
    const release = new Promise<void>((resolve) =>
      setTimeout(() => {
        other.exec('COMMIT');
        other.close();
        releasedAt = performance.now();
        resolve();
      }, LOCK_MS),
    );
    let released = false;
    void release.then(() => (released = true));

    try {
      // While it holds: every call is answered, and quickly (the server is not frozen).
      const timings: Array<{ path: string; ms: number }> = [];
      let saveAnswer: { status: number; body: any } | undefined;
      while (!released) {
        for (const path of [`/api/runs/${runId}`, '/api/patterns', `/api/runs/${runId}/events?after=-1&limit=10`]) {
          const started = performance.now();
          const res = await tw.api('GET', path);
          timings.push({ path, ms: performance.now() - started });
          if (!released) expect(res.status, `${path}: ${res.text}`).toBe(200);
          if (path === `/api/runs/${runId}` && !released) expect(res.body).toMatchObject({ state: 'running', live: true });
        }
        // A save needs the write lock: a clear 503, not a 500 (and not a 5 s wait).
        if (!saveAnswer) {
          const reference = await tw.reference(BREAKER_FILE);
          const res = await tw.saveFile(BREAKER_FILE, `${reference}\n// saved while the database is locked\n`);
          if (!released) saveAnswer = res;
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      timings.sort((a, b) => b.ms - a.ms);
      expect(timings.length).toBeGreaterThan(10);
      // Generous for a loaded 2-core machine: a write waits at most 100 ms for the lock, and
      // recording tries once a second (a write could wait 5 s, the whole server with it).
      expect(timings[0]!.ms, JSON.stringify(timings.slice(0, 3))).toBeLessThan(2000);
      expect(saveAnswer?.status, JSON.stringify(saveAnswer?.body)).toBe(503);
      expect(saveAnswer?.body.error.message).toMatch(/^the database is busy: another program holds a lock on .*workbench\.db/);

      // The live stream went on through the lock.
      const liveDuringLock = live.filter((l) => l.at > lockedAt + 1000 && l.at < releasedAt).flatMap((l) => l.batch.events);
      expect(liveDuringLock.some((e) => e.type === 'request')).toBe(true);

      // Recording resumes by itself: nothing waits any more, and what could not be stored is counted.
      const recovered = await waitUntil(
        async () => {
          const res = await tw.api('GET', `/api/runs/${runId}`);
          const { recording } = res.body as { recording: { stored: number; dropped: number; pending: number; lastError: string | null } };
          return recording.pending === 0 && recording.stored > storedBefore && recording.dropped > 0 && res.body;
        },
        { timeoutMs: 15_000, what: 'recording to recover' },
      );
      expect(recovered.state).toBe('running');
      expect(recovered.recording.lastError).toContain('the database is busy');
      // Events from after the lock are recorded.
      const lastLive = live.at(-1)!.batch.events.at(-1)!;
      await feed.waitFor((e) => e.t > lastLive.t && e.type === 'request', { what: 'a request recorded after the lock', timeoutMs: 15_000 });
      // Stored and dropped account for the events the run produced (the rest are still on their way).
      expect(recovered.recording.stored + recovered.recording.dropped).toBeGreaterThan(storedBefore);

      // And the run still stops cleanly, its end recorded.
      expect((await tw.api('DELETE', `/api/runs/${runId}`)).body.state).toBe('stopped');
      await waitUntil(() => tw.workbench.store.getRun(runId)?.status === 'stopped', { what: 'the stop to be recorded' });
    } finally {
      await release;
    }
  });

  it('a second workbench on the same file is refused, naming the owner; the first goes on recording', async () => {
    const first = await startTestWorkbench();
    workbenches.push(first);
    const runId = await first.startRun();
    const feed = first.feed(runId);
    await feed.waitFor((e) => e.type === 'request', { what: 'a recorded request' });
    const expected = `${first.dbPath} is in use by the workbench with pid ${process.pid} at ${first.origin}`;

    // In the same process (as tests start workbenches)…
    let second: Awaited<ReturnType<typeof startWorkbench>> | undefined;
    try {
      second = await startWorkbench({ port: 0, dbPath: first.dbPath, token: TOKEN, log: pino({ level: 'silent' }) });
    } catch (error) {
      expect((error as Error).message).toContain(expected);
      expect((error as Error).message).toContain('--db PATH');
    } finally {
      await second?.close();
    }
    expect(second, 'the second workbench started').toBeUndefined();

    // …and as its own process, through the CLI.
    const result = await collectExit(spawnMain(['--port', '0', '--no-open', '--db', first.dbPath]));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`The workbench could not start: ${expected}`);
    expect(result.stderr).toContain('--db PATH');
    expect(result.stdout).not.toContain('Workbench ready');

    // The first is untouched: its run is running, and still recording.
    const run = await first.api('GET', `/api/runs/${runId}`);
    expect(run.body).toMatchObject({ state: 'running', live: true, recording: { dropped: 0, lastError: null } });
    expect(first.workbench.store.getRun(runId)?.status).toBe('running');
    const mark = await feed.mark();
    await feed.waitFor((e) => e.type === 'request', { after: mark, what: 'a request recorded after the refusals' });
    // Other programs can still read the file.
    const reader = new Database(first.dbPath, { readonly: true });
    try {
      expect(reader.prepare('SELECT status FROM runs WHERE id = ?').get(runId)).toEqual({ status: 'running' });
    } finally {
      reader.close();
    }
  });
});

describe('a start that fails after the store is open', { timeout: SLOW }, () => {
  it('lets go of the file: the next workbench on it starts', async () => {
    const dbPath = join(tempDir(), 'workbench.db');
    const log = pino({ level: 'silent' });
    // A project root without patterns: the registry fails once the store is already open.
    await expect(startWorkbench({ port: 0, dbPath, token: TOKEN, log, rootDir: tempDir() })).rejects.toThrow();
    const workbench = await startWorkbench({ port: 0, dbPath, token: TOKEN, log });
    await workbench.close();
  });
});

describe('start-up refuses a file that is not a sound workbench database', { timeout: SLOW }, () => {
  const startOn = async (dbPath: string) => {
    const result = await collectExit(spawnMain(['--port', '0', '--no-open', '--db', dbPath]));
    expect(result.stdout).not.toContain('Workbench ready');
    expect(result.code, result.stderr).toBe(1);
    return result.stderr;
  };

  it('a file that is not a database', async () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'not a database\n'.repeat(200));
    expect(await startOn(path)).toContain(
      `The workbench could not start: ${path} is not a workbench database: move it aside or start with --db PATH\n`,
    );
  });

  it('a damaged database, found by a quick integrity check at start', async () => {
    const path = join(tempDir(), 'damaged.db');
    // A workbench database with some rows, its WAL folded in, then bytes overwritten in the middle
    // of a table page (past the page's header, over its cell pointers): SQLite still opens it.
    const store = new Store(path);
    store.createRun({ id: 'r1', patternId: 'p', lab: 'l', seed: 1 });
    for (let i = 0; i < 20; i++) {
      store.appendEvents('r1', Array.from({ length: 50 }, (_, j) => ({ type: 'log', t: i * 50 + j, runId: 'r1', level: 'info', msg: 'x'.repeat(100), fields: {} }) as never));
    }
    store.close();
    const db = new Database(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, Math.floor(statSync(path).size / pageSize / 2) * pageSize + 8);
    } finally {
      closeSync(fd);
    }
    const stderr = await startOn(path);
    expect(stderr).toContain(`The workbench could not start: ${path} is damaged (SQLite's quick check found: `);
    expect(stderr).toContain('move it aside or start with --db PATH');
  });
});
