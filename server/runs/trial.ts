/**
 * Trial loads: new code is imported and started once in a sandbox of its own,
 * with the limits a run has (heap, watchdog, load deadline), before any live
 * run is handed it. Code that throws, spins forever or runs out of memory
 * while it loads then fails only the trial: the save is answered with why, and
 * the live runs go on with their last good code instead of being ended by the
 * watchdog.
 *
 * The trial sandbox of a pattern is started ahead of time while runs take its
 * saves, and kept from one save to the next (starting a process takes far
 * longer than a trial, and on a busy machine competes with the runs for the
 * CPU), so a good save pays for the import and start of its code
 * only. A failing trial ends its sandbox; the next one is started after the
 * save. The sandbox is also replaced every MAX_TRIALS trials: the modules it
 * imported cannot be unloaded.
 */
import type { SandboxFatal } from '../sandbox/host.ts';
import { Sandbox } from '../sandbox/host.ts';
import type { LoadFailure, TrialLoad, TrialReply, TrialRequest } from './protocol.ts';

export const TRIAL_ENTRY = new URL('./trial-entry.ts', import.meta.url);

/** The sandbox's default watchdog and heap, when none are configured (as for runs). */
const DEFAULT_WATCHDOG_MS = 1500;
const DEFAULT_HEAP_MB = 256;
/** Trials one sandbox serves before it is replaced (each keeps the modules it imported). */
const MAX_TRIALS = 50;

export interface TrialLoaderOptions {
  rootDir: string;
  /** The sandbox tuning runs get: a trial must fail where a run would, and only there. */
  sandbox?: { watchdogMs?: number; maxOldGenerationSizeMb?: number };
}

export interface TrialTarget {
  patternId: string;
  /** The pattern's folder: fatals point at the learner's frames inside it. */
  patternDir: string;
}

/** A trial sandbox and how many trials it has served. */
interface TrialSandbox {
  process: Sandbox;
  trials: number;
}

const seconds = (ms: number): string => (ms / 1000).toLocaleString('en', { maximumFractionDigits: 1 });

export class TrialLoader {
  /** The trial sandbox of each pattern folder that has one. */
  private readonly sandboxes = new Map<string, TrialSandbox>();
  /** Trials of one pattern run one after another: a fatal ends the sandbox, and only its own trial may fail with it. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: TrialLoaderOptions) {}

  /** Starts the trial sandbox of `target`, unless it has one. */
  warm(target: TrialTarget): void {
    if (this.closed) return;
    this.sandboxOf(target);
  }

  /** Ends the trial sandbox of `target`, if any (its pattern has no live run to redeploy any more). */
  cool(target: TrialTarget): void {
    const sandbox = this.sandboxes.get(target.patternDir);
    this.sandboxes.delete(target.patternDir);
    void sandbox?.process.terminate();
  }

