/**
 * The worker side of the sandbox. `bootstrap.mjs` installs these guards before
 * any engine or lab code runs; the run engine imports the helpers below
 * (`importLab`, `locateError`, `engineData`, `endWorker`).
 *
 * Whatever ends the run — an uncaught exception, an unhandled rejection,
 * `process.exit` in lab code, a throw while the lab loads — is reported to the
 * host once, as a fatal pointing at the learner's line, and then the worker
 * ends. (Infinite loops and memory bombs are caught on the host side: a
 * stuck or dying worker cannot report anything.)
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { parseStack, userLocation, type UserCode } from './locate.ts';
import { LineBudget, WORKER_OUTPUT_LIMITS } from './output-limit.ts';
import { SANDBOX_KEY, type ControlMessage, type SandboxFatal, type SandboxFatalKind, type SandboxWorkerData } from './protocol.ts';
import type { SourceLocation } from './protocol.ts';

const port = parentPort;
const config = (workerData as SandboxWorkerData | undefined)?.sandbox;
const userCode: UserCode = { rootDir: config?.rootDir ?? process.cwd(), userCodeDirs: config?.userCodeDirs ?? [] };

// Taken before any lab code runs, so lab code replacing them changes nothing here.
const realExit = process.exit.bind(process);
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;
const realNow = performance.now.bind(performance);
const post = (message: ControlMessage): void => port?.postMessage(message);

let fatalSent = false;
let installed = false;

/** `Error: message` for errors; a readable rendering for anything else that was thrown. */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Where in the learner's code an error was thrown (first frame in a user folder), if anywhere. */
export function locateError(error: unknown): SourceLocation | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  return userLocation(parseStack(stack), userCode);
}

/** The data the host passed for the run engine. */
export function engineData<T>(): T {
  return (workerData as SandboxWorkerData).data as T;
}

/** Ends the worker deliberately, without a fatal (the engine's way out; lab code gets a fatal). */
export function endWorker(code = 0): never {
  fatalSent = true;
  reportDroppedOutput();
  return realExit(code);
}

const PREFIX: Record<SandboxFatalKind, string> = {
  'infinite-loop': '',
  'out-of-memory': '',
  uncaught: 'Uncaught ',
  'unhandled-rejection': 'Unhandled promise rejection: ',
  exit: '',
  load: 'The lab failed to load: ',
};

/**
 * Reports a run-ending error to the host, once, and ends the worker. The
 * message is posted before the exit, on the same port as everything the
 * engine posted, so the host receives it after them.
 */
export function reportFatal(
  kind: SandboxFatalKind,
  error: unknown,
  options: { location?: SourceLocation; message?: string } = {},
): never {
  if (!fatalSent) {
    fatalSent = true;
    const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined;
    const where = options.location ?? locateError(error);
    const message = options.message ?? PREFIX[kind] + describeThrown(error);
    const fatal: SandboxFatal = { kind, message, ...where };
    if (stack) fatal.stack = stack;
    reportDroppedOutput();
    post({ [SANDBOX_KEY]: 'fatal', fatal });
  }
  return realExit(1);
}

/**
 * Imports a compiled lab bundle. A throw while it loads (at the top level of a
 * lab file) is a fatal 'load' pointing at the learner's line.
 */
export async function importLab<T = Record<string, unknown>>(url: string): Promise<T> {
  try {
    return await importWithin<T>(url);
  } catch (error) {
    return reportFatal('load', error);
  }
}

/**
 * `promise`, or a rejection with `message` once the sandbox's load deadline has passed: code
 * that waits for something that never settles (a top-level `await`, a `start(ctx)` that never
 * returns) would otherwise leave whoever waits for it (a save, a run start, the run's later
 * messages) waiting for ever. Measured on the real clock, whatever clock the lab runs on.
 */
export function withinLoadDeadline<T>(promise: Promise<T>, message: (seconds: number) => string): Promise<T> {
  const deadlineMs = config?.loadDeadlineMs ?? 6_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(message(deadlineMs / 1000))), deadlineMs);
    // The deadline alone does not keep an idle worker alive: with nothing else to do, a
    // worker whose import can never settle ends at once (exit code 13), which is reported too.
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => realClearTimeout(timer));
}

/** Imports a lab bundle within the load deadline (see withinLoadDeadline). */
export function importWithin<T = Record<string, unknown>>(url: string): Promise<T> {
  return withinLoadDeadline(
    import(url) as Promise<T>,
    (seconds) => `The code did not finish loading within ${seconds} s: does it \`await\` something at the top level that never settles?`,
  );
}

/** The first learner frame of the code calling the function that calls this. */
const callerLocation = (): SourceLocation | undefined => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return userLocation(parseStack(stack), userCode);
};

