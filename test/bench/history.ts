/**
 * A day of heavy use, for the database's bound: runs of 100,000 request-sized
 * events each, stopped one after another through the real Store with the
 * default history bound (200 MB). Prints the file's size as runs accumulate
 * and how long the next start's open takes (ownership lock, quick_check,
 * migrations, prune). `WORKBENCH_BENCH_RUNS` sets the number of runs (default 120).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TelemetryEvent } from '../../patterns/kit/index.ts';
import { Store } from '../../server/store/store.ts';
import type { BenchResult } from './result.ts';

const EVENTS_PER_RUN = 100_000;
const BATCH = 1000;

/** A `request` event as the circuit-breaker lab records one (about 200 bytes of JSON). */
const requestEvent = (runId: string, seq: number): TelemetryEvent =>
  ({
    type: 'request',
    t: seq,
    seq,
    runId,
    id: `load-${seq}`,
    direction: 'inbound',
    target: 'POST /checkout',
    outcome: seq % 7 ? 'ok' : 'error',
    status: seq % 7 ? 200 : 503,
    durationMs: 12.345,
    attempt: 1,
  }) as unknown as TelemetryEvent;

export const benchHistory = async (): Promise<BenchResult[]> => {
  const runs = Number(process.env.WORKBENCH_BENCH_RUNS ?? 120);
  const dir = mkdtempSync(join(tmpdir(), 'wb-bench-history-'));
  const path = join(dir, 'workbench.db');
  const results: BenchResult[] = [];
  try {
    let store = new Store(path, { owner: true });
    let peak = 0;
    const started = performance.now();
    for (let r = 0; r < runs; r++) {
      const id = `run-${r}`;
      store.createRun({ id, patternId: 'circuit-breaker', lab: 'payments', seed: 1 });
      for (let from = 0; from < EVENTS_PER_RUN; from += BATCH) {
        store.appendEvents(id, Array.from({ length: BATCH }, (_, i) => requestEvent(id, from + i)));
      }
      store.finishRun(id, 'stopped');
      store.pruneHistory();
      peak = Math.max(peak, statSync(path).size);
      if ((r + 1) % 20 === 0) console.log(`  after ${r + 1} runs (${((r + 1) * EVENTS_PER_RUN).toLocaleString()} events): ${(statSync(path).size / 1e6).toFixed(0)} MB`);
    }
    const writeSeconds = (performance.now() - started) / 1000;
    store.close();
    const openStarted = performance.now();
    store = new Store(path, { owner: true });
    const openMs = performance.now() - openStarted;
    store.close();
    results.push(
      { name: `file size after ${runs} runs of ${EVENTS_PER_RUN.toLocaleString()} events (peak)`, value: peak / 1e6, unit: 'MB', note: 'history bound 200 MB' },
      { name: 'recording throughput through the store', value: (runs * EVENTS_PER_RUN) / writeSeconds, unit: 'events/s' },
      { name: 'next start: open, lock, quick_check, prune', value: openMs, unit: 'ms' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
};
