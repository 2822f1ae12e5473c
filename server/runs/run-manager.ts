/**
 * All live runs: starting them with the pattern's current code (or with code
 * of their own, pinned), routing control messages to them, and redeploying
 * the runs that follow a pattern's current code when it is saved.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Disposable, FaultSpec, LabManifest, TelemetryEvent } from '../../patterns/kit/index.ts';
import { healthySpec } from '../../patterns/kit/index.ts';
import type { PatternRegistry } from '../patterns/registry.ts';
import { compileLab, type CompileMessage, type CompileResult } from '../sandbox/compile.ts';
import type { Store } from '../store/store.ts';
import type { LoadFailure, TrialLoad } from './protocol.ts';
import { RunHost } from './run-host.ts';
import { TrialLoader } from './trial.ts';

export interface RunManagerOptions {
  registry: PatternRegistry;
  store: Store;
  rootDir: string;
  log: Logger;
  /** Most runs live at once; starting one more is refused. */
  maxRuns?: number;
  sandbox?: { watchdogMs?: number; maxOldGenerationSizeMb?: number };
  /** The workbench's Redis: each run gets a broker on it (`ctx.broker`). */
  redis?: string;
}

/** The code a pattern's runs use: each editable file's newest good version, or the reference (version 0). */
export interface PatternSources {
  contents: Record<string, string>;
  versions: Record<string, number>;
}

export class RunLimitError extends Error {}

/**
 * Which code a run runs. A following run runs the pattern's current files and
 * takes every save (`versions`: the version of each file it runs now). A
 * pinned run runs the code it was started with (`files`, sent with the start,
 * in place of the pattern's) and no save reaches it; `versions` are those of
 * the pattern's other files as they were when it started.
 */
export type RunCode =
  | { follows: 'current'; versions: Record<string, number> }
  | { follows: 'pinned'; files: string[]; versions: Record<string, number> };

/** How many ended runs keep their host object (for their detailed state) before only the store has them. */
const KEEP_ENDED_RUNS = 20;

export class RunManager {
  private readonly runs = new Map<string, RunHost>();
  /** Starts past the limit check that are still compiling: they hold a slot. */
  private compiling = 0;
  /** Ended runs still in `runs`, oldest first. */
  private readonly ended: string[] = [];
  /** Runs started with code of their own: the files they pinned. */
  private readonly pinned = new Map<string, string[]>();
  /** Where a save's code is tried before live runs get it. */
  private readonly trials: TrialLoader;

  constructor(private readonly options: RunManagerOptions) {
    this.trials = new TrialLoader({ rootDir: options.rootDir, ...(options.sandbox && { sandbox: options.sandbox }) });
  }

  get(id: string): RunHost | undefined {
    return this.runs.get(id);
  }

  live(): RunHost[] {
    return [...this.runs.values()].filter((run) => run.isLive);
  }

  /** The live runs of `patternId` that follow its current code: those a save redeploys. */
  following(patternId: string): RunHost[] {
    return this.live().filter((run) => run.patternId === patternId && !this.pinned.has(run.id));
  }

  /** Which code a run this manager still holds runs; undefined for runs only the store remembers. */
  codeOf(runId: string): RunCode | undefined {
    const run = this.runs.get(runId);
    if (!run) return undefined;
    const versions = run.info().versions;
    const files = this.pinned.get(runId);
    return files ? { follows: 'pinned', files: [...files], versions } : { follows: 'current', versions };
  }

  /** The code runs of `patternId` start with, with `change` applied on top. */
  sources(patternId: string, change?: { file: string; content: string; version: number }): PatternSources {
    const { registry, store } = this.options;
    const entry = registry.get(patternId)!;
    const contents: Record<string, string> = {};
    const versions: Record<string, number> = {};
    for (const file of entry.manifest.editableFiles) {
      const saved = store.latestGoodFileVersion(patternId, file);
      contents[file] = saved?.content ?? registry.readReference(patternId, file);
      versions[file] = saved?.version ?? 0;
    }
    if (change) {
      contents[change.file] = change.content;
      versions[change.file] = change.version;
    }
    return { contents, versions };
  }

  compile(patternId: string, lab: LabManifest, contents: Record<string, string>): Promise<CompileResult> {
    const entry = this.options.registry.get(patternId)!;
    return compileLab({
      patternDir: entry.dir,
      entry: lab.module,
      overrides: contents,
      kitDir: join(this.options.registry.patternsDir, 'kit'),
      rootDir: this.options.rootDir,
    });
  }

