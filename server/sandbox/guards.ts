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
import { parentPort, workerData } from 'node:worker_threads';
import { parseStack, userLocation, type UserCode } from './locate.ts';
import { SANDBOX_KEY, type ControlMessage, type SandboxFatal, type SandboxFatalKind, type SandboxWorkerData } from './protocol.ts';
import type { SourceLocation } from './protocol.ts';

const port = parentPort;
const config = (workerData as SandboxWorkerData | undefined)?.sandbox;
const userCode: UserCode = { rootDir: config?.rootDir ?? process.cwd(), userCodeDirs: config?.userCodeDirs ?? [] };

// Taken before any lab code runs, so lab code replacing them changes nothing here.
const realExit = process.exit.bind(process);
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;
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
  const refuse = (name: string) => () => {
    throw new Error(`process.${name}() is not available in the sandbox`);
  };
  process.abort = refuse('abort') as typeof process.abort;
  process.kill = refuse('kill') as typeof process.kill;
}
