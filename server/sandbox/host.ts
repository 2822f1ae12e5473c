/**
 * The host side of the sandbox: one worker thread running learner code under
 * memory and stack limits, watched by a heartbeat watchdog. Whatever the
 * worker does — loop forever, eat memory, throw, exit — the host process goes
 * on; the worker is ended and `onFatal` says why, pointing at the learner's
 * line where it can.
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Emitter, type Disposable, type Event } from '../../patterns/kit/events.ts';
import { parseStack, userLocation, type UserCode } from './locate.ts';
import { droppedSummary, HOST_OUTPUT_LIMITS, LineBudget, WORKER_OUTPUT_LIMITS } from './output-limit.ts';
import { isControlMessage, type SandboxFatal, type SandboxWorkerData } from './protocol.ts';
import { stuckFatal } from './stuck-fatal.ts';
import { inspectStuckWorker } from './stuck-location.ts';

export type { SandboxFatal, SandboxFatalKind } from './protocol.ts';

export interface SandboxLimits {
  /** Old-generation heap of the worker, in MB. Default 256. */
  maxOldGenerationSizeMb: number;
  /** Young-generation heap, in MB. Default 32. */
  maxYoungGenerationSizeMb: number;
  /** Stack size, in MB: deep recursion throws a RangeError (an `uncaught` fatal). Default 4. */
  stackSizeMb: number;
}

export interface SandboxedWorkerOptions {
  /** The module the worker runs once the guards are in place (the run engine): a path or URL. */
  entry: string | URL;
  /** Data for the engine (structured-cloneable); the worker reads it with `engineData()`. */
  data?: unknown;
  /** The project root: reported paths are relative to it. */
  rootDir: string;
  /** Folders of the learner's code (the pattern folder): fatals point at frames inside them. */
  userCodeDirs?: string[];
  limits?: Partial<SandboxLimits>;
  /** How often the worker proves it is alive. Default 100 ms. */
  heartbeatMs?: number;
  /** Silence after which the worker counts as stuck. Default 1500 ms. */
  watchdogMs?: number;
  /**
   * Silence allowed while the worker starts (until its guards are installed): registering
   * tsx blocks it, and a loaded machine starts threads slowly. Default 10 s.
   */
  startupMs?: number;
  /**
   * Time importing a lab bundle may take. The watchdog catches a load that spins; this
   * catches one that waits forever without spinning (a top-level `await` on a promise that
   * never settles), which would otherwise hold a save, a run start and every later message
   * to the run. Default four watchdog periods (6 s).
   */
  loadDeadlineMs?: number;
  /** Time allowed to find where a stuck worker is stuck before it is ended anyway. Default 500 ms. */
  locateTimeoutMs?: number;
  /** Capture the worker's stdout/stderr as `onOutput` instead of passing it to the host's. Default false. */
  captureOutput?: boolean;
  /** Shown in the worker's thread title (debuggers, `[worker N] name`). Default `sandbox`. */
  name?: string;
}

/**
 * How the worker ended: `requested` when the host asked (`terminate`); otherwise `fatal`
 * says why, or is absent when the engine ended the worker itself with code 0.
 */
export interface SandboxExit {
  code: number;
  requested: boolean;
  fatal?: SandboxFatal;
}

export type SandboxState = 'starting' | 'running' | 'diagnosing' | 'exited';

/**
 * A piece of the worker's console output. Output is rate-limited (output-limit.ts): what was
 * dropped is summarised, at most once a second, by an output of its own on `stderr` whose
 * `dropped` says how many lines it stands for ("[sandbox] 12,000 lines of output dropped: …").
 */
export interface SandboxOutput {
  stream: 'stdout' | 'stderr';
  text: string;
  /** Set on a summary: the lines dropped since the previous one. */
  dropped?: number;
}

const DEFAULT_LIMITS: SandboxLimits = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };

const bootstrapUrl = new URL('./bootstrap.mjs', import.meta.url);

