/**
 * The host side of the sandbox: one child process running learner code under
 * Node's permission model and memory limits, watched by a heartbeat watchdog
 * and a memory watch. Whatever the process does — loop forever, eat memory,
 * throw, exit — the server goes on; the process is ended and `onFatal` says
 * why, pointing at the learner's line where it can.
 *
 * The boundary (see the README's security section): the process may read only
 * the prebuilt sandbox code, the compiled lab bundles and its own folder, and
 * write only its own folder; it cannot start processes or threads, load native
 * addons, or open the inspector (`--experimental-permission` refuses them all,
 * whatever code asks). Its environment is scrubbed; the workbench's token and
 * database are never in it. It talks to the server over the IPC channel only.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Emitter, type Disposable, type Event } from '../../patterns/kit/events.ts';
import type { UserCode } from './locate.ts';
import { droppedSummary, HOST_OUTPUT_LIMITS, LineBudget, SANDBOX_OUTPUT_LIMITS } from './output-limit.ts';
import { prebuiltChildMain, prebuiltEntry } from './prebuilt.ts';
import { isControlMessage, SANDBOX_KEY, type SandboxFatal, type SandboxStart } from './protocol.ts';
import { residentMb } from './resident.ts';
import { SqlProcess } from './sql-process.ts';
import { stuckFatal } from './stuck-fatal.ts';
import { takeWarm } from './pool.ts';
import { DEFAULT_LIMITS, makeSandboxFolder, spawnSandbox, type SandboxLimits, type SpawnLimits } from './spawn.ts';

export type { SandboxFatal, SandboxFatalKind } from './protocol.ts';
export { sandboxEnv, type SandboxLimits } from './spawn.ts';

export interface SandboxOptions {
  /** The module the process runs once the guards are in place (the run engine): a `.ts` path or URL, prebuilt on first use. */
  entry: string | URL;
  /** Data for the engine (structured-cloneable); the process reads it with `engineData()`. */
  data?: unknown;
  /** The project root: reported paths are relative to it. */
  rootDir: string;
  /** Folders of the learner's code (the pattern folder): fatals point at frames inside them. */
  userCodeDirs?: string[];
  limits?: Partial<SandboxLimits>;
  /** How often the process proves it is alive. Default 100 ms. */
  heartbeatMs?: number;
  /**
   * Silence after which the process counts as stuck. A loop of the learner's reports itself
   * with its line at this limit (loop guards); the host ends the process `reportGraceMs` later.
   * Default 1500 ms.
   */
  watchdogMs?: number;
  /** Time the process has, once stuck, to report where before the host ends it. Default 500 ms. */
  reportGraceMs?: number;
  /** Silence allowed while the process starts (Node itself, then the guards). Default 10 s. */
  startupMs?: number;
  /**
   * Time importing a lab bundle may take. The watchdog catches a load that spins; this
   * catches one that waits forever without spinning (a top-level `await` on a promise that
   * never settles). Default four watchdog periods (6 s).
   */
  loadDeadlineMs?: number;
  /** Capture the process's stdout/stderr as `onOutput` instead of passing it to the server's. Default false. */
  captureOutput?: boolean;
}

/**
 * How the process ended: `requested` when the host asked (`terminate`); otherwise `fatal`
 * says why, or is absent when the engine ended the process itself (`endSandbox`).
 */
export interface SandboxExit {
  code: number;
  requested: boolean;
  fatal?: SandboxFatal;
}

export type SandboxState = 'starting' | 'running' | 'exited';

/**
 * A piece of the process's console output. Output is rate-limited (output-limit.ts): what was
 * dropped is summarised, at most once a second, by an output of its own on `stderr` whose
 * `dropped` says how many lines it stands for ("[sandbox] 12,000 lines of output dropped: …").
 */
export interface SandboxOutput {
  stream: 'stdout' | 'stderr';
  text: string;
  /** Set on a summary: the lines dropped since the previous one. */
  dropped?: number;
}


