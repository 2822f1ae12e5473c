/**
 * The run engine: one lab running with one code version at a time, on one
 * clock. It owns what outlives a deploy — fault specs, the load generator,
 * parameters, the metrics window — and restarts the lab instance when new
 * code or parameters arrive. It runs inside the sandbox process for live runs
 * (real clock, real loopback services) and in-process for virtual time
 * (contract tests, exercise checks), with the same code.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  Broker,
  Clock,
  FaultSpec,
  HttpClient,
  HttpRequest,
  InProcessFault,
  LabContext,
  LabInstance,
  LabManifest,
  LabModule,
  LabRequest,
  LabResult,
  LoadProfile,
  Params,
  ServiceDefinition,
  UnsequencedEvent,
  TelemetryInput,
} from '../../patterns/kit/index.ts';
import { DatabaseError, DisposableStore, Emitter, healthySpec, isDownstreamError, makeInvariantCheck, SeededRandom } from '../../patterns/kit/index.ts';
import { FaultInjector } from '../faults/injector.ts';
import { InstanceResources, instanceScope, type LeftRunning } from './instance-resources.ts';
import { RunDatabase } from './lab-database.ts';
import type { SqlConnection } from '../sandbox/sql-channel.ts';
import type { FaultInjection } from '../faults/types.ts';
import { LoadGenerator } from '../load/generator.ts';
import { MetricsWindow } from '../load/metrics.ts';

/** Starts a downstream service behind a fault point: real loopback sockets, or simulated on the clock. */
export type ServiceFactory = (options: {
  point: string;
  definition: ServiceDefinition;
  clock: Clock;
  /** Read on every call; a new object is a newly applied spec. */
  getSpec: () => FaultSpec;
  /** Scheduled fault windows are in run time. */
  runStartedAt: number;
  onFault: (injection: FaultInjection) => void;
}) => { client: HttpClient; close(): void | Promise<void> };

export interface LabRunOptions {
  runId: string;
  patternId: string;
  lab: LabManifest;
  seed: number;
  clock: Clock;
  services: ServiceFactory;
  /** Receives every telemetry event, stamped. */
  emit: (event: UnsequencedEvent) => void;
  params?: Params;
  /**
   * Opens the run's database (`ctx.db`), for labs that declare a `database`
   * fault point: a connection to the SQL host (server/sandbox/sql-host.ts),
   * which holds the run's file (a live run; the run host removes it when the
   * run has ended) or memory (virtual-time runs, trials, tests). Called once,
   * as the run starts. Without it, such a lab's statements fail.
   */
  openDatabase?: () => Promise<SqlConnection>;
  /** The workbench's message broker (`ctx.broker`), when it was started with one. */
  broker?: Broker;
  /**
   * How long a replaced lab instance may go on finishing the requests it holds
   * before it is disposed anyway (reported as a `log` warning). Default 10 s,
   * longer than any lab's call timeout.
   */
  drainTimeoutMs?: number;
  /**
   * Bounds a lab's `start(ctx)` (the live sandbox gives it the sandbox's load deadline, on the
   * real clock): a start that never settles fails the deploy instead of hanging the run.
   */
  startWithin?: <T>(started: Promise<T>) => Promise<T>;
}

/** One started lab instance and what it holds. */
interface Instance {
  lab: LabInstance;
  module: LabModule;
  store: DisposableStore;
  closers: Array<() => void | Promise<void>>;
  paramsChanged: Emitter<Params>;
  /** What its code started on its own (timers, fetches): ended when it is disposed. */
  resources: InstanceResources;
  /** Requests it is serving now. */
  inFlight: number;
  /** Answers each request it holds with an error: called when it is disposed before answering them. */
  abandon: Set<() => void>;
  /** Set while it is retiring: called when its last request is answered. */
  onIdle?: () => void;
}

/** Default bound on how long a replaced instance may finish its requests. */
export const DRAIN_TIMEOUT_MS = 10_000;

