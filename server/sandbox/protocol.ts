/**
 * What the sandbox worker's guards and the host say to each other. These
 * control messages share `parentPort` with the run engine's own messages (so
 * a fatal error arrives after every message posted before it); the host tells
 * them apart by the `SANDBOX_KEY` property and never hands them to
 * `onMessage`. `bootstrap.mjs` writes the heartbeat literally: keep it in step.
 */

/** Why a sandboxed worker was ended. */
export type SandboxFatalKind = 'infinite-loop' | 'out-of-memory' | 'uncaught' | 'unhandled-rejection' | 'exit' | 'load';

/** A run-ending error, pointing at the learner's line where one is known. */
export interface SandboxFatal {
  kind: SandboxFatalKind;
  message: string;
  /** Relative to the project root, e.g. `patterns/circuit-breaker/circuit-breaker.ts`. */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** The error's stack, source-mapped to the `.ts` files. */
  stack?: string;
}

/** Where in the source a frame or error points (paths relative to the project root). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export const SANDBOX_KEY = '@@sandbox';

export type ControlMessage =
  | { [SANDBOX_KEY]: 'heartbeat' }
  /** The guards are installed: from now on the normal watchdog limit applies. */
  | { [SANDBOX_KEY]: 'guarded' }
  /** The entry module has loaded. */
  | { [SANDBOX_KEY]: 'ready' }
  | { [SANDBOX_KEY]: 'fatal'; fatal: SandboxFatal }
  /**
   * Console output the worker dropped since its last report (its rate limit, output-limit.ts):
   * sent at most once a second while lines are dropped, and before the worker ends.
   */
  | { [SANDBOX_KEY]: 'output-dropped'; lines: number };

export const isControlMessage = (message: unknown): message is ControlMessage =>
  typeof message === 'object' && message !== null && SANDBOX_KEY in message;

/** The guards' settings, passed to the worker as `workerData.sandbox`. */
export interface SandboxConfig {
  /** URL of the module the bootstrap imports once the guards are in place (the run engine). */
  entry: string;
  /** Absolute project root: reported paths are relative to it. */
  rootDir: string;
  /**
   * Absolute folders of the learner's code (a pattern folder). A fatal points at the first
   * stack frame inside one of them, rather than at kit or engine frames.
   */
  userCodeDirs: string[];
  /** How long importing a lab bundle may take before the load counts as stuck (`importWithin`). */
  loadDeadlineMs: number;
}

/** The shape of `workerData` in a sandboxed worker. */
export interface SandboxWorkerData {
  sandbox: SandboxConfig;
  /** The host's data for the run engine, passed through untouched. */
  data: unknown;
  heartbeatMs: number;
}
