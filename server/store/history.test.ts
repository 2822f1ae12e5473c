/**
 * The database does not grow without bound: the events of stopped runs are
 * kept within a total size (the oldest runs' go first, the runs stay listed),
 * the file gives freed pages back, and exercise attempts are kept to the newest
 * N per exercise.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../patterns/kit/index.ts';
import { Store } from './store.ts';
import { tempStores } from './testing.ts';

const MB = 1024 * 1024;
const { tempDb, open, cleanup } = tempStores('wb-history-');
afterEach(cleanup);

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/** A request event as labs record them by the thousand (about 190 bytes of JSON). */
const request = (runId: string, i: number) =>
  ({
    type: 'request',
    t: i * 3.7,
    runId,
    id: `req-${i}`,
    direction: 'outbound',
    target: 'payments',
    outcome: i % 7 === 0 ? 'error' : 'ok',
    status: i % 7 === 0 ? 503 : 200,
    durationMs: 12.5 + (i % 13),
    attempt: 1,
  }) as unknown as TelemetryEvent;

/** Records a run the way a live run does: batches of 100 events, then its end. */
const recordRun = (store: Store, id: string, events: number) => {
  store.createRun({ id, patternId: 'p', lab: 'l', seed: 1 });
  for (let i = 0; i < events; i += 100) {
    store.appendEvents(id, Array.from({ length: Math.min(100, events - i) }, (_, j) => request(id, i + j)));
  }
};

describe('bounded history', () => {
  it('keeps the events of stopped runs within the bound, oldest runs first, and the file stays small', () => {
    const path = tempDb();
    const bound = 2 * MB;
    const store = open(path, { owner: true, historyBytes: bound });
    const ids = Array.from({ length: 40 }, (_, i) => `run-${String(i).padStart(2, '0')}`);
    let largestFile = 0;
    let largestWal = 0;
    let runBytes = 0;
    for (const id of ids) {
      recordRun(store, id, 2500);
      runBytes = Math.max(runBytes, store.getRun(id)!.eventBytes);
      largestFile = Math.max(largestFile, fileSize(path));
      store.finishRun(id, 'stopped');
      largestFile = Math.max(largestFile, fileSize(path));
      largestWal = Math.max(largestWal, fileSize(`${path}-wal`));
    }
    // 40 runs of about 0.4 MB each: 16 MB written. The documented slack (README): the file stays
    // within 1.5 × (history bound + live runs' events) + 1 MB, the WAL within its 16 MB limit.
    expect(runBytes).toBeGreaterThan(0.35 * MB);
    expect(largestFile).toBeLessThan(1.5 * (bound + runBytes) + MB);
    expect(largestWal).toBeLessThanOrEqual(16 * MB + 64 * 1024);

    const runs = store.listRuns(undefined, 100);
    // Every run is still listed, with how many events it recorded.
    expect(runs.map((r) => r.id).sort()).toEqual(ids);
    expect(runs.every((r) => r.eventCount === 2500)).toBe(true);
    const kept = runs.filter((r) => !r.eventsPruned);
    const keptBytes = kept.reduce((sum, r) => sum + r.eventBytes, 0);
    expect(keptBytes).toBeLessThanOrEqual(bound);
    expect(keptBytes).toBeGreaterThan(bound - runBytes);
    // The newest runs kept their events; the older ones lost theirs and say so.
    const newestFirst = [...ids].reverse();
    expect(kept.map((r) => r.id).sort()).toEqual(newestFirst.slice(0, kept.length).sort());
    expect(store.countEvents(ids.at(-1)!)).toBe(2500);
    expect(store.readEvents(ids.at(-1)!, { limit: 1 })[0]?.event).toMatchObject({ type: 'request', id: 'req-0' });
    expect(store.getRun(ids[0]!)).toMatchObject({ eventsPruned: true, eventBytes: 0, eventCount: 2500 });
    expect(store.countEvents(ids[0]!)).toBe(0);
  });

  it('never prunes a live run, and prunes again at start-up with a smaller bound', () => {
    const path = tempDb();
    const store = open(path, { owner: true, historyBytes: 100 * MB });
    recordRun(store, 'old', 1000);
    store.finishRun('old', 'stopped');
    recordRun(store, 'newer', 1000);
    store.finishRun('newer', 'error', 'boom');
    recordRun(store, 'live', 3000);
    store.close();

    const reopened = open(path, { owner: true, historyBytes: 200 * 1024 });
    expect(reopened.pruneHistory()).toBe(1);
    expect(reopened.getRun('old')?.eventsPruned).toBe(true);
    expect(reopened.countEvents('newer')).toBe(1000);
    expect(reopened.countEvents('live')).toBe(3000);
    // Nothing more to do the second time.
    expect(reopened.pruneHistory()).toBe(0);
    // With no room at all, every stopped run's events go, and still not the live one's.
    const none = open(tempDb(), { historyBytes: 0 });
    recordRun(none, 'a', 200);
    none.finishRun('a', 'stopped');
    recordRun(none, 'b', 200);
    expect(none.countEvents('a')).toBe(0);
    expect(none.countEvents('b')).toBe(200);
  });

  it('counts the bytes of a run\'s events exactly, through the per-run bound too', () => {
    const path = tempDb();
    const store = open(path, { maxEventsPerRun: 300 });
    recordRun(store, 'r1', 1000);
    const tool = new Database(path, { readonly: true });
    try {
      const { bytes } = tool.prepare("SELECT SUM(octet_length(data)) AS bytes FROM run_events WHERE run_id = 'r1'").get() as { bytes: number };
      expect(store.getRun('r1')?.eventBytes).toBe(bytes);
      expect(store.countEvents('r1')).toBeLessThan(1000);
    } finally {
      tool.close();
    }
  });

  it('keeps the newest attempts of each exercise; progress still counts them all', () => {
    const path = tempDb();
    const store = open(path, { maxAttemptsPerExercise: 5 });
    for (let i = 1; i <= 12; i++) {
      store.progress.recordAttempt({ exerciseId: 'a', code: `attempt ${i}`, status: 'fail', results: { i }, tasksPassed: [] });
    }
    store.progress.recordAttempt({ exerciseId: 'b', code: 'b1', status: 'pass', results: {}, tasksPassed: [1] });
    expect(store.progress.attemptCount('a')).toBe(5);
    expect(store.progress.attemptCount('b')).toBe(1);
    expect(store.progress.lastAttempt('a')?.code).toBe('attempt 12');
    expect(store.progress.get('a')?.attempts).toBe(12);
    store.close();

    // A smaller bound applies to what is already there at the next start.
    const reopened = open(path, { owner: true, maxAttemptsPerExercise: 2 });
    reopened.pruneHistory();
    expect(reopened.progress.attemptCount('a')).toBe(2);
    expect(reopened.progress.lastAttempt('a')?.code).toBe('attempt 12');
  });
});