interface RequestScope {
  requestId: string;
  /** Outbound calls per fault point within this request: the attempt number. */
  attempts: Map<string, number>;
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class LabRun {
  readonly startedAt: number;
  private readonly scope = new AsyncLocalStorage<RequestScope>();
  private readonly faults = new Map<string, FaultSpec>();
  private readonly inProcess = new Map<string, FaultInjector>();
  private readonly load: LoadGenerator;
  private readonly metrics: MetricsWindow;
  private readonly lifetime = new DisposableStore();
  private params: Params;
  private module: LabModule | undefined;
  /** The instance new requests go to. */
  private instance: Instance | undefined;
  /** Replaced instances still finishing their requests, each with what ends its wait at once. */
  private readonly retiring = new Map<Instance, { release: () => void; disposed: Promise<void> }>();
  private requestSeq = 0;
  private stopped = false;
  /** The run's database: made once, handed to every lab instance, closed when the run stops. */
  private readonly database: RunDatabase | undefined;
  /**
   * What each deployed module started while it was imported (timers at its top level): ended
   * once no instance of that module is left. Modules deployed without it have none here.
   */
  private readonly loaded = new Map<LabModule, InstanceResources>();

  constructor(private readonly options: LabRunOptions) {
    this.startedAt = options.clock.now();
    this.params = { ...defaultsOf(options.lab), ...options.params };
    for (const point of options.lab.faultPoints) this.faults.set(point.id, healthySpec());
    this.metrics = new MetricsWindow({ clock: options.clock, windowMs: 1000 });
    this.lifetime.add(this.metrics.onSummary((summary) => this.emit({ type: 'metrics', ...summary })));
    this.lifetime.add(this.metrics);
    this.load = new LoadGenerator({ clock: options.clock, target: (request) => this.serve(request) });
    this.lifetime.add(this.load.onProgress((progress) => this.emit({ type: 'load.progress', ...progress })));
    this.lifetime.add(this.load);
    const dbPoint = options.lab.faultPoints.find((p) => p.kind === 'database');
    if (dbPoint) {
      const injector = this.injectorFor(dbPoint.id);
      this.database = new RunDatabase({
        connection: options.openDatabase
          ? options.openDatabase()
          : Promise.reject(new DatabaseError('SQLITE_CANTOPEN', 'this run was started without a database to connect ctx.db to')),
        clock: options.clock,
        emit: (event) => this.emit(event),
        faults: { point: dbPoint.id, next: () => injector.next().decision },
        requestId: () => this.scope.getStore()?.requestId,
      });
    }
  }

  /** The run's database, if its lab declares a `database` fault point (for tests and the host). */
  get db(): RunDatabase | undefined {
    return this.database;
  }

  get currentParams(): Params {
    return { ...this.params };
  }

  /** Stamps and forwards one event. */
  emit(event: TelemetryInput): void {
    const t = Math.round((this.options.clock.now() - this.startedAt) * 1000) / 1000;
    this.options.emit({ ...event, t, runId: this.options.runId } as UnsequencedEvent);
  }

  /**
   * Starts `module` as the running lab. The new instance is started while the
   * current one goes on serving; once it runs, new requests go to it, and the
   * previous instance finishes the requests it already holds before it is
   * disposed (see `retire`): no request fails because of the swap. If the new
   * module throws while starting, the current instance simply goes on and the
   * error is rethrown: the run keeps its previous code.
   *
   * `loaded`: what importing `module` started, if the caller imported it within
   * `instanceScope` (the live sandbox does): it ends with the module's last instance.
   */
  async deploy(module: LabModule, loaded?: InstanceResources): Promise<void> {
    if (loaded && !this.loaded.has(module)) this.loaded.set(module, loaded);
    try {
      if (this.stopped) throw new Error('the run has stopped');
      const next = await this.startInstance(module);
      if (this.stopped) {
        await this.disposeInstance(next);
        throw new Error('the run has stopped');
      }
      const previous = this.instance;
      this.instance = next;
      this.module = module;
      if (previous) this.retire(previous);
    } catch (error) {
      // A module that never ran (or no longer runs): what its import started ends with it.
      this.endModuleIfUnused(module);
      throw error;
    }
  }

  /** Replaced instances that have not been disposed yet (they are finishing requests). */
  get retiringInstances(): number {
    return this.retiring.size;
  }

  setFault(point: string, spec: FaultSpec): void {
    if (!this.faults.has(point)) throw new RangeError(`unknown fault point '${point}'`);
    // A new spec object restarts the point's call numbering (failFirst counts afresh).
    this.faults.set(point, { ...spec });
    this.emit({ type: 'fault.changed', point, spec });
  }

  faultSpec(point: string): FaultSpec | undefined {
    return this.faults.get(point);
  }

  setLoad(profile: LoadProfile): void {
    this.load.setProfile(profile);
    this.emit({ type: 'load.changed', profile });
  }

  /**
   * Applies new parameter values. If the lab fails to start with them, it
   * goes on with the previous values (and code) and the error is rethrown.
   */
  async setParams(params: Params): Promise<void> {
    const previous = this.params;
    this.params = { ...this.params, ...params };
    const instance = this.instance;
    const inPlace = !!instance?.lab.updateParams;
    try {
      if (instance?.lab.updateParams) {
        instance.lab.updateParams({ ...this.params });
        instance.paramsChanged.fire({ ...this.params });
      } else if (this.module) {
        await this.deploy(this.module);
      }
    } catch (error) {
      // The instance running before goes on (deploy() only swaps once the new one runs).
      this.params = previous;
      throw error;
    }
    this.emit({ type: 'params.changed', params: { ...this.params }, restarted: !inPlace });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.lifetime.dispose();
    const current = this.instance;
    this.instance = undefined;
    // The run is over: instances still finishing requests are disposed now too.
    const retiring = [...this.retiring.values()];
    for (const { release } of retiring) release();
    try {
      await Promise.all([current && this.disposeInstance(current), ...retiring.map((r) => r.disposed)]);
    } finally {
      // No module runs any more: what their imports started ends too.
      for (const loaded of this.loaded.values()) loaded.dispose();
      this.loaded.clear();
      // Only once no lab instance is left to use it (or one failed to dispose). The file goes with
      // the run's folder, which the run host removes once the run has ended.
      await this.database?.close();
    }
  }

  /** Serves one inbound request through the current lab instance and records it. */
  async serve(request: Omit<LabRequest, 'id'> & { id?: string; intendedAt?: number }): Promise<LabResult> {
    const id = request.id ?? `req-${++this.requestSeq}`;
    // From the moment the request was due, not when it was sent: a stalled lab
    // shows up as latency in the request log too (coordinated omission).
    const start = request.intendedAt ?? this.options.clock.now();
    const instance = this.instance;
    let result: LabResult;
    if (!instance) {
      result = { outcome: 'error', error: 'no code is deployed' };
    } else {
      // Counted on the instance that took it: a redeploy lets that instance finish it.
      instance.inFlight++;
      try {
        const handled = instanceScope.run(instance.resources, () =>
          this.scope.run({ requestId: id, attempts: new Map() }, async () =>
            instance.lab.handle({ id, clientKey: request.clientKey, ...(request.signal && { signal: request.signal }) }),
          ),
        );
        result = await new Promise<LabResult>((resolve) => {
          // A request its instance still holds when it is disposed (past the drain bound) is
          // answered then: the code that held it is gone, and nothing would ever answer it.
          const abandon = () => resolve({ outcome: 'error', error: 'the code that held this request was disposed before answering it' });
          instance.abandon.add(abandon);
          handled
            .then(resolve, (error: unknown) => resolve({ outcome: 'error', error: errorMessage(error) }))
            .finally(() => instance.abandon.delete(abandon));
        });
      } finally {
        if (--instance.inFlight === 0) instance.onIdle?.();
      }
    }
    // A request cut off by stopping the run is not part of the run's story:
    // the run is over, and recording it would race with the final events.
    if (this.stopped) return result;
    const durationMs = this.options.clock.now() - start;
    this.metrics.record(result.outcome, durationMs);
    this.emit({
      type: 'request',
      id,
      direction: 'inbound',
      target: result.route ?? this.options.lab.id,
      outcome: result.outcome,
      ...(result.status !== undefined && { status: result.status }),
      durationMs,
      clientKey: request.clientKey,
      ...(result.error !== undefined && { error: result.error }),
    });
    return result;
  }

  private async startInstance(module: LabModule): Promise<Instance> {
    const store = new DisposableStore();
    const closers: Array<() => void | Promise<void>> = [];
    const paramsChanged = store.add(new Emitter<Params>());
    const resources = new InstanceResources('the lab instance');
    const ctx = this.makeContext(closers, paramsChanged, resources);
    let started: Promise<LabInstance> | undefined;
    try {
      // Everything start(ctx) sets going belongs to this instance (see instance-resources.ts).
      started = instanceScope.run(resources, () => Promise.resolve(module.start(ctx)));
      const lab = await (this.options.startWithin ? this.options.startWithin(started) : started);
      return { lab, module, store, closers, paramsChanged, resources, inFlight: 0, abandon: new Set() };
    } catch (error) {
      // A start given up on may still finish later: that instance is disposed, never used
      // (and whatever it sets going after this is ended at once: its resources are over).
      void started?.then((late) => instanceScope.run(resources, () => late.dispose()), () => undefined);
      store.dispose();
      resources.dispose();
      await Promise.all(closers.map((close) => close()));
      throw error;
    }
  }

  /**
   * Lets a replaced instance finish the requests it holds, then disposes it.
   * It is disposed anyway after the drain timeout (a request that hangs must
   * not keep old code alive for ever), and the run's log says so.
   */
  private retire(instance: Instance): void {
    const { clock } = this.options;
    const limitMs = this.options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS;
    const since = clock.now();
    let release!: () => void;
    const idle = new Promise<void>((resolve) => (release = resolve));
    instance.onIdle = release;
    const timer = clock.setTimeout(() => {
      if (instance.inFlight > 0 && !this.stopped) {
        this.emit({
          type: 'log',
          level: 'warn',
          msg: `the previous code still held ${instance.inFlight} request(s) ${limitMs} ms after the redeploy: disposed it anyway`,
          fields: { inFlight: instance.inFlight, drainTimeoutMs: limitMs },
        });
      }
      release();
    }, limitMs);
    if (instance.inFlight === 0) release();
    const disposed = idle.then(async () => {
      timer.dispose();
      instance.onIdle = undefined;
      try {
        await this.disposeInstance(instance);
      } catch (error) {
        if (!this.stopped) {
          this.emit({
            type: 'log',
            level: 'error',
            msg: `the previous code failed to dispose: ${errorMessage(error)}`,
            fields: { drainedMs: clock.now() - since },
          });
        }
      } finally {
        this.retiring.delete(instance);
      }
    });
    this.retiring.set(instance, { release, disposed });
  }

  private async disposeInstance(instance: Instance): Promise<void> {
    try {
      await instanceScope.run(instance.resources, () => instance.lab.dispose());
    } finally {
      instance.store.dispose();
      try {
        // Its downstreams and servers first, while their own pending work (a listener being
        // opened for a request, say) can still finish: a close must never wait for ever.
        await Promise.all(instance.closers.map((close) => close()));
      } finally {
        // Then what the lab did not end itself, the engine does.
        const left = instance.resources.dispose();
        for (const abandon of instance.abandon) abandon();
        instance.abandon.clear();
        this.endModuleIfUnused(instance.module, instance);
        this.reportLeft(left);
      }
    }
  }

  /**
   * Ends what importing `module` started, once no instance runs it any more: neither the
   * current one nor one still retiring (`leaving` is being disposed: it no longer counts).
   */
  private endModuleIfUnused(module: LabModule, leaving?: Instance): void {
    const loaded = this.loaded.get(module);
    if (!loaded) return;
    const runs = (instance: Instance | undefined) => instance !== undefined && instance !== leaving && instance.module === module;
    if (runs(this.instance) || [...this.retiring.keys()].some(runs)) return;
    this.loaded.delete(module);
    this.reportLeft(loaded.dispose());
  }

  /** A lab that leaves timers or calls going is worth knowing about: its dispose() misses them. */
  private reportLeft(left: LeftRunning): void {
    if (this.stopped || (left.timers === 0 && left.fetches === 0)) return;
    const parts = [left.timers > 0 && `${left.timers} timer(s)`, left.fetches > 0 && `${left.fetches} fetch call(s)`].filter(Boolean);
    this.emit({
      type: 'log',
      level: 'info',
      msg: `the previous code left ${parts.join(' and ')} going after it was disposed: ended them`,
      fields: { ...left },
    });
  }

  private makeContext(closers: Array<() => void | Promise<void>>, paramsChanged: Emitter<Params>, resources: InstanceResources): LabContext {
    const { clock, lab } = this.options;
    const declared = (point: string, kind: 'http' | 'in-process') => {
      const info = lab.faultPoints.find((p) => p.id === point);
      if (!info) throw new RangeError(`the lab declares no fault point '${point}'`);
      if (info.kind !== kind) throw new RangeError(`fault point '${point}' is ${info.kind}, not ${kind}`);
    };
    const log = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields: Record<string, unknown> = {}) => {
      const requestId = this.scope.getStore()?.requestId;
      this.emit({ type: 'log', level, msg, fields: requestId ? { requestId, ...fields } : fields });
    };
    const run = this;
    return {
      runId: this.options.runId,
      // The instance's own view of the run's clock: its timers end with it.
      clock: resources.clock(clock),
      random: new SeededRandom(this.options.seed),
      get params() {
        return { ...run.params };
      },
      onParamsChanged: paramsChanged.event,
      emit: (event) => this.emit(event),
      service: (point, definition) => {
        declared(point, 'http');
        // The engine's machinery, not the lab's: closed by its closer, not ended as a lab timer.
        const service = instanceScope.exit(() => this.options.services({
          point,
          // The lab's answer runs as the lab's code, whatever socket brought the call.
          definition: { handle: (request) => instanceScope.run(resources, () => definition.handle(request)) },
          clock,
          getSpec: () => this.faults.get(point)!,
          runStartedAt: this.startedAt,
          onFault: (injection) =>
            this.emit({ type: 'fault.injected', ...injection, point, requestId: this.scope.getStore()?.requestId }),
        }));
        closers.push(() => service.close());
        return this.instrument(point, service.client);
      },
      server: (name, definition) => {
        const healthy = healthySpec();
        // A real HTTP server answers in a fresh async context: carry the inbound
        // request's scope across the socket through its x-request-id header, so
        // logs and injected faults inside the server still name their request.
        const scoped: ServiceDefinition = {
          handle: (request) =>
            instanceScope.run(resources, () => {
              const requestId = request.headers['x-request-id'];
              if (this.scope.getStore() || !requestId) return definition.handle(request);
              return this.scope.run({ requestId, attempts: new Map() }, () => definition.handle(request));
            }),
        };
        const server = instanceScope.exit(() =>
          this.options.services({
            point: name,
            definition: scoped,
            clock,
            getSpec: () => healthy,
            runStartedAt: this.startedAt,
            onFault: () => undefined,
          }),
        );
        closers.push(() => server.close());
        return server.client;
      },
      fault: (point) => {
        declared(point, 'in-process');
        return this.inProcessFault(point);
      },
      currentRequestId: () => this.scope.getStore()?.requestId,
      get db() {
        if (!run.database) {
          throw new RangeError(
            `the lab declares no database: add a fault point { id: 'database', kind: 'database', … } to its manifest to use ctx.db`,
          );
        }
        return run.database;
      },
      broker: this.options.broker,
      // An undeclared id is a bug in the lab: the call throws, and the run says so once, naming the lab.
      invariant: makeInvariantCheck({
        labId: `${this.options.patternId}/${lab.id}`,
        invariants: lab.invariants ?? [],
        emit: (event) => this.emit(event),
        onUndeclared: (error) => this.emit({ type: 'run.error', message: error.message }),
      }),
      log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    };
  }

