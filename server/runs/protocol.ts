/**
 * Messages between a run's host (the server) and its sandbox process. Small
 * control messages flow in; batches of telemetry flow out.
 */
import type { BrokerReply, BrokerRequest } from '../queues/broker-channel.ts';
import type { FaultSpec, LabManifest, LoadProfile, Params, UnsequencedEvent } from '../../patterns/kit/index.ts';

/** What the run's sandbox is started with. */
export interface RunStartData {
  runId: string;
  patternId: string;
  lab: LabManifest;
  seed: number;
  params: Params;
  faults: Record<string, FaultSpec>;
  load: LoadProfile;
  /** Version of each editable file in the bundle (0: the reference); files pinned by the run's start have none and are left out. */
  versions: Record<string, number>;
  /** The compiled lab bundle to import first. */
  bundleUrl: string;
  /** How often telemetry is flushed to the host. */
  flushEveryMs: number;
  /** The workbench's broker (`ctx.broker`), when it was started with Redis: what to call it. */
  broker?: { description: string };
}

export type HostMessage =
  | { type: 'deploy'; requestId: number; bundleUrl: string; file: string; version: number }
  | { type: 'fault'; point: string; spec: FaultSpec }
  | { type: 'load'; profile: LoadProfile }
  | { type: 'params'; requestId: number; params: Params }
  | { type: 'stop'; requestId: number; reason: 'user' | 'shutdown' }
  /** The answer to a `broker` message: not queued behind the others (a deploy may be waiting on it). */
  | { type: 'broker-reply'; reply: BrokerReply };

export interface LoadFailure {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  stack?: string;
}

export type RunMessage =
  /** Numbered (`seq`) by the host as it records them. */
  | { type: 'telemetry'; events: UnsequencedEvent[] }
  | { type: 'ready' }
  /** A call on one of the run's broker queues (see server/queues/broker-channel.ts). */
  | { type: 'broker'; request: BrokerRequest }
  | { type: 'reply'; requestId: number; ok: true }
  | { type: 'reply'; requestId: number; ok: false; error: LoadFailure };

/** One lab bundle a trial load imports and starts. */
export interface TrialLoad {
  lab: LabManifest;
  bundleUrl: string;
}

/** What a trial sandbox is asked; it answers each request in turn, with the same `id`. */
export interface TrialRequest {
  type: 'trial';
  id: number;
  patternId: string;
  loads: TrialLoad[];
}

/** A trial sandbox's answer when every load passed; a failing load ends the sandbox with a fatal instead. */
export interface TrialReply {
  type: 'trial-ok';
  id: number;
}
