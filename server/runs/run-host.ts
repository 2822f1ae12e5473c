/**
 * The host side of one live run: its sandbox process, the recording of its
 * telemetry into the store, and the fan-out to live subscribers. Everything
 * the sandbox does wrong ends here as `run.error` + `run.stopped`; the server
 * itself goes on. So does a database that refuses writes: recording goes
 * through a RunRecorder, which never throws (see server/store/recorder.ts).
 */
import type { Logger } from 'pino';
import type { Disposable, FaultSpec, LabManifest, LoadProfile, Params, TelemetryEvent, TelemetryInput, UnsequencedEvent } from '../../patterns/kit/index.ts';
import { DisposableStore, toDisposable } from '../../patterns/kit/index.ts';
import { holdBundle, LoadedBundles } from '../sandbox/compile.ts';
import { Sandbox, type SandboxFatal } from '../sandbox/host.ts';
import { DRAIN_TIMEOUT_MS } from './engine.ts';
import { BrokerHost, shownRedisUrl } from '../queues/broker-host.ts';
import { RunRecorder, type RecordingState } from '../store/recorder.ts';
import type { Store } from '../store/store.ts';
import type { HostMessage, LoadFailure, RunStartData, RunMessage } from './protocol.ts';

/** The run engine's entry, run in the run's sandbox. */
export const RUN_ENTRY = new URL('./run-entry.ts', import.meta.url);

export type RunState = 'starting' | 'running' | 'stopped' | 'error';

/** A run as the API shows it. */
export interface RunInfo {
  id: string;
  patternId: string;
  lab: string;
  state: RunState;
  seed: number;
  startedAt: number;
  faults: Record<string, FaultSpec>;
  load: LoadProfile;
  params: Params;
  versions: Record<string, number>;
  error?: LoadFailure;
  /** How recording its telemetry goes: events stored, and any dropped while the database refused them. */
  recording: RecordingState;
  /**
   * The `seq` of the newest event recorded when this was read (-1 before any): the state
   * above reflects every event up to it, so a page applies only newer changes on top.
   */
  seq: number;
}

export interface RunHostOptions {
  id: string;
  patternId: string;
  lab: LabManifest;
  patternDir: string;
  rootDir: string;
  seed: number;
  params: Params;
  faults: Record<string, FaultSpec>;
  load: LoadProfile;
  versions: Record<string, number>;
  bundleUrl: string;
  store: Store;
  /** Sandbox tuning (tests shorten the watchdog). */
  sandbox?: { watchdogMs?: number; maxOldGenerationSizeMb?: number };
  /** The workbench's Redis: the run's `ctx.broker` keeps its queues there (see server/queues/broker-host.ts). */
  redis?: string;
  log?: Logger;
  onOutput?: (text: string) => void;
}

/** How long a stop waits for the sandbox to finish cleanly before ending it. */
const STOP_GRACE_MS = 3000;
/** How long a stop then waits for the ended sandbox process to be gone. */
const END_GRACE_MS = 10_000;
/**
 * How long a replaced bundle is kept: the engine lets the previous code finish its requests
 * for up to DRAIN_TIMEOUT_MS, then disposes it; the margin covers the dispose itself. Until
 * then the watchdog may still need the old bundle's map to name a line in the old code.
 */
const REPLACED_BUNDLE_KEPT_MS = DRAIN_TIMEOUT_MS + 5_000;

export class RunHost {
  private readonly sandbox: Sandbox;
  private readonly recorder: RunRecorder;
  private startedAt: number | undefined;
  private readonly listeners = new Set<(events: readonly TelemetryEvent[]) => void>();
  private readonly lifetime = new DisposableStore();
  private readonly pending = new Map<number, (reply: { ok: true } | { ok: false; error: LoadFailure }) => void>();
  private nextRequest = 1;
  private lastT = 0;
  /** The next event's `seq`: events are numbered here, once, in the order they are recorded. */
  private nextSeq = 0;
  private lastTAt = performance.now();
  private currentState: RunState = 'starting';
  private failure: LoadFailure | undefined;
  private readonly faults: Record<string, FaultSpec>;
  private load: LoadProfile;
  private params: Params;
  private versions: Record<string, number>;
  /** The compiled bundles the sandbox loaded: removed once replaced and drained, all of them once it has ended. */
  private readonly bundles = new LoadedBundles(REPLACED_BUNDLE_KEPT_MS);
  /** The run's queues on the workbench's Redis, when it has one. */
  private readonly broker: BrokerHost | undefined;
  /** Resolves when the run is running (true) or has failed to start (false). */
  readonly started: Promise<boolean>;
  /** Resolves once the sandbox has ended. */
  readonly ended: Promise<void>;

