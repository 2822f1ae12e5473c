/**
 * Telemetry: typed records of what happened in a run. Every event has `type`,
 * `t` (ms since the run started, on the run's clock), `runId` and `seq` (its
 * place in the run: 0, 1, 2, … in the order the run's host recorded it; the
 * same number in the store, the API and the live stream).
 *
 * The map below is open: a pattern adds its own event types by augmenting
 * `TelemetryEventMap` (declaration merging), and they flow like the core ones.
 */
import type { FaultErrorKind, FaultSpec } from './faults.ts';
import type { LoadProfile } from './load.ts';

export type RequestOutcome = 'ok' | 'error' | 'rejected' | 'timeout';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type ParamValue = number | string | boolean;

export interface TelemetryEventMap {
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
  'load.progress': { sent: number; completed: number; inFlight: number; elapsedMs: number; durationMs?: number; amount?: number; done: boolean };
  'params.changed': { params: Record<string, ParamValue> };
  'circuit.state': { name: string; from: string; to: string; reason?: string };
  'retry.attempt': { requestId: string; attempt: number; delayMs: number; error: string };
  'retry.giveup': { requestId: string; attempts: number; error: string };
  'event.published': { eventId: string; name: string };
  'event.handled': { eventId: string; handler: string; ok: boolean; durationMs: number; attempt: number; error?: string };
  'event.deadletter': { eventId: string; handler: string; attempts: number; error: string };
  ratelimit: { key: string; allowed: boolean; remaining: number; limit: number; algorithm: string };
  log: { level: LogLevel; msg: string; fields: Record<string, unknown> };
  'job.state': { jobId: string; from: string; to: string; attempt: number; error?: string };
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

export type TelemetryType = keyof TelemetryEventMap;

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
}