  /**
   * Starts a run of `lab` with the pattern's current code, or with `code`
   * (file → content, editable files only) in place of those files: a pinned
   * run, which no save redeploys, and which stores nothing as the pattern's
   * versions. Resolves once it runs, or with its error when the code fails to
   * compile or load.
   */
  async start(
    patternId: string,
    lab: LabManifest,
    options: { code?: Record<string, string> } = {},
  ): Promise<{ run: RunHost; error?: undefined } | { run?: RunHost; error: LoadFailure | CompileMessage }> {
    // The check and the reservation happen before the first await: starts racing each
    // other all see the slots taken by those still compiling.
    const maxRuns = this.options.maxRuns ?? 8;
    if (this.live().length + this.compiling >= maxRuns) {
      throw new RunLimitError(`${maxRuns} runs are live or starting already; stop one first`);
    }
    this.compiling++;
    let compiled: CompileResult;
    let versions: Record<string, number>;
    try {
      const sources = this.sources(patternId);
      versions = sources.versions;
      if (options.code) {
        // The pinned files have no version: they are nobody's saved code.
        for (const file of Object.keys(options.code)) delete versions[file];
      }
      compiled = await this.compile(patternId, lab, { ...sources.contents, ...options.code });
    } finally {
      // From here on the run counts as live itself (it is in `runs` before the next await).
      this.compiling--;
    }
    if (!compiled.ok) return { error: compiled.errors[0]! };
    const id = randomBytes(6).toString('hex');
    const seed = randomBytes(4).readUInt32LE() >>> 1;
    const faults: Record<string, FaultSpec> = Object.fromEntries(lab.faultPoints.map((p) => [p.id, healthySpec()]));
    this.options.store.createRun({ id, patternId, lab: lab.id, seed });
    let run: RunHost;
    try {
      run = new RunHost({
        id,
        patternId,
        lab,
        patternDir: this.options.registry.get(patternId)!.dir,
        rootDir: this.options.rootDir,
        seed,
        params: Object.fromEntries(lab.params.map((p) => [p.id, p.default])),
        faults,
        load: lab.defaultLoad,
        versions,
        bundleUrl: compiled.url,
        store: this.options.store,
        ...(this.options.sandbox && { sandbox: this.options.sandbox }),
        ...(this.options.redis !== undefined && { redis: this.options.redis }),
        log: this.options.log,
        onOutput: (text) => this.options.log.info({ runId: id }, `run output: ${text.trimEnd()}`),
      });
    } catch (error) {
      // No sandbox could be started: the record must not stay 'running' until the next start.
      this.options.store.finishRun(id, 'error', error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      // The run holds its bundle itself (until its sandbox has ended): the compile's hold goes.
      compiled.release();
    }
    this.runs.set(id, run);
    if (options.code) this.pinned.set(id, Object.keys(options.code));
    void run.ended.then(() => {
      this.options.log.info({ runId: id, state: run.state }, 'run ended');
      // No run left to take this pattern's saves: no trial sandbox waits for them either.
      if (this.following(patternId).length === 0) this.trials.cool(this.trialTarget(patternId));
      // Ended runs stay a while (their error with its line is richer than the stored record),
      // then only the store remembers them: the map does not grow with every run of a day.
      this.ended.push(id);
      if (this.ended.length > KEEP_ENDED_RUNS) {
        const gone = this.ended.shift()!;
        this.runs.delete(gone);
        this.pinned.delete(gone);
      }
    });
    const started = await run.started;
    this.options.log.info({ runId: id, patternId, lab: lab.id, started, pinned: this.pinned.get(id) }, 'run started');
    // Saves of this pattern now redeploy a live run: have their trial sandbox ready.
    if (started && !options.code && run.isLive) this.trials.warm(this.trialTarget(patternId));
    if (!started) return { run, error: run.info().error ?? { message: 'the run failed to start' } };
    return { run };
  }

  /**
   * Loads `loads` (compiled bundles of `patternId`) once in a trial sandbox with the limits a
   * run has: see trial.ts. Resolves with why the code failed to load, or undefined. A sandbox
   * that failed or wore out is not replaced here: see `warmTrial`.
   */
  async trial(patternId: string, loads: TrialLoad[]): Promise<LoadFailure | undefined> {
    const target = this.trialTarget(patternId);
    try {
      return await this.trials.trial(target, loads);
    } finally {
      // Kept for the next save only while runs take this pattern's saves.
      if (this.following(patternId).length === 0) this.trials.cool(target);
    }
  }

  /**
   * Starts the trial sandbox of `patternId`, if it has none, while live runs take its saves.
   * Called once a save is done with its runs: starting a thread competes for the CPU with the deploy.
   */
  warmTrial(patternId: string): void {
    if (this.following(patternId).length > 0) this.trials.warm(this.trialTarget(patternId));
  }

  /**
   * Deploys a new version of one file into every live run of the pattern that
   * follows its current code (pinned runs keep theirs). Resolves with the runs
   * that took it, or the first load error (those runs keep their previous code).
   * `compiled`: bundles of this very code by lab id, already built by the caller.
   */
  async deploy(
    patternId: string,
    change: { file: string; content: string; version: number },
    compiled: ReadonlyMap<string, CompileResult> = new Map(),
  ): Promise<{ deployedTo: string[]; error?: LoadFailure | CompileMessage }> {
    // Runs still starting count too: they were compiled with the code from before this save, so
    // they take it once they run (or they would miss this version, and nothing would check it loads).
    const runs = this.following(patternId);
    const { contents } = this.sources(patternId, change);
    const bundles = new Map<string, CompileResult>(compiled);
    const deployedTo: string[] = [];
    for (const run of runs) {
      if (!(await run.started) || run.state !== 'running') continue;
      let compiled = bundles.get(run.lab.id);
      if (!compiled) {
        compiled = await this.compile(patternId, run.lab, contents);
        bundles.set(run.lab.id, compiled);
      }
      if (!compiled.ok) return { deployedTo, error: compiled.errors[0]! };
      const error = await run.deploy(compiled.url, change.file, change.version);
      // A run that stopped or failed while the save was on its way says nothing about the
      // code: only a run still live that refused it does (else good code would be marked bad).
      if (error && !run.isLive) continue;
      if (error) return { deployedTo, error };
      deployedTo.push(run.id);
    }
    return { deployedTo };
  }

  private trialTarget(patternId: string) {
    return { patternId, patternDir: this.options.registry.get(patternId)!.dir };
  }

  subscribe(runId: string, listener: (events: readonly TelemetryEvent[]) => void): Disposable | undefined {
    return this.runs.get(runId)?.subscribe(listener);
  }

  async stop(id: string): Promise<void> {
    await this.runs.get(id)?.stop('user');
  }

  async stopAll(): Promise<void> {
    this.trials.dispose();
    await Promise.all([...this.runs.values()].map((run) => run.stop('shutdown')));
  }
}
