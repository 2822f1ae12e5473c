/**
 * `npm run bench`: every benchmark, each measured against its reference
 * libraries in the same run, printed as figures and ratios. Speed goals live
 * here, never in pass/fail tests.
 */
import { benchBreaker } from './breaker.ts';
import { benchBrowser } from './browser.ts';
import { benchHistory } from './history.ts';
import { benchLoad } from './load.ts';
import { benchQueue } from './queue.ts';
import { benchRepository } from './repository.ts';
import { benchSandbox } from './sandbox.ts';
import { benchSoak } from './soak.ts';
import type { BenchResult } from './result.ts';

const suites: Array<[string, () => Promise<BenchResult[]>]> = [
  ['circuit breaker: per-call overhead', benchBreaker],
  ['load generator: top throughput', benchLoad],
  ['database: a day of runs within the history bound', benchHistory],
  ['sandbox: run start, checks and saves', benchSandbox],
  ['repository: OFFSET vs key paging, N+1 vs join, over 100,000 users', benchRepository],
  ['job queue: the embedded SQLite engine against BullMQ on Redis', benchQueue],
  // Headless Chromium on the Lab tab (`npm run bench -- browser`); skipped, saying so, where no Chromium is found.
  ['browser: drawing a lab at 1,000 req/s', benchBrowser],
  // Ten minutes: only when asked for (`npm run bench -- soak`).
  ['soak: memory at 1,000 req/s with half the calls failing', benchSoak],
];

const only = process.argv.slice(2);
const all: Array<BenchResult & { suite: string }> = [];
for (const [suite, run] of suites) {
  if (only.length > 0 ? !only.some((word) => suite.includes(word)) : suite.startsWith('soak')) continue;
  console.log(`\n== ${suite}`);
  for (const result of await run()) all.push({ ...result, suite });
}

console.log('\n== summary');
console.table(
  all.map((r) => ({ suite: r.suite, name: r.name, value: Number(r.value.toPrecision(4)), unit: r.unit, note: r.note ?? '' })),
);