  constructor(private readonly options: RunHostOptions) {
    this.faults = { ...options.faults };
    this.load = options.load;
    this.params = { ...options.params };
    this.versions = { ...options.versions };
    this.recorder = new RunRecorder(options.store, options.id);
    const data: RunStartData = {
      runId: options.id,
      patternId: options.patternId,
      lab: options.lab,
      seed: options.seed,
      params: this.params,
      faults: this.faults,
      load: this.load,
      versions: this.versions,
      bundleUrl: options.bundleUrl,
      flushEveryMs: 50,
      ...(options.redis !== undefined && { broker: { description: `BullMQ on ${shownRedisUrl(options.redis)}` } }),
    };
    this.broker =
      options.redis === undefined
        ? undefined
        : new BrokerHost({ url: options.redis, runId: options.id, log: (message) => options.log?.warn({ runId: options.id }, message) });
    this.sandbox = new Sandbox({
      entry: RUN_ENTRY,
      data,
      rootDir: options.rootDir,
      userCodeDirs: [options.patternDir],
      captureOutput: true,
      ...(options.sandbox?.watchdogMs !== undefined && { watchdogMs: options.sandbox.watchdogMs }),
      limits: { maxOldGenerationSizeMb: options.sandbox?.maxOldGenerationSizeMb ?? 256 },
    });
    // Held from the moment its sandbox will import it, until the run has ended (see `ended`).
    this.bundles.replace(holdBundle(options.bundleUrl));
    let markStarted!: (ok: boolean) => void;
    this.started = new Promise((resolve) => (markStarted = resolve));
    this.lifetime.add(
      this.sandbox.onMessage((message) => {
        const m = message as RunMessage;
        if (m.type === 'telemetry') this.record(m.events);
        else if (m.type === 'ready') {
          this.currentState = 'running';
          markStarted(true);
        } else if (m.type === 'broker') {
          const broker = this.broker;
          if (!broker) this.send({ type: 'broker-reply', reply: { id: m.request?.id ?? -1, ok: false, error: { kind: 'broker', message: 'the workbench was started without --redis: there is no broker' } } });
          else void broker.handle(m.request).then((reply) => this.send({ type: 'broker-reply', reply }));
        } else if (m.type === 'reply') {
          const resolve = this.pending.get(m.requestId);
          this.pending.delete(m.requestId);
          resolve?.(m.ok ? { ok: true } : { ok: false, error: m.error });
        }
      }),
    );
    this.lifetime.add(this.sandbox.onFatal((fatal) => this.fail(fatal)));
    this.lifetime.add(this.sandbox.onOutput(({ text }) => options.onOutput?.(text)));
    this.ended = this.sandbox.exited.then(async (exit) => {
      if (!exit.requested && !exit.fatal && this.currentState !== 'stopped') {
        this.fail({ kind: 'exit', message: `the run's sandbox ended unexpectedly (code ${exit.code})` });
      }
      if (this.currentState === 'starting') this.currentState = 'error';
      markStarted(false);
      for (const resolve of this.pending.values()) resolve({ ok: false, error: { message: 'the run has ended' } });
      this.pending.clear();
      this.lifetime.dispose();
      this.bundles.dispose();
      // The run's queues go from Redis with it (bounded: a Redis that is gone does not hold this up for long).
      await this.broker?.close();
    });
  }

  get id(): string {
    return this.options.id;
  }

  /** The run's own folder (its sandbox's): its database file lives there while it runs. */
  get folder(): string {
    return this.sandbox.folder;
  }

  get patternId(): string {
    return this.options.patternId;
  }

  get lab(): LabManifest {
    return this.options.lab;
  }

  get state(): RunState {
    return this.currentState;
  }

  get isLive(): boolean {
    return this.currentState === 'starting' || this.currentState === 'running';
  }

  info(): RunInfo {
    return {
      id: this.options.id,
      patternId: this.options.patternId,
      lab: this.options.lab.id,
      state: this.currentState,
      seed: this.options.seed,
      startedAt: (this.startedAt ??= this.options.store.getRun(this.options.id)?.startedAt) ?? 0,
      faults: { ...this.faults },
      load: this.load,
      params: { ...this.params },
      versions: { ...this.versions },
      ...(this.failure && { error: this.failure }),
      recording: this.recorder.state(),
      seq: this.nextSeq - 1,
    };
  }

  subscribe(listener: (events: readonly TelemetryEvent[]) => void): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  setFault(point: string, spec: FaultSpec): void {
    this.faults[point] = spec;
    this.send({ type: 'fault', point, spec });
  }

  setLoad(profile: LoadProfile): void {
    this.load = profile;
    this.send({ type: 'load', profile });
  }

  async setParams(params: Params): Promise<LoadFailure | undefined> {
    const reply = await this.request((requestId) => ({ type: 'params', requestId, params }));
    if (reply.ok) this.params = { ...this.params, ...params };
    return reply.ok ? undefined : reply.error;
  }

