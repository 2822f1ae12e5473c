/**
 * ctx.db in a live run: the run's database is opened (by a database process of
 * its own) in the run's own folder; the rows outlive a redeploy and a params
 * change; the folder is gone once the run has stopped.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../patterns/kit/index.ts';
import { healthySpec } from '../../patterns/kit/index.ts';
import { compileLab } from '../sandbox/compile.ts';
import { Store } from '../store/store.ts';
import { dbCounterLab } from './__fixtures__/db-counter-lab.ts';
import { RunHost } from './run-host.ts';

const rootDir = join(import.meta.dirname, '..', '..');
const patternDir = join(import.meta.dirname, '__fixtures__');
const kitDir = join(rootDir, 'patterns', 'kit');
const storeDir = mkdtempSync(join(tmpdir(), 'wb-run-db-'));
const store = new Store(join(storeDir, 'workbench.db'));
afterAll(() => {
  store.close();
  rmSync(storeDir, { recursive: true, force: true });
});

const compile = async (version: number) => {
  const compiled = await compileLab({
    patternDir,
    entry: 'db-counter-live.ts',
    kitDir,
    rootDir,
    overrides: { 'db-counter-live.ts': `import { dbCounterModule } from './db-counter-lab.ts';\nexport const { start } = dbCounterModule(${version});\n` },
  });
  if (!compiled.ok) throw new Error(compiled.errors[0]!.message);
  return compiled.url;
};

/** Resolves with the first recorded event that `matches`. */
const waitFor = (events: TelemetryEvent[], matches: (e: TelemetryEvent) => boolean, what: string, { from = 0, ms = 10_000 } = {}) =>
  new Promise<TelemetryEvent>((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const found = events.slice(from).find(matches);
      if (found) return resolve(found);
      if (Date.now() - started > ms) return reject(new Error(`no ${what} within ${ms} ms`));
      setTimeout(poll, 20);
    };
    poll();
  });

const servedBy = (prefix: string) => (e: TelemetryEvent) =>
  e.type === 'request' && e.direction === 'inbound' && e.outcome === 'ok' && e.target.startsWith(prefix);

describe('ctx.db in a live run', () => {
  it('keeps the rows across a redeploy and a params change, and removes the run folder when it stops', async () => {
    const id = 'dbtest' + process.pid;
    store.createRun({ id, patternId: 'fixtures', lab: dbCounterLab.id, seed: 5 });
    const host = new RunHost({
      id,
      patternId: 'fixtures',
      lab: dbCounterLab,
      patternDir,
      rootDir,
      seed: 5,
      params: { label: 'a' },
      faults: { database: healthySpec() },
      load: { model: 'open', rate: 50 },
      versions: {},
      bundleUrl: await compile(1),
      store,
    });
    const events: TelemetryEvent[] = [];
    host.subscribe((batch) => events.push(...batch));
    try {
      expect(await host.started).toBe(true);
      const folder = host.folder;
      expect(existsSync(join(folder, 'lab.sqlite'))).toBe(true);

      await waitFor(events, servedBy('v1:3'), 'a third request on version 1');
      expect(events.some((e) => e.type === 'sql' && e.statement.startsWith('INSERT INTO hits') && e.rows === 1)).toBe(true);

      expect(await host.deploy(await compile(2), 'db-counter-live.ts', 1)).toBeUndefined();
      const first = (await waitFor(events, servedBy('v2:'), 'a request on version 2')) as Extract<TelemetryEvent, { type: 'request' }>;
      // The count goes on from the rows version 1 wrote: same database, new code.
      expect(Number(first.target.split(':')[1])).toBeGreaterThan(3);

      expect(await host.setParams({ label: 'b' })).toBeUndefined();
      const next = (await waitFor(events, servedBy('v2:'), 'a request after the params change', { from: events.length })) as Extract<
        TelemetryEvent,
        { type: 'request' }
      >;
      expect(Number(next.target.split(':')[1])).toBeGreaterThan(Number(first.target.split(':')[1]));

      await host.stop();
      expect(existsSync(folder)).toBe(false);
    } finally {
      await host.stop();
    }
  }, 30_000);
});
