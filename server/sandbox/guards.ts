/**
 * The sandbox process's side of the sandbox. `child-main.ts` installs these
 * guards before any engine or lab code runs; the run engine imports the
 * helpers below (`importLab`, `locateError`, `engineData`, `toHost`,
 * `onHost`, `endSandbox`).
 *
 * Whatever ends the run — an uncaught exception, an unhandled rejection,
 * `process.exit` in lab code, a throw while the lab loads, a loop that never
 * gives the event loop back — is reported to the host once, as a fatal
 * pointing at the learner's line, and then the process ends. (A process that
 * is stuck where no loop guard sees it, or whose memory grows past the
 * sandbox's limit, is ended by the host: it cannot report anything.)
 */
import { getHeapStatistics } from 'node:v8';
import { parseStack, userLocation, type UserCode } from './locate.ts';
import { installLoopGuard } from './loop-guard.ts';
import { LineBudget, SANDBOX_OUTPUT_LIMITS } from './output-limit.ts';
import { SqlClient } from './sql-channel.ts';
import { stuckFatal } from './stuck-fatal.ts';
import { isControlMessage, SANDBOX_KEY, type ControlMessage, type SandboxConfig, type SandboxFatal, type SandboxFatalKind, type SandboxStart } from './protocol.ts';
import type { SourceLocation } from './protocol.ts';

let config: SandboxConfig | undefined;
let engineInput: unknown;
let userCode: UserCode = { rootDir: process.cwd(), userCodeDirs: [] };

const realExit = process.exit.bind(process);
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;
const realNow = performance.now.bind(performance);
const send = process.send?.bind(process);
/** To the host, over the IPC channel; nothing when there is none (a module imported outside a sandbox). */
const post = (message: unknown): void => {
  try {
    send?.(message);
  } catch {
    // The channel is closed: the host is gone or ending this process.
  }
};

let fatalSent = false;
let installed = false;

/** Messages for the engine that arrived before it listened: handed over, in order, when it does. */
let early: unknown[] | undefined = [];
const listeners: Array<(message: unknown) => void> = [];

/** Sends a message to the host (the engine's own messages: telemetry, replies). */
export function toHost(message: unknown): void {
  post(message);
}

/** Listens to the host's messages for the engine (the sandbox's own control messages are not included). */
export function onHost(listener: (message: unknown) => void): void {
  listeners.push(listener);
  const waiting = early;
  early = undefined;
  for (const message of waiting ?? []) listener(message);
}

let sql: SqlClient | undefined;

/**
 * The sandbox's databases (`ctx.db`, a check's): kept by the server, in a process of their
 * own (sql-process.ts), since the driver is native code and native code ignores the
 * permission model. Statements go over the IPC channel, in order.
 */
export function sqlClient(): SqlClient {
  sql ??= new SqlClient((request) => post({ [SANDBOX_KEY]: 'sql', request }));
  return sql;
}

/** The data the host passed for the run engine. */
export function engineData<T>(): T {
  return engineInput as T;
}

/**
 * Takes the host's messages: the sandbox's `start` (which names the entry to run and its
 * data: child-main.ts acts on it), and the engine's messages, which wait until it listens.
 */
export function receiveFromHost(onStart: (start: SandboxStart) => void): void {
  // The server is gone (ended, or crashed): nothing would ever read what this process does.
  process.on('disconnect', () => realExit(0));
  process.on('message', (message: unknown) => {
    if (isControlMessage(message)) {
      if (message[SANDBOX_KEY] === 'sql-reply') {
        sql?.receive(message.reply);
      } else if (message[SANDBOX_KEY] === 'start') {
        config = message.config;
        engineInput = message.data;
        userCode = { rootDir: config.rootDir, userCodeDirs: config.userCodeDirs };
        onStart(message);
      }
      return;
    }
    if (early) early.push(message);
    else for (const listener of listeners) listener(message);
  });
}

/** The sandbox's own messages to the host (see protocol.ts). */
export function control(message: ControlMessage): void {
  post(message);
}

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

/**
 * Ends the process deliberately, without a fatal (the engine's way out; lab code gets a
 * fatal), once everything sent before has left: the host hears `end` last, so an exit nobody
 * announced is never taken for this one.
 */
export function endSandbox(code = 0): void {
  if (ending) return;
  ending = fatalSent = true;
  reportDroppedOutput();
  const exit = () => realExit(code);
  // A channel that cannot take it any more is no reason to stay.
  realSetTimeout(exit, 2000).unref();
  try {
    if (send) send({ [SANDBOX_KEY]: 'end' }, undefined, {}, exit);
    else exit();
  } catch {
    exit();
  }
}

let ending = false;

const PREFIX: Record<SandboxFatalKind, string> = {
  'infinite-loop': '',
  'out-of-memory': '',
  uncaught: 'Uncaught ',
  'unhandled-rejection': 'Unhandled promise rejection: ',
  exit: '',
  load: 'The lab failed to load: ',
};