  /** Hands new code to the running lab; resolves with the load error if it did not take. */
  async deploy(bundleUrl: string, file: string, version: number): Promise<LoadFailure | undefined> {
    // Held while the sandbox imports it; kept as the run's code if it takes, else let go at once.
    const hold = holdBundle(bundleUrl);
    const reply = await this.request((requestId) => ({ type: 'deploy', requestId, bundleUrl, file, version }));
    if (reply.ok) {
      this.versions[file] = version;
      this.bundles.replace(hold);
    } else hold.dispose();
    return reply.ok ? undefined : reply.error;
  }

  /**
   * Marks on the run's timeline that a saved version was not deployed (it failed its trial
   * load), so the run's history says why it goes on with its previous code. A `run.error`
   * that does not end the run, as an undeclared invariant's: the timeline and the editor show
   * it with its line, and the next deploy supersedes it.
   */
  noteRejectedCode(file: string, version: number, failure: LoadFailure): void {
    if (!this.isLive) return;
    const running = this.versions[file];
    const goesOn = running === undefined ? 'its previous code' : running === 0 ? `the reference ${file}` : `v${running} of ${file}`;
    this.emitHere({
      type: 'run.error',
      ...failure,
      message: `v${version} of ${file} was not deployed: ${failure.message} The run goes on with ${goesOn}.`,
    });
  }

  /** Stops the run: the lab stops cleanly, then the sandbox ends. */
  async stop(reason: 'user' | 'shutdown' = 'user'): Promise<void> {
    if (!this.isLive) return this.endedWithin(END_GRACE_MS);
    const wasStarting = this.currentState === 'starting';
    const reply = wasStarting
      ? undefined
      : this.request((requestId) => ({ type: 'stop', requestId, reason }));
    const timeout = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
    await Promise.race([reply, timeout]);
    // Still live: the sandbox's own run.stopped has not arrived (it was starting, or it did not
    // answer within the grace period), so the host marks the end on the run's timeline itself.
    if (this.isLive) {
      this.currentState = 'stopped';
      this.emitHere({ type: 'run.stopped', reason });
      this.recorder.finish('stopped');
    }
    void this.sandbox.terminate();
    await this.endedWithin(END_GRACE_MS);
  }

  /**
   * Waits for the sandbox to end, but not for ever: a thread that does not end when it is
   * terminated (one left paused by the inspector, say) must not hold up a stop, or the
   * workbench's shutdown behind it. The run is over for the API either way.
   */
  private endedWithin(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref()));
    return Promise.race([this.ended, giveUp]).finally(() => clearTimeout(timer));
  }

  private request(
    make: (requestId: number) => HostMessage,
  ): Promise<{ ok: true } | { ok: false; error: LoadFailure }> {
    if (!this.isLive) return Promise.resolve({ ok: false, error: { message: 'the run is not running' } });
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      this.send(make(requestId));
    });
  }

  private send(message: HostMessage): void {
    this.sandbox.post(message);
  }

  /**
   * Numbers the events (`seq`, per run, in the order recorded), records them and hands them
   * to live subscribers: the store, the API and the live stream carry the same numbers.
   */
  private record(unsequenced: readonly UnsequencedEvent[]): void {
    if (unsequenced.length === 0) return;
    // The events are this host's own copies (structured clones from the sandbox, or made here):
    // numbered in place, without a copy per event.
    const events = unsequenced as TelemetryEvent[];
    for (const event of events) event.seq = this.nextSeq++;
    this.lastT = events[events.length - 1]!.t;
    this.lastTAt = performance.now();
    let stopped = false;
    for (const event of events) {
      if (event.type === 'run.stopped' && this.currentState !== 'error') {
        this.currentState = 'stopped';
        stopped = true;
      }
    }
    // Neither throws: a database that refuses writes costs recorded events, never the run
    // (and this runs inside the sandbox's message listener, where a throw would end the server).
    this.recorder.add(events);
    if (stopped) this.recorder.finish('stopped');
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // One broken subscriber must not stop the recording or the others.
      }
    }
  }

  /** An event that the host itself observed (the sandbox may be gone), stamped on the run's timeline. */
  private emitHere(event: TelemetryInput): void {
    const t = Math.round((this.lastT + (performance.now() - this.lastTAt)) * 1000) / 1000;
    this.record([{ ...event, t, runId: this.options.id } as UnsequencedEvent]);
  }

  private fail(fatal: SandboxFatal): void {
    if (this.currentState === 'error' || this.currentState === 'stopped') return;
    this.currentState = 'error';
    this.failure = {
      message: fatal.message,
      ...(fatal.file !== undefined && { file: fatal.file }),
      ...(fatal.line !== undefined && { line: fatal.line }),
      ...(fatal.column !== undefined && { column: fatal.column }),
      ...(fatal.stack !== undefined && { stack: fatal.stack }),
    };
    this.emitHere({ type: 'run.error', ...this.failure });
    this.emitHere({ type: 'run.stopped', reason: 'error' });
    this.recorder.finish('error', fatal.message);
  }
}
