/**
 * Telemetry: typed records of what happened in a run. Every event has `type`,
 * `t` (ms since the run started, on the run's clock), `runId` and `seq` (its
 * place in the run: 0, 1, 2, … in the order the run's host recorded it; the
 * same number in the store, the API and the live stream).
 *
 * The kit declares the core types below: those every lab emits or the
 * platform emits for it (the run's life, requests, faults, load, params,
 * logs, SQL, invariants, metrics). A pattern declares its own in its folder,
 * `patterns/<id>/telemetry.ts`, by augmenting `TelemetryEventMap`
 * (declaration merging), and says beside each how it reaches a browser that
 * falls behind (`Delivery`); its manifest lists them (`PatternManifest.telemetry`).
 * Once declared they flow like the core ones.
 */
import type { FaultErrorKind, FaultSpec } from './faults.ts';
import type { LoadProfile } from './load.ts';

export type RequestOutcome = 'ok' | 'error' | 'rejected' | 'timeout';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type ParamValue = number | string | boolean;

/**
 * The kit's core event types: what any lab may emit, or the platform emits
 * for it. A pattern never redeclares one of these (the workbench refuses it at
 * start); it declares its own by augmenting `TelemetryEventMap` below.
 */
export interface CoreTelemetryEventMap {
  'run.started': { patternId: string; lab: string; seed: number; versions: Record<string, number> };
  'run.deployed': { file: string; version: number };
  'run.error': { message: string; file?: string; line?: number; column?: number; stack?: string };
  'run.stopped': { reason: 'user' | 'error' | 'shutdown' };
  request: {
    id: string;
    direction: 'inbound' | 'outbound';
    /** The route for inbound requests, the fault point for outbound ones. */
    target: string;
    outcome: RequestOutcome;
    status?: number;
    durationMs: number;
    attempt?: number;
    parentId?: string;
    clientKey?: string;
    error?: string;
  };
  'fault.injected': { point: string; kind: FaultErrorKind | 'latency'; status?: number; latencyMs?: number; requestId?: string };
  'fault.changed': { point: string; spec: FaultSpec };
  'load.changed': { profile: LoadProfile };
  /**
   * How far the current load has got: every 250 ms while it runs, and once (`done`) when it ends.
   * While it runs it also says whether the workbench itself keeps up with the load, so a lab can
   * tell its own overload from the pattern's (server/load/saturation.ts). Those four fields are
   * absent before the first tick, on the final event, and from runs recorded before they existed.
   */
  'load.progress': {
    sent: number;
    completed: number;
    inFlight: number;
    elapsedMs: number;
    durationMs?: number;
    amount?: number;
    done: boolean;
    /**
     * Open model: the rate the profile asked for over the last second, ramps included, in
     * requests per second. Absent for the closed model: its clients go as fast as the lab answers.
     */
    targetRate?: number;
    /** Requests handed to the lab per second, over the last second. */
    sentRate?: number;
    /**
     * p99 delay of the event loop that runs the load generator and the lab, over the last
     * second, in ms. Live runs only (on virtual time nothing waits on a loop).
     */
    loopLagMs?: number;
    /**
     * The workbench cannot keep up: the generator has sent under 90 % of its target rate, or the
     * loop lag has been over 100 ms, for 2 s on end; cleared after 2 s back above 95 % and 50 ms.
     * While it holds, the lab's numbers show the workbench's limits, not the pattern's.
     */
    saturated?: boolean;
  };
  /**
   * The run's parameters changed: all of them as they are now, and whether the
   * lab started afresh with them (it has no `updateParams`, so its state, its
   * circuits and services, began again) or took them in place.
   */
  'params.changed': { params: Record<string, ParamValue>; restarted: boolean };
  log: { level: LogLevel; msg: string; fields: Record<string, unknown> };
  /**
   * One statement through `ctx.db`: `rows` read (queries) or changed (writes);
   * `durationMs` on the run's clock, injected latency included; `error` when it failed.
   */
  sql: { statement: string; rows: number; durationMs: number; error?: string; requestId?: string };
  /** A lab's declared invariant (`LabManifest.invariants`) did not hold. Never dropped by the live hub. */
  'invariant.violated': { invariant: string; detail: string };
  /** A periodic summary of inbound requests over the last `windowMs`. */
  metrics: {
    windowMs: number;
    count: number;
    /** Requests per second. */
    rate: number;
    errors: number;
    rejected: number;
    /** Share of requests that did not end `ok`, 0 to 1. */
    errorRate: number;
    p50: number;
    p90: number;
    p99: number;
    p999: number;
  };
}

