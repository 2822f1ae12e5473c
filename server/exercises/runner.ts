/**
 * Runs an exercise's checks against the learner's code: compiles the checks
 * with the learner's file in place of the pattern's, then runs them in a
 * sandbox process on virtual time. Whatever the code does — fail to compile,
 * throw at load, loop forever — the answer is a result, never a crash.
 */
import { join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import type { PatternRegistry } from '../patterns/registry.ts';
import { compileLab } from '../sandbox/compile.ts';
import { Sandbox, type SandboxFatal } from '../sandbox/host.ts';
import type { Exercise } from './catalog.ts';
import { overall, type CheckOutcome, type CheckRun } from './results.ts';

export const CHECK_ENTRY = new URL('./check-entry.ts', import.meta.url);

export interface RunnerOptions {
  rootDir: string;
  registry: PatternRegistry;
  /** Real time one check may take before it counts as stuck. */
  checkTimeoutMs?: number;
  watchdogMs?: number;
  /** Checks running at once (each one is a sandbox process with its own heap). Default 2, the machine's cores. */
  maxConcurrent?: number;
  /** Checks waiting for a turn; one more is refused with a RunnerBusyError. Default 8. */
  maxQueued?: number;
}

/** Every slot and every place in the queue is taken: the caller should try again shortly. */
export class RunnerBusyError extends Error {}

const located = (fatal: Pick<SandboxFatal, 'file' | 'line' | 'column'>) => ({
  ...(fatal.file !== undefined && { file: fatal.file }),
  ...(fatal.line !== undefined && { line: fatal.line }),
  ...(fatal.column !== undefined && { column: fatal.column }),
});

export class ExerciseRunner {
  private readonly limit: LimitFunction;
  private readonly maxQueued: number;

  constructor(private readonly options: RunnerOptions) {
    this.limit = pLimit(options.maxConcurrent ?? 2);
    this.maxQueued = options.maxQueued ?? 8;
  }

  /**
   * Checks `code` against the exercise. A bounded number run at once and a bounded number
   * wait, so no client can make the server start sandboxes (and grow its memory) without end;
   * past that it throws RunnerBusyError at once rather than queueing.
   */
  check(exercise: Exercise, code: string): Promise<CheckRun> {
    if (this.limit.pendingCount >= this.maxQueued) {
      return Promise.reject(
        new RunnerBusyError(`${this.limit.activeCount} checks are running and ${this.limit.pendingCount} are waiting; try again in a moment`),
      );
    }
    return this.limit(() => this.run(exercise, code));
  }

  private async run(exercise: Exercise, code: string): Promise<CheckRun> {
    const started = performance.now();
    const finish = (results: Omit<CheckRun, 'durationMs'>): CheckRun => ({
      ...results,
      durationMs: Math.round(performance.now() - started),
    });
    const pattern = this.options.registry.get(exercise.patternId);
    if (!pattern) return finish({ status: 'error', message: `unknown pattern ${exercise.patternId}`, tests: [] });

    const compiled = await compileLab({
      patternDir: pattern.dir,
      entry: join(exercise.dir, 'checks.ts'),
      overrides: { [exercise.file]: code },
      kitDir: join(this.options.registry.patternsDir, 'kit'),
      rootDir: this.options.rootDir,
      extraDirs: [exercise.dir],
    });
    if (!compiled.ok) {
      const first = compiled.errors[0]!;
      return finish({ status: 'error', message: `Your code does not compile: ${first.message}`, ...located(first), tests: [] });
    }

    try {
      const sandbox = new Sandbox({
        entry: CHECK_ENTRY,
        data: { bundleUrl: compiled.url, checkTimeoutMs: this.options.checkTimeoutMs ?? 2000 },
        rootDir: this.options.rootDir,
        userCodeDirs: [pattern.dir],
        captureOutput: true,
        ...(this.options.watchdogMs !== undefined && { watchdogMs: this.options.watchdogMs }),
      });
      let outcomes: CheckOutcome[] | undefined;
      let fatal: SandboxFatal | undefined;
      sandbox.onMessage((message) => {
        const m = message as { type?: string; outcomes?: CheckOutcome[] };
        if (m.type === 'check-results') outcomes = m.outcomes;
      });
      sandbox.onFatal((f) => (fatal = f));
      await sandbox.exited;

      if (fatal) {
        const prefix = fatal.kind === 'load' ? '' : 'The checks could not finish: ';
        return finish({ status: 'error', message: prefix + fatal.message, ...located(fatal), tests: [] });
      }
      if (!outcomes) return finish({ status: 'error', message: 'The checks ended without a result.', tests: [] });
      return finish({ status: overall(outcomes), tests: outcomes });
    } finally {
      // The checks' sandbox has ended: nothing needs the bundle (or its map) any more.
      compiled.release();
    }
  }
}
