/**
 * Inside a sandbox process: runs an exercise's checks against the learner's
 * code (already compiled into the bundle) and posts the results. Each check
 * gets a fresh virtual clock, so minutes of simulated time take milliseconds.
 * A check that never settles (waiting on something that never happens) is
 * stopped after a real-time limit and reported, rather than hanging.
 */
import type { Check } from '../../patterns/kit/index.ts';
import { CheckFailure, makeCheckContext } from '../../patterns/kit/index.ts';
import { RunDatabase } from '../runs/lab-database.ts';
import { describeThrown, endSandbox, engineData, importLab, locateError, sqlClient, toHost } from '../sandbox/guards.ts';
import type { CheckOutcome } from './results.ts';

const data = engineData<{ bundleUrl: string; checkTimeoutMs: number }>();
const module = await importLab<{ default?: Check[] }>(data.bundleUrl);
const checks = module.default ?? [];

// The checks' databases are kept by the server (sql-process.ts): statements go over IPC.
const sql = sqlClient();

const outcomes: CheckOutcome[] = [];
for (const check of checks) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  // Each check gets a database of its own, in memory, on its own virtual clock.
  let database: RunDatabase | undefined;
  const context = makeCheckContext(1, (clock) => (database = new RunDatabase({ connection: sql.open('memory'), clock, emit: () => undefined })));
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), data.checkTimeoutMs);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => check.run(context)), timeout]);
    if (result === 'timeout') {
      outcomes.push({
        name: check.name,
        task: check.task,
        status: 'error',
        message:
          `did not finish within ${data.checkTimeoutMs} ms of real time: the code waits for something that never happens ` +
          '(a promise that never settles, or a timer on the real clock instead of the injected one).',
        durationMs: performance.now() - started,
      });
    } else {
      outcomes.push({ name: check.name, task: check.task, status: 'pass', durationMs: performance.now() - started });
    }
  } catch (error) {
    const failed = error instanceof CheckFailure;
    const where = failed ? undefined : locateError(error);
    outcomes.push({
      name: check.name,
      task: check.task,
      status: failed ? 'fail' : 'error',
      message: failed ? error.message : `the code threw ${describeThrown(error)}`,
      ...(where && { file: where.file, line: where.line, column: where.column }),
      durationMs: performance.now() - started,
    });
  } finally {
    clearTimeout(timer);
    await database?.close();
  }
}
toHost({ type: 'check-results', outcomes });
endSandbox(0);
