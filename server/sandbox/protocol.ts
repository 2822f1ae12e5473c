/**
 * What the sandbox process's guards and the host say to each other. These
 * control messages share the IPC channel with the run engine's own messages
 * (so a fatal error arrives after every message sent before it); each side
 * tells them apart by the `SANDBOX_KEY` property and never hands them to the
 * engine's listeners.
 */
import type { SqlReply, SqlRequest } from './sql-channel.ts';

/** Why a sandbox process was ended. */
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
  /** The process is alive; `heapUsed` (bytes) tells a memory bomb from a loop if it stops answering. */
  | { [SANDBOX_KEY]: 'heartbeat'; heapUsed: number }
  /** The guards are installed: from now on the normal watchdog limit applies. */
  | { [SANDBOX_KEY]: 'guarded' }
  /** The entry module has loaded. */
  | { [SANDBOX_KEY]: 'ready' }
  /** The engine ends the process on purpose (`endSandbox`): its exit is not a fatal. */
  | { [SANDBOX_KEY]: 'end' }
  | { [SANDBOX_KEY]: 'fatal'; fatal: SandboxFatal }
  /**
   * Console output the sandbox dropped since its last report (its rate limit, output-limit.ts):
   * sent at most once a second while lines are dropped, and before the sandbox ends.
   */
  | { [SANDBOX_KEY]: 'output-dropped'; lines: number }
  /** A statement for one of the sandbox's databases (`ctx.db`), which the server keeps (sql-process.ts). */
  | { [SANDBOX_KEY]: 'sql'; request: SqlRequest };

/** Host → sandbox: the answer to a `sql` request. */
export interface SqlAnswer {
  [SANDBOX_KEY]: 'sql-reply';
  reply: SqlReply;
}

/** Host → sandbox: run this entry with this data (a started process waits for it: see pool.ts). */
export interface SandboxStart {
  [SANDBOX_KEY]: 'start';
  config: SandboxConfig;
  data: unknown;
}

export const isControlMessage = (message: unknown): message is ControlMessage | SandboxStart | SqlAnswer =>
  typeof message === 'object' && message !== null && SANDBOX_KEY in message;

/** The guards' settings, sent with `start`. */
export interface SandboxConfig {
  /** URL of the prebuilt module the process imports once the guards are in place (the run engine). */
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
