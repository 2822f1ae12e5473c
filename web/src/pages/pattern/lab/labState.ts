/**
 * What the controls show. The values — each fault point's spec, the load
 * profile, the parameters, the code versions — come from the run's current
 * state (GET /api/runs/:id), never from replaying its history: a page loads
 * only the newest events, and a fault cleared long ago must not come back on
 * a reload. The stream says when to read that state again (`controlSeq` moves
 * on every fault, load, params or deploy event) and carries what is live by
 * nature: the load's progress, and whether the run errored or stopped.
 *
 * A change newer than the state read (its `seq` above `RunDetail.seq`) shows
 * at once, until the state is read again: it happened after, so it is true.
 * A stopped run has no current state; its last recorded values stand in.
 */
import type { RunDetail, RunState } from '../../../../../server/protocol/api.ts';
import type { FaultSpec, LabManifest, LoadProfile, Params, TelemetryEvent, TelemetryOf } from '../../../../../patterns/kit/index.ts';
import { healthy } from './faults/faultForm.ts';
import type { ViewReducer } from '../../../views/shared/reducer.ts';

export interface StreamState {
  progress: TelemetryOf<'load.progress'> | undefined;
  started: TelemetryOf<'run.started'> | undefined;
  error: TelemetryOf<'run.error'> | undefined;
  stopped: TelemetryOf<'run.stopped'> | undefined;
  deploys: number;
  /** The `seq` of the newest event that changed a control (fault, load, params, code); -1 before any. */
  controlSeq: number;
  /** The newest control values the stream carried, each with its event's `seq`. */
  latest: {
    faults: Record<string, { spec: FaultSpec; seq: number }>;
    load: { profile: LoadProfile; seq: number } | undefined;
    params: { params: Params; seq: number } | undefined;
  };
  firstT: number | undefined;
  lastT: number;
}

/** Events after which the run's current state (GET /api/runs/:id) is read again. */
export const CONTROL_EVENTS: ReadonlySet<string> = new Set(['fault.changed', 'load.changed', 'params.changed', 'run.deployed']);

export const streamStateReducer: ViewReducer<StreamState, StreamState> = {
  init: () => ({
    progress: undefined,
    started: undefined,
    error: undefined,
    stopped: undefined,
    deploys: 0,
    controlSeq: -1,
    latest: { faults: {}, load: undefined, params: undefined },
    firstT: undefined,
    lastT: 0,
  }),
  step(acc, event: TelemetryEvent) {
    acc.firstT ??= event.t;
    acc.lastT = Math.max(acc.lastT, event.t);
    if (CONTROL_EVENTS.has(event.type)) acc.controlSeq = Math.max(acc.controlSeq, event.seq);
    switch (event.type) {
      case 'fault.changed':
        acc.latest.faults[event.point] = { spec: event.spec, seq: event.seq };
        return;
      case 'load.changed':
        acc.latest.load = { profile: event.profile, seq: event.seq };
        return;
      case 'params.changed':
        acc.latest.params = { params: event.params, seq: event.seq };
        return;
      case 'load.progress':
        acc.progress = event;
        return;
      case 'run.started':
        acc.started = event;
        return;
      case 'run.error':
        acc.error = event;
        return;
      case 'run.deployed':
        acc.deploys++;
        // A later deploy worked: the error (a save that was not deployed, say) is behind the run.
        acc.error = undefined;
        return;
      case 'run.stopped':
        acc.stopped = event;
        return;
      default:
        return;
    }
  },
  view: (acc) => ({ ...acc, latest: { ...acc.latest, faults: { ...acc.latest.faults } } }),
};

export interface ControlsState {
  state: RunState | 'none';
  faults: Record<string, FaultSpec>;
  load: LoadProfile | undefined;
  params: Params;
  /** The code version each editable file runs (0: the reference); empty before the run's state is read. */
  versions: Record<string, number>;
}

/** One shared object, so an untouched point's spec keeps its identity from render to render. */
const HEALTHY: FaultSpec = Object.freeze(healthy()) as FaultSpec;

const defaults = (lab: LabManifest): Params => Object.fromEntries(lab.params.map((p) => [p.id, p.default]));

/**
 * The run's current state over the lab's defaults, with changes the stream carried after that
 * state was read (see the top of this file); the stream also says sooner that the run stopped.
 */
export const controlsState = (lab: LabManifest, detail: RunDetail | undefined, stream: StreamState): ControlsState => {
  // Before the state is read nothing from the stream counts (it may be old history); a live
  // run's state reflects its events up to detail.seq; a stopped one has none of its own.
  const since = !detail ? Infinity : (detail.seq ?? (detail.live ? Infinity : -1));
  const newer = <T extends { seq: number }>(entry: T | undefined): T | undefined => (entry && entry.seq > since ? entry : undefined);
  const faults: Record<string, FaultSpec> = {};
  for (const point of lab.faultPoints) {
    faults[point.id] = newer(stream.latest.faults[point.id])?.spec ?? detail?.faults?.[point.id] ?? HEALTHY;
  }
  let state: ControlsState['state'] = detail ? detail.state : 'none';
  if (stream.stopped && state !== 'error') state = 'stopped';
  return {
    state,
    faults,
    load: newer(stream.latest.load)?.profile ?? detail?.load,
    params: { ...defaults(lab), ...detail?.params, ...newer(stream.latest.params)?.params },
    versions: { ...detail?.versions },
  };
};
