/**
 * The lab contract. A lab wires a pattern's editable implementation to the
 * run: where traffic comes in, which downstream services and fault points
 * surround it, and which of the pattern's typed events become telemetry.
 * The pattern code itself stays free of telemetry calls.
 */
import type { Broker } from './job-queue.ts';
import type { Clock } from './clock.ts';
import type { LabDatabase } from './database.ts';
import type { Event } from './events.ts';
import type { FaultPointInfo } from './faults.ts';
import type { HttpClient, ServiceDefinition } from './http.ts';
import type { LoadProfile } from './load.ts';
import type { Random } from './random.ts';
import type { ViewSpec } from './views/index.ts';
import type { LogLevel, ParamValue, RequestOutcome, TelemetryDelivery, TelemetryInput } from './telemetry.ts';

/** Something a lab may use that the workbench has only when started with it: `redis` (`--redis`, see `ctx.broker`). */
export type WorkbenchFacility = 'redis';

/** One choice of an enum knob. */
export interface ParamOptionSpec {
  value: string;
  label: string;
  /** What the workbench must have been started with for this option to work. */
  needs?: WorkbenchFacility;
  /** Set by the workbench, not the lab: why this option cannot be chosen here (what it needs is missing). */
  unavailable?: string;
}

/** A knob a lab declares, changed live on a running run. */
export type ParamSpec = { id: string; label: string; description?: string } & (
  | { type: 'number' | 'integer'; default: number; min: number; max: number; step?: number; unit?: string }
  | { type: 'enum'; default: string; options: ParamOptionSpec[] }
  | { type: 'boolean'; default: boolean }
  /** Free text, up to `maxLength` characters; `rows` > 1 draws a text area (a `.env` file, say). */
  | { type: 'text'; default: string; maxLength: number; rows?: number }
);

export type Params = Record<string, ParamValue>;

/**
 * A correctness property a lab watches, in one sentence a learner reads
 * ("an open circuit lets no call through to payments"). The lab checks it
 * with `ctx.invariant(id, holds, detail)`; a break is `invariant.violated`.
 */
export interface InvariantSpec {
  /** Stable, kebab-case: what `ctx.invariant` names. */
  id: string;
  description: string;
}

/** A fault preset, as each fault panel of the Lab tab offers it (from the run's current time). */
export type FaultPreset = 'outage' | 'flapping' | 'slow' | 'fail';

/**
 * What the Lab tab says once a run starts, to a learner who does not yet know
 * where to look: one line on what to watch, and one thing to try first, a
 * button that does it.
 */
export interface LabGuide {
  /** One line (inline markdown: **bold**, `code`): the view to watch and what it will show. */
  watch: string;
  /**
   * The first thing to try, with a label that says what it does ("Fail every
   * call to payments"): a preset at one of the lab's fault points, parameters
   * to apply (each one the lab declares, with a value it accepts), or a load.
   */
  tryFirst: { label: string } & ({ fault: { point: string; preset: FaultPreset } } | { params: Params } | { load: LoadProfile });
}

/** A lab as its pattern's manifest lists it: plain data, readable without running anything. */
export interface LabManifest {
  id: string;
  title: string;
  summary: string;
  /** The lab's module, relative to the pattern folder; it exports `start(ctx)`. */
  module: string;
  faultPoints: FaultPointInfo[];
  params: ParamSpec[];
  /**
   * What the Lab tab draws, in order (see views/): generic views configured
   * here, as data. The first is the lab's main view, drawn first and largest.
   */
  views: ViewSpec[];
  /** Where to look and what to try first, shown once a run starts. */
  guide: LabGuide;
  /** The traffic a new run starts with. */
  defaultLoad: LoadProfile;
  /** What must never go wrong, whatever the faults and load: checked with `ctx.invariant`. */
  invariants: InvariantSpec[];
}