/** A worker thread running learner code, contained. Dispose it (or `terminate()`) to end it. */
export class SandboxedWorker implements Disposable {
  private readonly worker: Worker;
  private readonly messages = new Emitter<unknown>();
  private readonly fatals = new Emitter<SandboxFatal>();
  private readonly exits = new Emitter<SandboxExit>();
  private readonly outputs = new Emitter<SandboxOutput>();
  /** The host's own bound on the output it accepts, whatever the worker let through. */
  private readonly outputBudget = new LineBudget(HOST_OUTPUT_LIMITS, () => performance.now());
  private outputSummary: ReturnType<typeof setTimeout> | undefined;
  private readonly limits: SandboxLimits;
  private readonly userCode: UserCode;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private readonly watchdogMs: number;
  private readonly startupMs: number;
  private readonly locateTimeoutMs: number;
  private lastBeat = performance.now();
  private guarded = false;
  private requested = false;
  private fatal: SandboxFatal | undefined;
  private markReady!: (ready: boolean) => void;
  private markExited!: (exit: SandboxExit) => void;
  private currentState: SandboxState = 'starting';

  /** Messages the engine posted (control messages of the sandbox itself are not included). */
  readonly onMessage: Event<unknown> = this.messages.event;
  /** The run-ending error, fired once, before the worker is ended. */
  readonly onFatal: Event<SandboxFatal> = this.fatals.event;
  /** The worker has ended, for whatever reason. Fired once. */
  readonly onExit: Event<SandboxExit> = this.exits.event;
  /** The worker's console output, rate-limited and with summaries of what was dropped, when `captureOutput` is set. */
  readonly onOutput: Event<SandboxOutput> = this.outputs.event;
  /** Resolves true once the entry module has loaded, false if the worker ended first. */
  readonly ready: Promise<boolean>;
  /** Resolves when the worker has ended. */
  readonly exited: Promise<SandboxExit>;

  constructor(options: SandboxedWorkerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const heartbeatMs = options.heartbeatMs ?? 100;
    this.watchdogMs = options.watchdogMs ?? 1500;
    this.startupMs = Math.max(options.startupMs ?? 10_000, this.watchdogMs);
    this.locateTimeoutMs = options.locateTimeoutMs ?? 500;
    const loadDeadlineMs = options.loadDeadlineMs ?? 4 * this.watchdogMs;
    for (const [name, value] of Object.entries({ heartbeatMs, watchdogMs: this.watchdogMs, loadDeadlineMs, ...this.limits })) {
      if (!(value > 0)) throw new RangeError(`SandboxedWorker: ${name} must be positive, got ${value}`);
    }
    if (this.watchdogMs <= heartbeatMs * 2) {
      throw new RangeError(`SandboxedWorker: watchdogMs (${this.watchdogMs}) must exceed two heartbeats (${heartbeatMs} ms each)`);
    }
    const rootDir = path.resolve(options.rootDir);
    this.userCode = { rootDir, userCodeDirs: (options.userCodeDirs ?? []).map((dir) => path.resolve(dir)) };

    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.exited = new Promise((resolve) => (this.markExited = resolve));

    const entry = options.entry instanceof URL ? options.entry.href : toUrl(options.entry);
    const workerData: SandboxWorkerData = {
      sandbox: {
        entry,
        rootDir,
        userCodeDirs: this.userCode.userCodeDirs.slice(),
        loadDeadlineMs,
      },
      data: options.data,
      heartbeatMs,
    };
    const capture = options.captureOutput ?? false;
    this.worker = new Worker(bootstrapUrl, {
      name: options.name ?? 'sandbox',
      workerData,
      resourceLimits: { ...this.limits },
      // Not the host's flags (`--import tsx` would load a second loader): the bootstrap sets up its own.
      execArgv: [],
      env: sandboxEnv(process.env),
      stdout: capture,
      stderr: capture,
    });
    if (capture) {
      this.worker.stdout.setEncoding('utf8').on('data', (text: string) => this.output('stdout', text));
      this.worker.stderr.setEncoding('utf8').on('data', (text: string) => this.output('stderr', text));
    }

    this.worker.on('message', (message: unknown) => this.receive(message));
    // Without an 'error' listener a worker's error would crash the host: always handle it.
    this.worker.on('error', (error) => this.workerError(error));
    this.worker.on('messageerror', () => {
      // A message that failed to deserialize is dropped; the run engine's protocol must not depend on it.
    });
    this.worker.on('exit', (code) => this.workerExit(code));

    this.watchdog = setInterval(() => this.checkHeartbeat(), heartbeatMs);
    this.watchdog.unref();
  }

