import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../patterns/kit/index.ts';
import { migrations } from './migrations.ts';
import { Store } from './store.ts';

const dirs: string[] = [];
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-store-'));
  dirs.push(dir);
  return join(dir, 'nested', 'workbench.db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const makeEvent = (t: number): TelemetryEvent => ({ type: 'log', t, runId: 'r1', seq: t, level: 'info', msg: `at ${t}`, fields: {} });

describe('Store', () => {
  it('creates its folder, migrates to the latest schema and reopens without migrating again', () => {
    const path = tempDb();
    const store = new Store(path);
    expect(store.schemaVersion).toBe(migrations.length);
    store.setSetting('theme', { mode: 'dark' });
    store.close();
    const again = new Store(path);
    expect(again.schemaVersion).toBe(migrations.length);
    expect(again.getSetting('theme')).toEqual({ mode: 'dark' });
    again.close();
  });

  it('numbers file versions per file and keeps the last good one apart from the latest', () => {
    const store = new Store(tempDb());
    const v1 = store.saveFileVersion({ patternId: 'p', file: 'a.ts', content: 'one', origin: 'saved' });
    const v2 = store.saveFileVersion({
      patternId: 'p',
      file: 'a.ts',
      content: 'two(',
      origin: 'saved',
      error: { message: 'Expected ")"', file: 'a.ts', line: 1, column: 4 },
    });
    store.saveFileVersion({ patternId: 'p', file: 'b.ts', content: 'other', origin: 'saved' });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(store.latestFileVersion('p', 'a.ts')?.content).toBe('two(');
    expect(store.latestGoodFileVersion('p', 'a.ts')?.content).toBe('one');
    expect(store.listFileVersions('p', 'a.ts').map((v) => [v.version, v.error?.line ?? null])).toEqual([
      [2, 1],
      [1, null],
    ]);
    store.close();
  });

  it('records events in order and prunes the oldest beyond the per-run bound', () => {
    const store = new Store(tempDb(), { maxEventsPerRun: 100 });
    store.createRun({ id: 'r1', patternId: 'p', lab: 'l', seed: 1 });
    for (let batch = 0; batch < 30; batch++) {
      store.appendEvents('r1', Array.from({ length: 10 }, (_, i) => makeEvent(batch * 10 + i)));
    }
    expect(store.getRun('r1')?.eventCount).toBe(300);
    const kept = store.countEvents('r1');
    expect(kept).toBeGreaterThanOrEqual(100);
    expect(kept).toBeLessThanOrEqual(120);
    const events = store.readEvents('r1', { fromT: 250 });
    expect(events.map((e) => e.event.t)).toEqual(Array.from({ length: 50 }, (_, i) => 250 + i));
    store.close();
  });

  it('stores each event under its own seq (gaps where the recorder dropped some), numbering those without one after the last', () => {
    const store = new Store(tempDb());
    store.createRun({ id: 'r1', patternId: 'p', lab: 'l', seed: 1 });
    store.appendEvents('r1', [makeEvent(0), makeEvent(1)]);
    store.appendEvents('r1', [makeEvent(5), makeEvent(6)]); // 2 to 4 were dropped
    const { seq: _seq, ...unnumbered } = makeEvent(7);
    store.appendEvents('r1', [unnumbered as TelemetryEvent]);
    const rows = store.readEvents('r1');
    expect(rows.map((r) => r.seq)).toEqual([0, 1, 5, 6, 7]);
    expect(rows.map((r) => r.event.seq)).toEqual([0, 1, 5, 6, 7]);
    expect(store.getRun('r1')?.eventCount).toBe(8);
    expect(store.eventSeqRange('r1')).toEqual({ first: 0, last: 7 });
    store.close();
  });

  it('pages events both ways: after and before a seq, oldest or newest first', () => {
    const store = new Store(tempDb());
    store.createRun({ id: 'r1', patternId: 'p', lab: 'l', seed: 1 });
    store.appendEvents('r1', Array.from({ length: 50 }, (_, i) => makeEvent(i)));
    const seqs = (rows: Array<{ seq: number }>) => rows.map((r) => r.seq);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

    expect(seqs(store.readEvents('r1', { limit: 5 }))).toEqual(range(0, 4));
    expect(seqs(store.readEvents('r1', { afterSeq: 4, limit: 5 }))).toEqual(range(5, 9));
    expect(seqs(store.readEvents('r1', { newestFirst: true, limit: 5 }))).toEqual(range(45, 49).reverse());
    expect(seqs(store.readEvents('r1', { newestFirst: true, beforeSeq: 45, limit: 5 }))).toEqual(range(40, 44).reverse());
    expect(seqs(store.readEvents('r1', { afterSeq: 10, beforeSeq: 15 }))).toEqual(range(11, 14));
    expect(seqs(store.readEvents('r1', { afterSeq: 10, beforeSeq: 15, newestFirst: true, limit: 2 }))).toEqual([14, 13]);
    expect(store.readEvents('r1', { beforeSeq: 0 })).toEqual([]);
    store.appendEvents('r1', [{ type: 'circuit.state', t: 50, runId: 'r1', seq: 50, name: 'c', from: 'closed', to: 'open' }]);
    expect(seqs(store.readEvents('r1', { types: ['circuit.state'], newestFirst: true }))).toEqual([50]);
    expect(seqs(store.readEvents('r1', { types: ['circuit.state', 'log'], beforeSeq: 50, newestFirst: true, limit: 2 }))).toEqual([49, 48]);

    // Paging back from the newest to the oldest visits every event once.
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = store.readEvents('r1', { newestFirst: true, limit: 7, ...(before !== undefined && { beforeSeq: before }) });
      if (page.length === 0) break;
      seen.push(...seqs(page));
      before = page.at(-1)!.seq;
    }
    expect(seen).toEqual(range(0, 50).reverse());
    store.close();
  });

  it('marks runs left running by a dead workbench as stopped', () => {
    const path = tempDb();
    const store = new Store(path);
    store.createRun({ id: 'r1', patternId: 'p', lab: 'l', seed: 1 });
    store.close();
    const again = new Store(path);
    expect(again.closeAbandonedRuns()).toBe(1);
    expect(again.getRun('r1')?.status).toBe('stopped');
    again.close();
  });
});