  /**
   * Imports and starts each bundle once, on virtual time, in the pattern's trial sandbox (one
   * is started if it has none). Resolves with the first failure, worded for a learner, or undefined.
   */
  trial(target: TrialTarget, loads: TrialLoad[]): Promise<LoadFailure | undefined> {
    const previous = this.queues.get(target.patternDir) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.trialNow(target, loads));
    this.queues.set(target.patternDir, mine);
    void mine.finally(() => {
      if (this.queues.get(target.patternDir) === mine) this.queues.delete(target.patternDir);
    });
    return mine;
  }

  /** Ends every trial sandbox (the workbench is shutting down); trials after this start their own. */
  dispose(): void {
    this.closed = true;
    for (const sandbox of this.sandboxes.values()) void sandbox.process.terminate();
    this.sandboxes.clear();
  }

  private async trialNow(target: TrialTarget, loads: TrialLoad[]): Promise<LoadFailure | undefined> {
    const sandbox = this.sandboxOf(target);
    const child = sandbox.process;
    const id = this.nextId++;
    let fatal: SandboxFatal | undefined;
    const subscriptions = [child.onFatal((f) => (fatal = f))];
    const passed = await new Promise<boolean>((resolve) => {
      subscriptions.push(
        child.onMessage((message) => {
          const reply = message as TrialReply | undefined;
          if (reply?.type === 'trial-ok' && reply.id === id) resolve(true);
        }),
      );
      void child.exited.then(() => resolve(false));
      child.post({ type: 'trial', id, patternId: target.patternId, loads } satisfies TrialRequest);
    });
    for (const subscription of subscriptions) subscription.dispose();
    if (passed) {
      // Worn out (replaced after this save: see warm, not during it), or not kept (the loader
      // was closed meanwhile, or the pattern cooled): ended now.
      if (++sandbox.trials >= MAX_TRIALS || this.sandboxes.get(target.patternDir) !== sandbox) this.retire(target, sandbox);
      return undefined;
    }
    this.retire(target, sandbox);
    const exit = await child.exited;
    const why = fatal ?? exit.fatal;
    if (why) return this.describe(why);
    return { message: `The code failed to load: its trial sandbox ended without an answer (exit code ${exit.code}).` };
  }

  /** The sandbox of `target`: the one it has, or a new one (not kept once the loader is closed). */
  private sandboxOf(target: TrialTarget): TrialSandbox {
    const existing = this.sandboxes.get(target.patternDir);
    if (existing && existing.process.state !== 'exited') return existing;
    const sandbox: TrialSandbox = { process: this.spawn(target), trials: 0 };
    if (!this.closed) this.sandboxes.set(target.patternDir, sandbox);
    // One that ends unasked (it could not start, say) is simply not there for the next save.
    void sandbox.process.exited.then(() => {
      if (this.sandboxes.get(target.patternDir) === sandbox) this.sandboxes.delete(target.patternDir);
    });
    return sandbox;
  }

  private retire(target: TrialTarget, sandbox: TrialSandbox): void {
    if (this.sandboxes.get(target.patternDir) === sandbox) this.sandboxes.delete(target.patternDir);
    void sandbox.process.terminate();
  }

  private spawn(target: TrialTarget): Sandbox {
    const { sandbox } = this.options;
    return new Sandbox({
      entry: TRIAL_ENTRY,
      rootDir: this.options.rootDir,
      userCodeDirs: [target.patternDir],
      // A trial's console output is nobody's: the code runs for real in the runs that take it.
      captureOutput: true,
      ...(sandbox?.watchdogMs !== undefined && { watchdogMs: sandbox.watchdogMs }),
      limits: { maxOldGenerationSizeMb: sandbox?.maxOldGenerationSizeMb ?? DEFAULT_HEAP_MB },
    });
  }

  /**
   * A trial's fatal as the answer to a save. The sandbox words a hang or a memory bomb for a
   * run that was stopped; here nothing was stopped but the trial, so say what the code did.
   */
  private describe(fatal: SandboxFatal): LoadFailure {
    const where = {
      ...(fatal.file !== undefined && { file: fatal.file }),
      ...(fatal.line !== undefined && { line: fatal.line }),
      ...(fatal.column !== undefined && { column: fatal.column }),
    };
    const at = fatal.file !== undefined ? ` at ${fatal.file}${fatal.line !== undefined ? `:${fatal.line}` : ''}` : '';
    const watchdogMs = this.options.sandbox?.watchdogMs ?? DEFAULT_WATCHDOG_MS;
    const heapMb = this.options.sandbox?.maxOldGenerationSizeMb ?? DEFAULT_HEAP_MB;
    switch (fatal.kind) {
      case 'infinite-loop':
        return { message: `The new code did not finish loading: it stopped responding for over ${seconds(watchdogMs)} s (an infinite loop${at}?).`, ...where };
      case 'out-of-memory':
        return { message: `The new code ran out of memory while loading: it reached the ${heapMb} MB heap the sandbox allows${at}.`, ...where };
      default:
        return { message: fatal.message, ...where };
    }
  }
}