/** What V8 prints when the heap limit is reached, just before it aborts the process. */
const HEAP_OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit|Allocation failed/;

/** A child process running learner code, contained. Dispose it (or `terminate()`) to end it. */
export class Sandbox implements Disposable {
  private child: ChildProcess | undefined;
  private readonly outbox: unknown[] = [];
  private readonly messages = new Emitter<unknown>();
  private readonly fatals = new Emitter<SandboxFatal>();
  private readonly exits = new Emitter<SandboxExit>();
  private readonly outputs = new Emitter<SandboxOutput>();
  /** The host's own bound on the output it accepts, whatever the process let through. */
  private readonly outputBudget = new LineBudget(HOST_OUTPUT_LIMITS, () => performance.now());
  private outputSummary: ReturnType<typeof setTimeout> | undefined;
  /** The end of what the process wrote to stderr: V8 says there why it aborted. */
  private stderrTail = '';
  private readonly limits: SandboxLimits;
  private readonly userCode: UserCode;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private readonly watchdogMs: number;
  private readonly reportGraceMs: number;
  private readonly startupMs: number;
  private lastBeat = performance.now();
  private heapUsed = 0;
  private guarded = false;
  private ended = false;
  private requested = false;
  /** The engine said it is ending the process (`endSandbox`): its exit is no fatal. */
  private endAnnounced = false;
  private sql: SqlProcess | undefined;
  private fatal: SandboxFatal | undefined;
  private markReady!: (ready: boolean) => void;
  private markExited!: (exit: SandboxExit) => void;
  private currentState: SandboxState = 'starting';
  /** The process's own folder: it may read and write there, and nowhere else. */
  readonly folder: string;

  /** Messages the engine sent (control messages of the sandbox itself are not included). */
  readonly onMessage: Event<unknown> = this.messages.event;
  /** The run-ending error, fired once, before the process is ended. */
  readonly onFatal: Event<SandboxFatal> = this.fatals.event;
  /** The process has ended, for whatever reason. Fired once. */
  readonly onExit: Event<SandboxExit> = this.exits.event;
  /** The process's console output, rate-limited and with summaries of what was dropped, when `captureOutput` is set. */
  readonly onOutput: Event<SandboxOutput> = this.outputs.event;
  /** Resolves true once the entry module has loaded, false if the process ended first. */
  readonly ready: Promise<boolean>;
  /** Resolves when the process has ended. */
  readonly exited: Promise<SandboxExit>;

  constructor(private readonly options: SandboxOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const heartbeatMs = options.heartbeatMs ?? 100;
    this.watchdogMs = options.watchdogMs ?? 1500;
    this.reportGraceMs = options.reportGraceMs ?? 500;
    this.startupMs = Math.max(options.startupMs ?? 10_000, this.watchdogMs);
    const loadDeadlineMs = options.loadDeadlineMs ?? 4 * this.watchdogMs;
    for (const [name, value] of Object.entries({ heartbeatMs, watchdogMs: this.watchdogMs, loadDeadlineMs, ...this.limits })) {
      if (!(value > 0)) throw new RangeError(`Sandbox: ${name} must be positive, got ${value}`);
    }
    if (this.watchdogMs <= heartbeatMs * 2) {
      throw new RangeError(`Sandbox: watchdogMs (${this.watchdogMs}) must exceed two heartbeats (${heartbeatMs} ms each)`);
    }
    const rootDir = path.resolve(options.rootDir);
    this.userCode = { rootDir, userCodeDirs: (options.userCodeDirs ?? []).map((dir) => path.resolve(dir)) };
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.exited = new Promise((resolve) => (this.markExited = resolve));

    const spawnLimits: SpawnLimits = { ...this.limits, heartbeatMs, loopLimitMs: this.watchdogMs };
    const warm = takeWarm(spawnLimits);
    this.folder = warm?.folder ?? makeSandboxFolder();
    const start = (childMain: string, entry: string) => {
      if (this.ended) return;
      const child = warm?.child ?? spawnSandbox(childMain, this.folder, spawnLimits);
      this.attach(child, warm !== undefined);
      const message: SandboxStart = {
        [SANDBOX_KEY]: 'start',
        config: { entry, rootDir, userCodeDirs: this.userCode.userCodeDirs.slice(), loadDeadlineMs },
        data: options.data,
      };
      this.send(message);
      for (const queued of this.outbox.splice(0)) this.send(queued);
    };
    Promise.all([prebuiltChildMain(), prebuiltEntry(options.entry)])
      .then(([childMain, entry]) => start(childMain, entry))
      .catch((error: unknown) => {
        this.fail({ kind: 'load', message: `The sandbox could not be started: ${error instanceof Error ? error.message : String(error)}` });
        if (!this.child) this.finish(1);
      });

    this.watchdog = setInterval(() => this.check(), heartbeatMs);
    this.watchdog.unref();
  }