/** Installs the guards. Called once by `bootstrap.mjs`, before the engine loads. */
export function installGuards(): void {
  if (installed) return;
  installed = true;

  process.on('uncaughtException', (error, origin) => {
    reportFatal(origin === 'unhandledRejection' ? 'unhandled-rejection' : 'uncaught', error);
  });
  process.on('unhandledRejection', (reason) => {
    reportFatal('unhandled-rejection', reason);
  });

  // In a worker `process.exit` ends only this thread, but for the learner it silently ends
  // the run: make it a fatal that says who called it.
  process.exit = ((code?: number | string | null) => {
    const where = callerLocation();
    const at = where ? ` at ${where.file}:${where.line}` : '';
    const message = `process.exit(${code ?? ''}) was called${at}: lab code must not end the sandbox`;
    return reportFatal('exit', new Error(message), { message, ...(where && { location: where }) });
  }) as typeof process.exit;

  // These reach beyond the worker (the whole server process): refuse them outright.
  const refuse = (name: string, why: string) => () => {
    throw new Error(`process.${name}() is not available in the lab sandbox: ${why}`);
  };
  process.abort = refuse('abort', 'it would end the whole workbench') as typeof process.abort;
  process.kill = refuse('kill', 'lab code may not signal processes') as typeof process.kill;

  loadNativeModules();
  // The runtime's own ways to Node's built-in and native modules, which the compiler's import
  // allow-list cannot see: `process.getBuiltinModule('child_process')` would hand lab code
  // processes, `process.binding('fs')` the raw file system, `process.dlopen` any native
  // library. Nothing of the engine calls them once the guards are in (its native module was
  // loaded above); they are replaced by functions that say so, and cannot be put back.
  for (const name of ['binding', '_linkedBinding', 'dlopen', 'getBuiltinModule'] as const) {
    if (!(name in process)) continue;
    Object.defineProperty(process, name, {
      value: refuse(name, "lab code may not load Node's built-in or native modules (import only the pattern's own files and the kit)"),
      writable: false,
      configurable: false,
      enumerable: false,
    });
  }

  limitOutput();
}

/**
 * Loads the native modules the engine needs while `process.dlopen` is still there. The one
 * the engine has, better-sqlite3 (the run's `ctx.db`, the checks' databases), loads its addon
 * on the first `new Database()`, through `process.dlopen`; opening a database in memory now
 * puts the addon in the module cache, where later loads find it.
 */
function loadNativeModules(): void {
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => { close(): void };
    new Database(':memory:').close();
  } catch {
    // Not fatal here: a lab with a database then fails to start with better-sqlite3's own error.
  }
}

/** What the worker lets through of the lab's console output (see output-limit.ts). */
const outputBudget = new LineBudget(WORKER_OUTPUT_LIMITS, realNow);
let summaryTimer: ReturnType<typeof setTimeout> | undefined;

/** Tells the host how many lines were dropped since the last report, if any. */
function reportDroppedOutput(): void {
  if (summaryTimer !== undefined) realClearTimeout(summaryTimer);
  summaryTimer = undefined;
  const lines = outputBudget.takeDropped();
  if (lines > 0) post({ [SANDBOX_KEY]: 'output-dropped', lines });
}

/** Once a second at most, while lines are being dropped: one summary, not one message per line. */
function scheduleDroppedReport(): void {
  if (summaryTimer !== undefined) return;
  summaryTimer = realSetTimeout(reportDroppedOutput, 1000);
  // The report alone must not keep a worker that has nothing else to do alive.
  summaryTimer.unref();
}

/** Console methods that print, each refused whole (before it formats anything) when the budget is spent. */
const PRINTING_CONSOLE_METHODS = ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir', 'dirxml', 'table', 'count', 'timeLog', 'timeEnd'] as const;

/**
 * Rate-limits the worker's output at its source. Every line would otherwise cross to the
 * host thread (a message, a copy) and on into the workbench's log, so a `console.log` in a
 * loop could hold the server's event loop. Two places, one budget:
 *
 * - the streams' `write`, which everything printed goes through: lines beyond the budget are
 *   counted, not posted; long lines are cut;
 * - the console's printing methods, which, once the budget is spent, drop a call before it is
 *   formatted. That is what makes a flood cheap (formatting and writing a line costs
 *   microseconds; a refused call, nanoseconds), so a million `console.log`s take a fraction of
 *   the watchdog's limit instead of stalling the worker for seconds. A call dropped whole
 *   counts as one line.
 *
 * The host bounds what it accepts as well (host.ts): lab code cannot change these wrappers,
 * but it could write through the stream's prototype.
 */
function limitOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
    const limited = function (chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
      if (typeof encoding === 'function') {
        callback = encoding;
        encoding = undefined;
      }
      let text: string;
      if (typeof chunk === 'string') {
        text = typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' && Buffer.isEncoding(encoding)
          ? Buffer.from(chunk, encoding).toString('utf8')
          : chunk;
      } else if (chunk instanceof Uint8Array) {
        text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
      } else {
        // Not something a stream takes: let the stream say so, as it would have.
        return write(chunk, encoding, callback);
      }
      const admitted = outputBudget.admit(text);
      if (outputBudget.dropped > 0) scheduleDroppedReport();
      if (admitted.length > 0) return write(admitted, typeof callback === 'function' ? callback : undefined);
      if (typeof callback === 'function') process.nextTick(callback as () => void);
      return true;
    };
    Object.defineProperty(stream, 'write', { value: limited, writable: false, configurable: false, enumerable: false });
  }

  const console = globalThis.console as unknown as Record<string, unknown>;
  for (const name of PRINTING_CONSOLE_METHODS) {
    const method = console[name];
    if (typeof method !== 'function') continue;
    console[name] = function (this: unknown, ...args: unknown[]) {
      if (!outputBudget.hasRoom()) {
        outputBudget.drop(1);
        scheduleDroppedReport();
        return undefined;
      }
      return (method as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  const assert = console.assert;
  if (typeof assert === 'function') {
    console.assert = function (this: unknown, condition?: unknown, ...args: unknown[]) {
      // A passing assertion prints nothing and costs no budget.
      if (condition) return undefined;
      if (!outputBudget.hasRoom()) {
        outputBudget.drop(1);
        scheduleDroppedReport();
        return undefined;
      }
      return (assert as (...a: unknown[]) => unknown).call(this, condition, ...args);
    };
  }
}