  get state(): SandboxState {
    return this.currentState;
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  /** Sends a message to the engine. Ignored once the worker has ended. */
  post(message: unknown, transfer?: readonly TransferListItem[]): void {
    if (this.currentState === 'exited') return;
    this.worker.postMessage(message, transfer);
  }

  /** Ends the worker; resolves once it has. Safe to call more than once. */
  terminate(): Promise<void> {
    if (this.currentState !== 'exited' && !this.fatal) this.requested = true;
    this.stop();
    return this.exited.then(() => undefined);
  }

  dispose(): void {
    void this.terminate();
  }

  private stop(): void {
    clearInterval(this.watchdog);
    this.worker.terminate().catch(() => {
      // Already ended: 'exit' reports it.
    });
  }

  private receive(message: unknown): void {
    if (!isControlMessage(message)) {
      this.messages.fire(message);
      return;
    }
    switch (message['@@sandbox']) {
      case 'heartbeat':
        this.lastBeat = performance.now();
        break;
      case 'guarded':
        this.lastBeat = performance.now();
        this.guarded = true;
        break;
      case 'ready':
        if (this.currentState === 'starting') this.currentState = 'running';
        this.markReady(true);
        break;
      case 'fatal':
        this.fail(message.fatal);
        break;
      case 'output-dropped':
        if (Number.isSafeInteger(message.lines) && message.lines > 0) {
          this.outputs.fire({
            stream: 'stderr',
            text: droppedSummary(message.lines, WORKER_OUTPUT_LIMITS) + '\n',
            dropped: message.lines,
          });
        }
        break;
    }
  }

  /**
   * Passes on what the host's bound admits of a piece of output. The worker limits its output
   * itself; this holds however the output was written, so no worker can make the host format
   * and log more than the bound's lines a second.
   */
  private output(stream: 'stdout' | 'stderr', text: string): void {
    const admitted = this.outputBudget.admit(text);
    if (admitted.length > 0) this.outputs.fire({ stream, text: admitted });
    if (this.outputBudget.dropped > 0 && this.outputSummary === undefined) {
      this.outputSummary = setTimeout(() => this.reportDroppedOutput(), 1000);
      this.outputSummary.unref();
    }
  }

  private reportDroppedOutput(): void {
    clearTimeout(this.outputSummary);
    this.outputSummary = undefined;
    const lines = this.outputBudget.takeDropped();
    if (lines > 0) this.outputs.fire({ stream: 'stderr', text: droppedSummary(lines, HOST_OUTPUT_LIMITS) + '\n', dropped: lines });
  }

  /** Records the run-ending error (the first one wins), tells listeners, and ends the worker. */
  private fail(fatal: SandboxFatal): void {
    if (this.fatal || this.requested || this.currentState === 'exited') return;
    this.fatal = fatal;
    this.fatals.fire(fatal);
    this.stop();
  }

  private workerError(error: Error): void {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      this.fail({
        kind: 'out-of-memory',
        message: `The lab ran out of memory: it reached the ${this.limits.maxOldGenerationSizeMb} MB heap the sandbox allows, so it was stopped.`,
      });
      return;
    }
    // Errors the guards did not catch: before the entry loaded, or thrown past them.
    const where = userLocation(parseStack(error.stack), this.userCode);
    const kind = this.currentState === 'starting' ? 'load' : 'uncaught';
    this.fail({
      kind,
      message: `${kind === 'load' ? 'The lab failed to load: ' : 'Uncaught '}${error.name}: ${error.message}`,
      ...where,
      ...(error.stack && { stack: error.stack }),
    });
  }

