/**
 * Recording never takes the workbench down: while the database refuses writes
 * (a lock held elsewhere, a full disk), events wait briefly, then are dropped
 * and counted; all runs back off together; the log says so once per episode;
 * recording resumes by itself. On virtual time, with a store double that
 * refuses writes on demand; then against a real lock on a real file.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from 'pino';
import type { TelemetryEvent } from '../../patterns/kit/index.ts';
import { errorResponse } from '../http/errors.ts';
import { DatabaseBusyError } from './errors.ts';
import { RunRecorder, WriteHealth } from './recorder.ts';
import { Store } from './store.ts';

const FILE = '/home/learner/.patterns-workbench/workbench.db';
const busy = () => Object.assign(new Error(`the database is busy: another program holds a lock on ${FILE}`), { code: 'SQLITE_BUSY' });
const log = (i: number): TelemetryEvent => ({ type: 'log', t: i, runId: 'r', seq: i, level: 'info', msg: `event ${i}`, fields: {} });
const batch = (from: number, size = 10) => Array.from({ length: size }, (_, i) => log(from + i));

/** The parts of Store a recorder uses, refusing writes while `refusing` is set. */
const storeDouble = () => {
  const logger = { warn: vi.fn(), info: vi.fn() };
  const double = {
    refusing: false as false | (() => Error),
    attempts: 0,
    stored: new Map<string, TelemetryEvent[]>(),
    finished: new Map<string, string>(),
    logger,
    writes: new WriteHealth({ file: FILE, log: logger as unknown as Logger, retryMs: 1000 }),
    appendEvents(runId: string, events: readonly TelemetryEvent[]) {
      double.attempts++;
      if (double.refusing) throw double.refusing();
      double.stored.set(runId, [...(double.stored.get(runId) ?? []), ...events]);
    },
    finishRun(runId: string, status: string) {
      double.attempts++;
      if (double.refusing) throw double.refusing();
      double.finished.set(runId, `${status} after ${double.stored.get(runId)?.length ?? 0} events`);
    },
  };
  return double;
};
const recorderOn = (double: ReturnType<typeof storeDouble>, runId = 'r', options = {}) =>
  new RunRecorder(double as unknown as Store, runId, options);

