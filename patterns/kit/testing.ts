/**
 * Lab tests on virtual time: one LabContext fake for every pattern's lab
 * tests, so a lab test says what it drives and what it expects, not how a run
 * works. (Test code only: labs never import this file, and the kit's index
 * does not export it.)
 *
 *   const harness = makeTestLabContext({ params: { ...paymentsParams.defaults, resetTimeoutMs: 2_000 } });
 *   const lab = await start(harness.ctx);
 *   harness.setFault('payments', { status: 503, latencyMs: 1 });
 *   const results = await harness.drive(lab, { rate: 20, untilMs: 1_000 });
 *   expect(eventsOf(harness.events, 'circuit.state')).toMatchObject([{ to: 'open' }]);
 *
 * What the fake does, as the run engine would:
 * - `clock` is a VirtualClock; telemetry and logs are recorded in `events`
 *   with their virtual time `t`.
 * - `ctx.service(point, definition)` answers with `definition`, unless a fault
 *   is set for `point`; every call is recorded in `calls` (time, point,
 *   request id, request). Calls honour `timeoutMs` and `signal` as the real
 *   client does (DownstreamError ETIMEDOUT / ABORTED).
 * - `ctx.server(name, definition)` calls `definition` directly.
 * - `ctx.fault(point)` is an in-process fault point: `hit()` throws while a
 *   fault is set for `point`.
 * - `ctx.db` is what `options.db` makes (with the fake's clock and event
 *   recorder, so `sql` events land in `events`); without it every call
 *   rejects. The kit cannot open SQLite itself (it depends on nothing, and lab
 *   code may import kit files): a test passes the engine's, e.g.
 *   `db: (h) => new RunDatabase({ ...h, connection: memoryDatabase() })`
 *   (server/runs/lab-database.ts and server/runs/testing.ts).
 * - `send` (and `drive`) hand a request to the lab inside its request scope,
 *   so `ctx.currentRequestId()` follows it across async calls.
 * - `ctx.invariant(id, holds, detail)` checks against the invariants of
 *   `options.lab` (the lab's manifest): a break is an `invariant.violated`
 *   event in `events` (and in `violations`), an undeclared id throws
 *   UndeclaredInvariantError at the call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { VirtualClock } from './clock.ts';
import { unavailableDatabase, type LabDatabase } from './database.ts';
import { downstreamDeadline, untilAborted, withDeadline } from './deadline.ts';
import { Emitter } from './events.ts';
import { DownstreamError, type HttpClient, type HttpRequest, type HttpResponse, type ServiceDefinition } from './http.ts';
import { makeInvariantCheck } from './invariants.ts';
import type { Broker } from './job-queue.ts';
import type { InProcessFault, LabContext, LabInstance, LabManifest, LabResult, Params } from './lab.ts';
import { SeededRandom } from './random.ts';
import type { LogLevel, TelemetryInput } from './telemetry.ts';

/** A telemetry event as the fake recorded it: with its virtual time. */
export type Recorded = TelemetryInput & { t: number };

/**
 * What a fault does to one call. An answer (`status`, after `latencyMs`),
 * a call that never answers (`hang`), a reset connection (`reset`), or, for
 * an in-process point, a thrown exception (any fault set there throws).
 * `undefined` lets the call through.
 */
export type TestFault =
  | { status: number; headers?: Record<string, string>; body?: unknown; latencyMs?: number }
  | 'hang'
  | 'reset'
  | 'exception'
  | undefined;

/** One call to a downstream service. */
export interface DownstreamCall {
  t: number;
  point: string;
  requestId: string | undefined;
  request: HttpRequest;
}

export interface TestLabOptions {
  /** The lab's params (`ctx.params`). Tip: spread the lab's `defineParams(...).defaults` first. */
  params?: Params;
  /** Seeds `ctx.random`. Default 7. */
  seed?: number;
  /** The clock; default a new VirtualClock. */
  clock?: VirtualClock;
  /** Makes `ctx.db`, given the fake's clock, event recorder and request scope. Default: none (calls reject). */
  db?: (harness: { clock: VirtualClock; emit: (event: TelemetryInput) => void; requestId: () => string | undefined }) => LabDatabase;
  /** The lab's manifest, for the invariants `ctx.invariant` may check (none when omitted). */
  lab?: Pick<LabManifest, 'id' | 'invariants'>;
  /** `ctx.broker`. Default: none, as in a workbench started without `--redis`. */
  broker?: Broker;
}

export interface DriveOptions {
  /** Requests per second (open model). */
  rate: number;
  /** Sends until virtual time reaches this. */
  untilMs: number;
  /** Round-robin over `client-0` … `client-(clients-1)`. Default 1. */
  clients?: number;
  /** The request ids, from the request's number. Default `req-<n>`. */
  id?: (n: number) => string;
  /** Virtual time to let pass after the last request is sent. Default 0. */
  settleMs?: number;
}

export type DrivenResult = LabResult & { id: string; clientKey: string };

export interface TestLabContext {
  ctx: LabContext;
  clock: VirtualClock;
  /** Telemetry and logs, in order, with their virtual time. */
  events: Recorded[];
  /** Every downstream call, in order. */
  calls: DownstreamCall[];
  /** The `invariant.violated` events so far, in order (the same array throughout: safe to destructure). */
  readonly violations: Array<Extract<Recorded, { type: 'invariant.violated' }>>;
  /** The in-process fault points the lab asked for, in order. */
  faultPoints: string[];
  /** Sets the fault for `point` (a function is asked once per call), or clears it with `undefined`. */
  setFault(point: string, fault: TestFault | (() => TestFault)): void;
  /** Sets the fault for every point that has none of its own. */
  setDefaultFault(fault: TestFault | (() => TestFault)): void;
  /** Sends one request as the engine would: inside its request scope. */
  send(lab: LabInstance, id: string, clientKey?: string): Promise<LabResult>;
  /** Open-model load on virtual time; resolves with every request's result once all have answered. */
  drive(lab: LabInstance, options: DriveOptions): Promise<DrivenResult[]>;
  /** Fires `ctx.onParamsChanged`. */
  changeParams(params: Params): void;
}