/**
 * Every event type a run may emit: the core ones, and each pattern's own,
 * added from its folder by declaration merging:
 *
 * ```ts
 * declare module '../kit/telemetry.ts' {
 *   interface TelemetryEventMap {
 *     'circuit.state': { name: string; from: string; to: string; reason?: string };
 *   }
 * }
 * ```
 *
 * Its body is empty on purpose: the kit's part is `CoreTelemetryEventMap`.
 */
export interface TelemetryEventMap extends CoreTelemetryEventMap {}

export type CoreTelemetryType = keyof CoreTelemetryEventMap;
export type TelemetryType = keyof TelemetryEventMap;

/**
 * How an event type reaches a browser that falls behind the live stream.
 *
 * - `droppable`: high-volume detail (each request, log line, SQL statement).
 *   A browser that cannot keep up may lose some; the live hub counts what it
 *   dropped, by type, and sends the summary with the next batch. A view that
 *   needs exact totals takes them from a summary event (`metrics`).
 * - `always`: never dropped: state changes, summaries, verdicts — what a view
 *   needs to show the present truly, and rare enough not to swamp anyone. The
 *   hub sheds every droppable event first; only a browser so far behind that
 *   these alone overflow its queue loses the oldest of them (and never an
 *   `invariant.violated`), counted like any other.
 *
 * This is about the live stream only: the run's recorded history is not
 * shed by type.
 */
export type Delivery = 'always' | 'droppable';

/** Event types and how each is delivered: the kit's core ones, or a pattern's own (its `telemetry.ts`). */
export type TelemetryDelivery = Record<string, Delivery>;

/**
 * The core types and their delivery. Requests, logs, SQL statements, injected
 * faults and load progress come by the hundred a second and are summarised
 * elsewhere (`metrics`, the latest `load.progress`): droppable. The rest are
 * the run's state and its verdicts: always. (`load.progress` also carries the
 * workbench's saturation verdict, but as a state repeated every 250 ms rather
 * than a change: a lost one is made good by the next.)
 */
export const CORE_TELEMETRY: Readonly<Record<CoreTelemetryType, Delivery>> = {
  'run.started': 'always',
  'run.deployed': 'always',
  'run.error': 'always',
  'run.stopped': 'always',
  request: 'droppable',
  'fault.injected': 'droppable',
  'fault.changed': 'always',
  'load.changed': 'always',
  'load.progress': 'droppable',
  'params.changed': 'always',
  log: 'droppable',
  sql: 'droppable',
  'invariant.violated': 'always',
  metrics: 'always',
};

/** Whether `type` is one of the kit's core event types. */
export const isCoreTelemetryType = (type: string): type is CoreTelemetryType => Object.hasOwn(CORE_TELEMETRY, type);

/** An event as pattern and lab code emit it: the run adds `t` and `runId`. */
export type TelemetryInput = { [K in TelemetryType]: { type: K } & TelemetryEventMap[K] }[TelemetryType];

/** An event as the run emits it, before its host numbers it (`seq`). */
export type UnsequencedEvent = TelemetryInput & { t: number; runId: string };

/** An event as recorded and streamed: numbered by the run's host, once, in the order it recorded it. */
export type TelemetryEvent = UnsequencedEvent & { seq: number };

export type TelemetryOf<K extends TelemetryType> = { type: K; t: number; runId: string; seq: number } & TelemetryEventMap[K];

/** What the live WebSocket sends a few times a second. */
export interface TelemetryBatch {
  runId: string;
  /** In `seq` order; a gap is an event dropped for this client (counted in `dropped`). */
  events: TelemetryEvent[];
  /** Events this client did not get because it fell behind (since the last batch). */
  dropped: number;
  /** `dropped`, by event type (`{ request: 1100, log: 140 }`): what the client is missing. */
  droppedByType: Record<string, number>;
}
