/**
 * What the controls show, read from the run's stream: each fault point's
 * current spec, the load profile and its progress, the parameters, and how
 * the run started, errored or stopped. The stream is the truth for changes
 * made anywhere (another tab, a test); `RunDetail` fills in what came before
 * the page subscribed.
 */
import type { RunDetail, RunState } from '../../../../../server/http/api-types.ts';
import type { FaultSpec, LabManifest, LoadProfile, Params, TelemetryEvent, TelemetryOf } from '../../../../../patterns/kit/index.ts';
import { healthy } from './faults/faultForm.ts';
import type { ViewReducer } from '../../../views/shared/reducer.ts';

export interface StreamState {
  faults: Record<string, FaultSpec>;
  load: LoadProfile | undefined;
  params: Params | undefined;
  progress: TelemetryOf<'load.progress'> | undefined;
  started: TelemetryOf<'run.started'> | undefined;
  error: TelemetryOf<'run.error'> | undefined;
  stopped: TelemetryOf<'run.stopped'> | undefined;
  deploys: number;
  firstT: number | undefined;
  lastT: number;
}

export const streamStateReducer: ViewReducer<StreamState, StreamState> = {
  init: () => ({
    faults: {},
    load: undefined,
    params: undefined,
    progress: undefined,
    started: undefined,
    error: undefined,
    stopped: undefined,
    deploys: 0,
    firstT: undefined,
    lastT: 0,
  }),
  step(acc, event: TelemetryEvent) {
    acc.firstT ??= event.t;
    acc.lastT = Math.max(acc.lastT, event.t);
    switch (event.type) {
      case 'fault.changed':
        acc.faults[event.point] = event.spec;
        return;
      case 'load.changed':
        acc.load = event.profile;
        return;
      case 'load.progress':
        acc.progress = event;
        return;
      case 'params.changed':
        acc.params = event.params;
        return;
      case 'run.started':
        acc.started = event;
        return;
      case 'run.error':
        acc.error = event;
        return;
      case 'run.deployed':
        acc.deploys++;
        return;
      case 'run.stopped':
        acc.stopped = event;
        return;
      default:
        return;
    }
  },
  view: (acc) => ({ ...acc, faults: { ...acc.faults } }),
};

export interface ControlsState {
  state: RunState | 'none';
  faults: Record<string, FaultSpec>;
  load: LoadProfile | undefined;
  params: Params;
}

/** One shared object, so an untouched point's spec keeps its identity from render to render. */
const HEALTHY: FaultSpec = Object.freeze(healthy()) as FaultSpec;

const defaults = (lab: LabManifest): Params => Object.fromEntries(lab.params.map((p) => [p.id, p.default]));

/** The stream's latest word wins over the run's detail, which wins over the lab's defaults. */
export const controlsState = (lab: LabManifest, detail: RunDetail | undefined, stream: StreamState): ControlsState => {
  const faults: Record<string, FaultSpec> = {};
  for (const point of lab.faultPoints) faults[point.id] = stream.faults[point.id] ?? detail?.faults?.[point.id] ?? HEALTHY;
  let state: ControlsState['state'] = detail ? detail.state : 'none';
  if (stream.stopped && state !== 'error') state = 'stopped';
  return {
    state,
    faults,
    load: stream.load ?? detail?.load,
    params: { ...defaults(lab), ...detail?.params, ...stream.params },
  };
};