/** Injected answers are copied, so no two calls share an object. */
const answer = (fault: { status: number; headers?: Record<string, string>; body?: unknown }): HttpResponse => ({
  status: fault.status,
  headers: { ...fault.headers },
  body: fault.body === undefined ? { injected: true } : structuredClone(fault.body),
});

/** A LabContext on a VirtualClock for lab tests; see the top of this file. */
export function makeTestLabContext(options: TestLabOptions = {}): TestLabContext {
  const clock = options.clock ?? new VirtualClock();
  const events: Recorded[] = [];
  const calls: DownstreamCall[] = [];
  const faultPoints: string[] = [];
  const requestScope = new AsyncLocalStorage<string>();
  const faults = new Map<string, TestFault | (() => TestFault)>();
  let defaultFault: TestFault | (() => TestFault) = undefined;
  const paramsChanged = new Emitter<Params>();

  const faultFor = (point: string): TestFault => {
    const fault = faults.has(point) ? faults.get(point) : defaultFault;
    return typeof fault === 'function' ? fault() : fault;
  };

  const violations: TestLabContext['violations'] = [];
  const emit = (event: TelemetryInput) => {
    const recorded = { ...event, t: clock.now() };
    events.push(recorded);
    if (recorded.type === 'invariant.violated') violations.push(recorded);
  };
  const logAt =
    (level: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      emit({ type: 'log', level, msg, fields });

  const service = (point: string, definition: ServiceDefinition): HttpClient => ({
    request(request) {
      calls.push({ t: clock.now(), point, requestId: requestScope.getStore(), request });
      const injected = faultFor(point);
      return withDeadline(
        async (signal): Promise<HttpResponse> => {
          if (injected === 'hang') return untilAborted(signal);
          if (injected === 'reset') throw new DownstreamError('ECONNRESET', point);
          if (injected === 'exception') throw new Error(`injected fault at ${point} (exception)`);
          if (injected) {
            if (injected.latencyMs) await clock.sleep(injected.latencyMs, signal);
            return answer(injected);
          }
          const { method = 'GET', path, headers = {}, body } = request;
          return definition.handle({ method, path, headers, body });
        },
        downstreamDeadline(clock, point, request),
      );
    },
  });

  const server = (_name: string, definition: ServiceDefinition): HttpClient => ({
    async request({ method = 'GET', path, headers = {}, body }) {
      return definition.handle({ method, path, headers, body });
    },
  });

  const fault = (point: string): InProcessFault => {
    faultPoints.push(point);
    return {
      async hit() {
        if (faultFor(point) !== undefined) throw new Error(`injected fault at ${point} (exception)`);
      },
    };
  };

  const ctx: LabContext = {
    runId: 'test-run',
    clock,
    random: new SeededRandom(options.seed ?? 7),
    params: options.params ?? {},
    onParamsChanged: paramsChanged.event,
    emit,
    service,
    server,
    fault,
    currentRequestId: () => requestScope.getStore(),
    db: options.db
      ? options.db({ clock, emit, requestId: () => requestScope.getStore() })
      : unavailableDatabase('this test context has no database: pass makeTestLabContext({ db })'),
    broker: options.broker,
    invariant: makeInvariantCheck({ labId: options.lab?.id ?? 'test-lab', invariants: options.lab?.invariants ?? [], emit }),
    log: { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
  };

  const send = (lab: LabInstance, id: string, clientKey = 'client-0'): Promise<LabResult> =>
    requestScope.run(id, () => lab.handle({ id, clientKey }));

  const drive = async (lab: LabInstance, { rate, untilMs, clients = 1, id = (n) => `req-${n}`, settleMs = 0 }: DriveOptions) => {
    const results: Array<Promise<DrivenResult>> = [];
    for (let n = 0; clock.now() < untilMs; n++) {
      const requestId = id(n);
      const clientKey = `client-${n % clients}`;
      results.push(send(lab, requestId, clientKey).then((result) => ({ ...result, id: requestId, clientKey })));
      await clock.advance(1_000 / rate);
    }
    if (settleMs > 0) await clock.advance(settleMs);
    return Promise.all(results);
  };

  return {
    ctx,
    clock,
    events,
    calls,
    violations,
    faultPoints,
    setFault: (point, next) => {
      if (next === undefined) faults.delete(point);
      else faults.set(point, next);
    },
    setDefaultFault: (next) => {
      defaultFault = next;
    },
    send,
    drive,
    changeParams: (params) => paramsChanged.fire(params),
  };
}

/** The events of one type, narrowed. */
export const eventsOf = <K extends Recorded['type']>(events: Recorded[], type: K) =>
  events.filter((e): e is Extract<Recorded, { type: K }> => e.type === type);

/** The most calls in any `bucketMs`-long slice of time from `fromMs` on. */
export const peakPerBucket = (calls: ReadonlyArray<{ t: number }>, bucketMs: number, fromMs = 0): number => {
  const counts = new Map<number, number>();
  for (const { t } of calls) {
    if (t < fromMs) continue;
    const bucket = Math.floor((t - fromMs) / bucketMs);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  return Math.max(0, ...counts.values());
};