describe('RunRecorder on virtual time', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('while writes fail, events wait up to the bound, then are dropped and counted; it resumes by itself', () => {
    const store = storeDouble();
    const recorder = recorderOn(store);
    recorder.add(batch(0));
    expect(recorder.state()).toEqual({ stored: 10, dropped: 0, pending: 0, lastError: null });

    // A lock for 5 s, while the run sends a batch every 100 ms.
    store.refusing = busy;
    let next = 10;
    for (let tick = 0; tick < 50; tick++) {
      expect(() => recorder.add(batch(next))).not.toThrow();
      next += 10;
      vi.advanceTimersByTime(100);
    }
    const during = recorder.state();
    expect(during.lastError).toContain('the database is busy');
    expect(during.dropped).toBeGreaterThan(0);
    // At most two seconds' worth waits.
    expect(during.pending).toBeLessThanOrEqual(21 * 10);
    expect(during.stored + during.dropped + during.pending).toBe(next);
    // One attempt per second, not one per batch: each blocked attempt blocks the server.
    expect(store.attempts).toBeLessThanOrEqual(1 + 6);
    // One warning for the episode.
    expect(store.logger.warn).toHaveBeenCalledTimes(1);
    expect(store.logger.warn.mock.calls[0]![1]).toContain('recording telemetry failed: the database is busy');

    // The lock goes; within a second what waited is stored, without new events to trigger it.
    store.refusing = false;
    vi.advanceTimersByTime(1000);
    const after = recorder.state();
    expect(after.pending).toBe(0);
    expect(after.stored + after.dropped).toBe(next);
    expect(after.lastError).toContain('the database is busy');
    expect(store.logger.info).toHaveBeenCalledTimes(1);
    expect(store.logger.info.mock.calls[0]![0]).toMatchObject({ dropped: after.dropped });
    expect(store.logger.info.mock.calls[0]![1]).toMatch(/^recording telemetry recovered after [\d.]+ s; \d+ events could not be stored$/);
    // The stored events are the first ones and the newest ones, in order.
    const stored = store.stored.get('r')!.map((e) => e.t);
    expect(stored).toEqual([...stored].sort((a, b) => a - b));
    expect(stored.at(-1)).toBe(next - 1);

    recorder.add(batch(next));
    expect(recorder.state().stored).toBe(after.stored + 10);
    // A new episode is a new warning.
    store.refusing = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    recorder.add(batch(next + 10));
    expect(store.logger.warn).toHaveBeenCalledTimes(2);
    expect(recorder.state().lastError).toBe('database or disk is full');
  });

  it('bounds what waits by size too, oldest dropped first', () => {
    const store = storeDouble();
    const recorder = recorderOn(store, 'r', { maxPendingEvents: 100 });
    store.refusing = busy;
    for (let i = 0; i < 30; i++) recorder.add(batch(i * 10));
    expect(recorder.state()).toMatchObject({ pending: 100, dropped: 200, stored: 0 });
    store.refusing = false;
    vi.advanceTimersByTime(1000);
    expect(store.stored.get('r')!.map((e) => e.t)).toEqual(Array.from({ length: 100 }, (_, i) => 200 + i));
  });

  it("the run's end is stored after its events, retried until the database takes it", () => {
    const store = storeDouble();
    const recorder = recorderOn(store);
    store.refusing = busy;
    recorder.add(batch(0));
    recorder.finish('stopped');
    recorder.finish('error', 'ignored: the first end counts');
    expect(store.finished.size).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(store.finished.size).toBe(0);
    store.refusing = false;
    vi.advanceTimersByTime(1000);
    // The events waited longer than the bound, so they were dropped; the end is still stored.
    expect(store.finished.get('r')).toBe('stopped after 0 events');
    expect(recorder.state()).toMatchObject({ dropped: 10, pending: 0 });
  });

  it('all runs back off together: one blocked attempt per interval, whatever the number of runs', () => {
    const store = storeDouble();
    const recorders = Array.from({ length: 8 }, (_, i) => recorderOn(store, `r${i}`));
    store.refusing = busy;
    for (let tick = 0; tick < 30; tick++) {
      for (const recorder of recorders) recorder.add(batch(tick * 10));
      vi.advanceTimersByTime(100);
    }
    expect(store.attempts).toBeLessThanOrEqual(4);
    expect(store.logger.warn).toHaveBeenCalledTimes(1);
    store.refusing = false;
    vi.advanceTimersByTime(1000);
    for (const recorder of recorders) expect(recorder.state().pending).toBe(0);
    expect(store.logger.info).toHaveBeenCalledTimes(1);
  });

  it('stops retrying once the store is closed', () => {
    const store = storeDouble();
    const recorder = recorderOn(store);
    store.refusing = busy;
    recorder.add(batch(0));
    store.writes.close();
    const attempts = store.attempts;
    vi.advanceTimersByTime(10_000);
    expect(store.attempts).toBe(attempts);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a real lock held by another connection', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-recorder-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write gives up after a short wait with a 503-worthy error naming the file; reads go on; recording waits', () => {
    const path = join(dir, 'workbench.db');
    const store = new Store(path);
    const other = new Database(path);
    try {
      store.createRun({ id: 'r1', patternId: 'p', lab: 'l', seed: 1 });
      const recorder = new RunRecorder(store, 'r1');
      recorder.add(batch(0));
      other.exec('BEGIN IMMEDIATE');

      const started = performance.now();
      let error: unknown;
      try {
        store.saveFileVersion({ patternId: 'p', file: 'a.ts', content: 'x', origin: 'saved' });
      } catch (caught) {
        error = caught;
      }
      // Not the 5 s it used to wait, with the whole server frozen.
      expect(performance.now() - started).toBeLessThan(1000);
      expect(error).toBeInstanceOf(DatabaseBusyError);
      expect(errorResponse(error)).toEqual({
        status: 503,
        body: { error: { status: 503, message: `the database is busy: another program holds a lock on ${path}; try again in a moment` } },
      });
      // Reads are not blocked by a writer (WAL).
      expect(store.getRun('r1')?.status).toBe('running');

      expect(() => recorder.add(batch(10))).not.toThrow();
      expect(() => recorder.finish('stopped')).not.toThrow();
      expect(recorder.state()).toMatchObject({ stored: 10, pending: 10 });
      expect(recorder.state().lastError).toContain(`another program holds a lock on ${path}`);
      expect(store.writes.failing).toBe(true);
    } finally {
      other.exec('ROLLBACK');
      other.close();
      store.close();
    }
  });
});