/**
 * Reports a run-ending error to the host, once, and ends the sandbox. The
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
    // Memory that could not be had (an ArrayBuffer, a string or an array too big) is memory, not a bug in the code.
    if ((kind === 'uncaught' || kind === 'unhandled-rejection') && isOutOfMemory(error)) {
      kind = 'out-of-memory';
      const at = where ? ` at ${where.file}:${where.line}` : '';
      options = { ...options, message: `The lab ran out of memory: ${describeThrown(error)}${at}. It was stopped.` };
    }
    const message = options.message ?? PREFIX[kind] + describeThrown(error);
    const fatal: SandboxFatal = { kind, message, ...where };
    if (stack) fatal.stack = stack;
    reportDroppedOutput();
    post({ [SANDBOX_KEY]: 'fatal', fatal });
  }
  return realExit(1);
}

/** The errors V8 throws when an allocation cannot be had (not the heap limit: that ends the process). */
const OUT_OF_MEMORY = /^(Array buffer allocation failed|Invalid string length|Cannot create a string longer than)/;
const isOutOfMemory = (error: unknown): boolean => error instanceof RangeError && OUT_OF_MEMORY.test(error.message);

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
    // The deadline alone does not keep an idle process alive: with nothing else to do, a
    // process whose import can never settle ends at once (exit code 13), which is reported too.
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

export interface GuardLimits {
  /** How long a loop may keep the event loop before it counts as stuck. */
  loopLimitMs: number;
  /** The heap limit (`--max-old-space-size`), to tell a memory bomb from a loop. */
  heapLimitMb: number;
}

/** Installs the guards. Called once by `child-main.ts`, before the engine loads. */
export function installGuards(limits: GuardLimits): void {
  if (installed) return;
  installed = true;

  // A loop in the learner's code that keeps the event loop past the limit is stopped there,
  // with its line (the compiler put a guard in every loop body: see loop-guard-transform.ts).
  installLoopGuard({
    limitMs: limits.loopLimitMs,
    onStuck: (location, blockedMs) => {
      const fatal = stuckFatal({ location, silentMs: blockedMs, heapUsedBytes: getHeapStatistics().used_heap_size, heapLimitMb: limits.heapLimitMb });
      reportFatal(fatal.kind, new Error(fatal.message), { location, message: fatal.message });
    },
  });

  process.on('uncaughtException', (error, origin) => {
    reportFatal(origin === 'unhandledRejection' ? 'unhandled-rejection' : 'uncaught', error);
  });
  process.on('unhandledRejection', (reason) => {
    reportFatal('unhandled-rejection', reason);
  });

  // `process.exit` would silently end the run: make it a fatal that says who called it.
  process.exit = ((code?: number | string | null) => {
    const where = callerLocation();
    const at = where ? ` at ${where.file}:${where.line}` : '';
    const message = `process.exit(${code ?? ''}) was called${at}: lab code must not end the sandbox`;
    return reportFatal('exit', new Error(message), { message, ...(where && { location: where }) });
  }) as typeof process.exit;

  const refuse = (name: string, why: string) => () => {
    throw new Error(`process.${name}() is not available in the lab sandbox: ${why}`);
  };
  const remove = (names: readonly string[], why: string) => {
    for (const name of names) {
      if (!(name in process)) continue;
      Object.defineProperty(process, name, { value: refuse(name, why), writable: false, configurable: false, enumerable: false });
    }
  };
  // Signals reach beyond the sandbox, and the permission model does not stop them: `kill` could
  // end the workbench, and `_debugProcess` (SIGUSR1) would open the workbench's inspector, where
  // a WebSocket from here could run anything in the server. `process.kill` itself goes through
  // `_kill`. Gone for good, as are the rest of what only a process's owner should do.
  remove(['kill', '_kill', '_debugProcess', '_debugEnd'], 'lab code may not signal processes');
  remove(['abort'], 'it would end the sandbox without a word (the run would just stop)');
  remove(['setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups'], 'lab code may not change who the sandbox runs as');

  // The runtime's own ways to Node's built-in and native modules, which the compiler's import
  // allow-list cannot see: `process.getBuiltinModule('child_process')` would hand lab code
  // processes, `process.binding('fs')` the raw file system, `process.dlopen` any native
  // library. The permission model refuses most of what they lead to as well; they are
  // replaced by functions that say so, and cannot be put back.
  remove(['binding', '_linkedBinding', 'dlopen', 'getBuiltinModule'], "lab code may not load Node's built-in or native modules (import only the pattern's own files and the kit)");

  limitOutput();
}

/** What the sandbox lets through of the lab's console output (see output-limit.ts). */
const outputBudget = new LineBudget(SANDBOX_OUTPUT_LIMITS, realNow);
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
  // The report alone must not keep a process that has nothing else to do alive.
  summaryTimer.unref();
}

/** Console methods that print, each refused whole (before it formats anything) when the budget is spent. */
const PRINTING_CONSOLE_METHODS = ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir', 'dirxml', 'table', 'count', 'timeLog', 'timeEnd'] as const;

/**
 * Rate-limits the sandbox's output at its source. Every line would otherwise cross to the
 * host thread (a message, a copy) and on into the workbench's log, so a `console.log` in a
 * loop could hold the server's event loop. Two places, one budget:
 *
 * - the streams' `write`, which everything printed goes through: lines beyond the budget are
 *   counted, not posted; long lines are cut;
 * - the console's printing methods, which, once the budget is spent, drop a call before it is
 *   formatted. That is what makes a flood cheap (formatting and writing a line costs
 *   microseconds; a refused call, nanoseconds), so a million `console.log`s take a fraction of
 *   the watchdog's limit instead of stalling the sandbox for seconds. A call dropped whole
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