  get state(): SandboxState {
    return this.currentState;
  }

  /** The process id, once the process is there. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends a message to the engine. Ignored once the process has ended. */
  post(message: unknown): void {
    if (this.ended) return;
    if (!this.child) this.outbox.push(message);
    else this.send(message);
  }

  /** Ends the process; resolves once it has. Safe to call more than once. */
  terminate(): Promise<void> {
    if (!this.ended && !this.fatal) this.requested = true;
    this.stop();
    return this.exited.then(() => undefined);
  }

  dispose(): void {
    void this.terminate();
  }

  private send(message: unknown): void {
    try {
      if (this.child?.connected) this.child.send(message as never);
    } catch {
      // The channel closed under us: 'exit' reports why.
    }
  }

  private stop(): void {
    clearInterval(this.watchdog);
    if (this.child) {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    } else if (!this.ended) {
      // Not started yet (still being prepared): there is nothing to end but the promises.
      this.finish(0);
    }
  }

  private attach(child: ChildProcess, warm: boolean): void {
    this.child = child;
    // A warm process has already proved it is alive and guarded (pool.ts).
    this.lastBeat = performance.now();
    this.guarded = warm;
    const capture = this.options.captureOutput ?? false;
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.output('stdout', text, capture));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4096);
      this.output('stderr', text, capture);
    });
    child.on('message', (message: unknown) => this.receive(message));
    // Without an 'error' listener a failed spawn or send would crash the server: always handle it.
    child.on('error', (error) => {
      if (child.pid === undefined) {
        this.fail({ kind: 'load', message: `The sandbox process could not start: ${error.message}` });
      }
    });
    child.on('exit', (code, signal) => this.childExit(code, signal));
  }

  /** The sandbox's databases, in a process of their own, started on the first statement. */
  private database(): SqlProcess {
    this.sql ??= new SqlProcess({ folder: this.folder, runFile: path.join(this.folder, 'lab.sqlite'), onFatal: (fatal) => this.fail(fatal) });
    return this.sql;
  }

  private receive(message: unknown): void {
    if (!isControlMessage(message)) {
      this.messages.fire(message);
      return;
    }
    switch (message[SANDBOX_KEY]) {
      case 'heartbeat':
        this.lastBeat = performance.now();
        if (Number.isFinite(message.heapUsed)) this.heapUsed = message.heapUsed;
        break;
      case 'guarded':
        this.lastBeat = performance.now();
        this.guarded = true;
        break;
      case 'ready':
        if (this.currentState === 'starting') this.currentState = 'running';
        this.markReady(true);
        break;
      case 'end':
        this.endAnnounced = true;
        break;
      case 'fatal':
        this.fail(message.fatal);
        break;
      case 'sql':
        this.database().handle(message.request, (reply) => this.send({ [SANDBOX_KEY]: 'sql-reply', reply }));
        break;
      case 'output-dropped':
        if (Number.isSafeInteger(message.lines) && message.lines > 0) {
          this.outputs.fire({ stream: 'stderr', text: droppedSummary(message.lines, SANDBOX_OUTPUT_LIMITS) + '\n', dropped: message.lines });
        }
        break;
    }
  }

  /**
   * Passes on what the host's bound admits of a piece of output. The process limits its
   * output itself; this holds however the output was written, so no sandbox can make the
   * server format and log more than the bound's lines a second.
   */
  private output(stream: 'stdout' | 'stderr', text: string, capture: boolean): void {
    const admitted = this.outputBudget.admit(text);
    if (admitted.length > 0) {
      if (capture) this.outputs.fire({ stream, text: admitted });
      else process[stream].write(admitted);
    }
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

  /** Records the run-ending error (the first one wins), tells listeners, and ends the process. */
  private fail(fatal: SandboxFatal): void {
    if (this.fatal || this.requested || this.ended) return;
    this.fatal = fatal;
    this.fatals.fire(fatal);
    this.stop();
  }

  private childExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.fatal && !this.requested && !this.endAnnounced) {
      const explained = this.explainExit(code, signal);
      if (explained) {
        this.fatal = explained;
        this.fatals.fire(explained);
      }
    }
    this.finish(code ?? 1);
  }

  /** Why a process that nobody asked to end, and that said nothing, ended. */
  private explainExit(code: number | null, signal: NodeJS.Signals | null): SandboxFatal | undefined {
    if (HEAP_OUT_OF_MEMORY.test(this.stderrTail)) {
      return {
        kind: 'out-of-memory',
        message: `The lab ran out of memory: it reached the ${this.limits.maxOldGenerationSizeMb} MB heap the sandbox allows, so it was stopped.`,
      };
    }
    // Killed by someone else: on Linux, the kernel's out-of-memory killer is the likely one.
    if (signal === 'SIGKILL') {
      return { kind: 'out-of-memory', message: 'The lab was ended by the system (out of memory?).' };
    }
    if (code === 0 && signal === null) {
      return { kind: 'exit', message: 'The sandbox process stopped unexpectedly (it ended without a word).' };
    }
    return { kind: 'exit', message: `The sandbox process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}).` };
  }

  private finish(code: number): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.watchdog);
    this.currentState = 'exited';
    const exit: SandboxExit = { code, requested: this.requested, ...(this.fatal && { fatal: this.fatal }) };
    this.markReady(false);
    this.reportDroppedOutput();
    this.sql?.dispose();
    rmSync(this.folder, { recursive: true, force: true });
    this.markExited(exit);
    this.exits.fire(exit);
    this.messages.dispose();
    this.fatals.dispose();
    this.exits.dispose();
    this.outputs.dispose();
  }

  /** Each heartbeat period: is the process alive, and within its memory? */
  private check(): void {
    if (this.ended || !this.child || this.fatal) return;
    const rssMb = residentMb(this.child.pid);
    if (rssMb !== undefined && rssMb > this.limits.maxRssMb) {
      this.fail({
        kind: 'out-of-memory',
        message: `The lab ran out of memory: its process used ${Math.round(rssMb)} MB, over the ${this.limits.maxRssMb} MB the sandbox allows (Buffers and other memory outside the heap count too), so it was stopped.`,
      });
      return;
    }
    // Until the guards are in, Node is starting, which can be slow on a loaded machine.
    const limit = this.guarded ? this.watchdogMs + this.reportGraceMs : this.startupMs;
    if (performance.now() - this.lastBeat <= limit) return;
    // Confirm after this loop turn's I/O: if the server itself was busy, heartbeats may be
    // waiting in the queue, and the process is fine.
    setImmediate(() => {
      if (this.ended || this.fatal || this.requested) return;
      const silentMs = performance.now() - this.lastBeat;
      if (silentMs <= limit) return;
      this.fail(stuckFatal({ silentMs: this.guarded ? silentMs - this.reportGraceMs : silentMs, heapUsedBytes: this.heapUsed, heapLimitMb: this.limits.maxOldGenerationSizeMb }));
    });
  }
}