  private workerExit(code: number): void {
    clearInterval(this.watchdog);
    // Exit code 0 is the engine ending the worker on purpose (`endWorker()`); anything else
    // that nobody asked for and nobody explained is a fatal.
    if (!this.fatal && !this.requested && code !== 0) {
      this.fatal = { kind: 'exit', message: `The sandbox worker stopped unexpectedly (exit code ${code}).` };
      this.fatals.fire(this.fatal);
    }
    this.currentState = 'exited';
    const exit: SandboxExit = { code, requested: this.requested, ...(this.fatal && { fatal: this.fatal }) };
    this.markReady(false);
    this.reportDroppedOutput();
    this.markExited(exit);
    this.exits.fire(exit);
    this.messages.dispose();
    this.fatals.dispose();
    this.exits.dispose();
    this.outputs.dispose();
  }

  private checkHeartbeat(): void {
    if (this.currentState === 'exited' || this.currentState === 'diagnosing') return;
    // Until the guards are in, the worker is registering tsx, which blocks it for a while.
    const limit = this.guarded ? this.watchdogMs : this.startupMs;
    if (performance.now() - this.lastBeat <= limit) return;
    // Confirm after this loop turn's I/O: if the host itself was busy, heartbeats may be
    // waiting in the queue, and the worker is fine.
    setImmediate(() => {
      if (this.currentState === 'exited' || this.currentState === 'diagnosing' || this.fatal || this.requested) return;
      if (performance.now() - this.lastBeat > limit) void this.diagnoseStuck(limit);
    });
  }

  /** The worker stopped answering: find the line it is stuck on (within a time limit), then end it. */
  private async diagnoseStuck(silentMs: number): Promise<void> {
    const previous = this.currentState;
    this.currentState = 'diagnosing';
    clearInterval(this.watchdog);
    const snapshot = await inspectStuckWorker(this.worker, this.locateTimeoutMs);
    if (this.currentState !== 'diagnosing') return;
    this.currentState = previous;
    this.fail(
      stuckFatal(snapshot, { userCode: this.userCode, silentMs, heapLimitMb: this.limits.maxOldGenerationSizeMb }),
    );
  }
}

/**
 * What of the server's environment a worker sees: what Node, tsx and the clock need, nothing
 * else. Lab code can read `process.env`, and it can `fetch`: the user's shell may hold
 * credentials (cloud keys, `WORKBENCH_TOKEN`, which opens the workbench's API), and a snippet
 * pasted from the internet must not find them there.
 */
const SANDBOX_ENV = /^(PATH|HOME|TMPDIR|TMP|TEMP|TZ|LANG|LANGUAGE|LC_[A-Z_]+|NODE_[A-Z_]+|TSX_[A-Z_]+|FORCE_COLOR|NO_COLOR)$/;
// Except these NODE_ ones: NODE_OPTIONS could preload code into the worker, and NODE_AUTH_TOKEN is a credential.
const NOT_IN_SANDBOX = new Set(['NODE_OPTIONS', 'NODE_AUTH_TOKEN', 'NODE_REPL_EXTERNAL_MODULE']);

export const sandboxEnv = (env: NodeJS.ProcessEnv): Record<string, string> => {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && SANDBOX_ENV.test(name) && !NOT_IN_SANDBOX.has(name)) kept[name] = value;
  }
  return kept;
};

const toUrl = (entry: string): string => (/^[a-z][a-z0-9+.-]*:/i.test(entry) && !path.isAbsolute(entry) ? entry : pathToFileURL(path.resolve(entry)).href);