/** A pattern folder's manifest (`patterns/<id>/pattern.ts`). */
export interface PatternManifest {
  id: string;
  title: string;
  category: 'data' | 'structure' | 'messaging' | 'resilience' | 'operations' | 'api';
  summary: string;
  /** Files the learner may edit, relative to the pattern folder. */
  editableFiles: string[];
  labs: LabManifest[];
  /**
   * This pattern's own event types and how each reaches a browser that falls
   * behind (the `telemetry` of its `telemetry.ts`, beside their declarations);
   * the kit's core types need no entry. Every type its labs' views and its
   * tour name must be declared here or in the kit.
   */
  telemetry: TelemetryDelivery;
}

/** Structured logs from lab code; they become `log` telemetry. */
export type LabLogger = Record<LogLevel, (msg: string, fields?: Record<string, unknown>) => void>;

/** Applies an in-process fault point's spec to one call. */
export interface InProcessFault {
  /** Waits the injected latency, then throws when this call is chosen to fail. */
  hit(): Promise<void>;
}

/** What the run hands a lab when it starts. */
export interface LabContext {
  readonly runId: string;
  readonly clock: Clock;
  /** Seeded: the same seed makes the same choices. */
  readonly random: Random;
  /** The current parameter values (validated against the manifest). */
  readonly params: Readonly<Params>;
  readonly onParamsChanged: Event<Params>;
  /** Records a telemetry event; the run stamps `t` and `runId`. */
  emit(event: TelemetryInput): void;
  /** Starts a downstream service behind the fault point `point` and returns a client for it. */
  service(point: string, definition: ServiceDefinition): HttpClient;
  /**
   * Starts an HTTP server of the lab's own (a real one on loopback in live
   * runs, in-process on virtual time) and returns a client that calls it.
   * No fault proxy sits in front and its calls are not recorded as outbound
   * requests: it is the lab's entry, not a downstream.
   */
  server(name: string, definition: ServiceDefinition): HttpClient;
  /** The in-process fault point `point`. */
  fault(point: string): InProcessFault;
  /**
   * The run's SQLite database (see database.ts): one per run, kept across
   * redeploys and params changes, gone when the run stops. Every statement is
   * a `sql` event; the lab's `database` fault point (which it must declare,
   * kind `database`) makes statements slow, busy or locked.
   */
  readonly db: LabDatabase;
  /**
   * The message broker the workbench was started with (`--redis`): job queues
   * on BullMQ and Redis, kept by the server, each the run's own and removed
   * when the run stops. Undefined when the workbench has none (a lab offers
   * what needs it as an option that `needs: 'redis'`).
   */
  readonly broker: Broker | undefined;
  /** The id of the inbound request being served, if any (follows async calls). */
  currentRequestId(): string | undefined;
  /**
   * Checks the invariant `id` (declared in the lab's manifest): returns
   * `holds`, and when it does not hold records an `invariant.violated` event
   * with `detail` (a string, or a function called only on a break, so a check
   * that holds allocates nothing). An id the manifest does not declare is an
   * error at the call.
   */
  invariant(id: string, holds: boolean, detail?: string | (() => string)): boolean;
  readonly log: LabLogger;
}

/** One request from the load generator. */
export interface LabRequest {
  id: string;
  clientKey: string;
  signal?: AbortSignal;
}

export interface LabResult {
  outcome: RequestOutcome;
  status?: number;
  error?: string;
  /** The route or operation served, for the request log. */
  route?: string;
}

/** A started lab. */
export interface LabInstance {
  /** Serves one request. Failures are results, not rejections. */
  handle(request: LabRequest): Promise<LabResult>;
  /**
   * Applies new parameter values in place. Without it the run restarts the
   * lab with the new values (as it does on a deploy).
   */
  updateParams?(params: Params): void;
  /** Stops everything the lab started. */
  dispose(): void | Promise<void>;
}

/** What a lab module exports. */
export interface LabModule {
  start(ctx: LabContext): LabInstance | Promise<LabInstance>;
}
