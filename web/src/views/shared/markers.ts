/**
 * What changed during a run, as markers on its timeline: deploys, fault and
 * load changes, parameter changes, errors. Shared by the lab's timeline and
 * the charts, so a spike sits beside its cause.
 */
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { changedParams, describeFault, describeLoad, describeParams } from './describe.ts';
import { trimFront, type ViewReducer } from './reducer.ts';

export type MarkerKind = 'deploy' | 'fault' | 'load' | 'params' | 'error' | 'stop';

export interface Marker {
  t: number;
  kind: MarkerKind;
  /** Short: fits beside a tick. */
  label: string;
  /** Longer: for a tooltip. */
  detail: string;
}

export const MAX_MARKERS = 300;

interface MarkersAcc {
  markers: Marker[];
  params: Record<string, unknown> | undefined;
  /** When the run started; the fault specs and load set before and as it starts are its setup, not changes. */
  startedAt: number | undefined;
  initialLoadSeen: boolean;
}

/** The load a run starts with follows `run.started` within this long. */
const SETUP_MS = 500;

/**
 * Markers for a run whose parameters start at `initialParams` (the lab's
 * defaults), so the first change is labelled with what changed, not with
 * every parameter.
 */
export const makeMarkersReducer = (initialParams?: Record<string, unknown>): ViewReducer<MarkersAcc, Marker[]> => ({
  init: () => ({ markers: [], params: initialParams, startedAt: undefined, initialLoadSeen: false }),
  step(acc, event: TelemetryEvent) {
    if (event.type === 'run.started') acc.params = initialParams;
    const marker = toMarker(acc, event);
    if (!marker) return;
    acc.markers.push(marker);
    trimFront(acc.markers, MAX_MARKERS);
  },
  view: (acc, nowT) => acc.markers.filter((m) => m.t <= nowT).slice(-MAX_MARKERS),
});

export const markersReducer = makeMarkersReducer();

const toMarker = (acc: MarkersAcc, event: TelemetryEvent): Marker | undefined => {
  const { t } = event;
  switch (event.type) {
    case 'run.started':
      acc.startedAt = t;
      acc.initialLoadSeen = false;
      return undefined;
    case 'run.deployed':
      return { t, kind: 'deploy', label: `v${event.version}`, detail: `deployed ${event.file} v${event.version}` };
    case 'fault.changed': {
      // A run's setup sets every point's spec just before it starts.
      if (acc.startedAt === undefined && t <= SETUP_MS) return undefined;
      const what = describeFault(event.spec);
      return { t, kind: 'fault', label: `${event.point}: ${what}`, detail: `fault ${event.point}: ${what}` };
    }
    case 'load.changed': {
      const setup = acc.startedAt !== undefined && !acc.initialLoadSeen && t - acc.startedAt <= SETUP_MS;
      acc.initialLoadSeen = true;
      if (setup) return undefined;
      return { t, kind: 'load', label: `load: ${describeLoad(event.profile)}`, detail: `load ${describeLoad(event.profile)}` };
    }
    case 'params.changed': {
      const changed = changedParams(acc.params, event.params);
      acc.params = { ...event.params };
      const what = describeParams(changed) || 'unchanged';
      return { t, kind: 'params', label: what, detail: `params ${what}` };
    }
    case 'run.error': {
      const where = event.file ? ` (${event.file}:${event.line ?? '?'})` : '';
      return { t, kind: 'error', label: 'error', detail: `${event.message}${where}` };
    }
    case 'run.stopped':
      return { t, kind: 'stop', label: 'stop', detail: `run stopped (${event.reason})` };
    default:
      return undefined;
  }
};
