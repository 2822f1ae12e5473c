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

const makeEvent = (t: number): TelemetryEvent => ({ type: 'log', t, runId: 'r1', level: 'info', msg: `at ${t}`, fields: {} });

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