  /** The injector of an in-process or database point: one per point for the whole run, so call numbering survives a redeploy. */
  private injectorFor(point: string): FaultInjector {
    let injector = this.inProcess.get(point);
    if (!injector) {
      injector = new FaultInjector({ clock: this.options.clock, getSpec: () => this.faults.get(point)!, runStartedAt: this.startedAt });
      this.inProcess.set(point, injector);
    }
    return injector;
  }

  private inProcessFault(point: string): InProcessFault {
    const { clock } = this.options;
    const faults = this.injectorFor(point);
    return {
      hit: async () => {
        const { decision } = faults.next();
        const requestId = this.scope.getStore()?.requestId;
        if (decision.latencyMs > 0) {
          this.emit({ type: 'fault.injected', point, kind: 'latency', latencyMs: decision.latencyMs, requestId });
          await clock.sleep(decision.latencyMs);
        }
        if (decision.error) {
          this.emit({ type: 'fault.injected', point, kind: decision.error.kind, requestId });
          const message = decision.error.kind === 'exception' ? decision.error.message : undefined;
          throw new Error(message ?? `injected fault at ${point} (${decision.error.kind})`);
        }
      },
    };
  }

  /** Wraps a downstream client so every call becomes an outbound `request` event. */
  private instrument(point: string, client: HttpClient): HttpClient {
    const { clock } = this.options;
    return {
      request: async (request: HttpRequest) => {
        const scope = this.scope.getStore();
        const attempt = (scope?.attempts.get(point) ?? 0) + 1;
        scope?.attempts.set(point, attempt);
        const id = `${scope?.requestId ?? 'call'}/${point}/${attempt}`;
        const start = clock.now();
        const record = (outcome: 'ok' | 'error' | 'timeout', extra: { status?: number; error?: string }) =>
          this.emit({
            type: 'request',
            id,
            direction: 'outbound',
            target: point,
            outcome,
            durationMs: clock.now() - start,
            attempt,
            ...(scope && { parentId: scope.requestId }),
            ...extra,
          });
        try {
          const response = await client.request(request);
          record(response.status < 400 ? 'ok' : 'error', { status: response.status });
          return response;
        } catch (error) {
          const timedOut = isDownstreamError(error) && error.code === 'ETIMEDOUT';
          record(timedOut ? 'timeout' : 'error', { error: errorMessage(error) });
          throw error;
        }
      },
    };
  }
}

const defaultsOf = (lab: LabManifest): Params => Object.fromEntries(lab.params.map((p) => [p.id, p.default]));
