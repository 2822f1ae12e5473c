/**
 * Whether the current tour step cannot progress in the run's current state,
 * and what to do about it: a step's `blockedWhen` conditions, checked against
 * the faults, load and parameters the run's latest control events show (the
 * lab's defaults before any). Pure: unit-tested in node.
 */
import type { FaultSpec, LoadProfile, RunCondition, TelemetryEvent, TourStep } from '../../../../../patterns/kit/index.ts';
import { isHealthy } from '../lab/faults/faultForm.ts';

export interface RunStateNow {
  /** The spec at each point that has had one set; a point absent here is healthy. */
  faults: Map<string, FaultSpec>;
  /** The load profile in force, if known. */
  load: LoadProfile | undefined;
  /** Whether the last bounded load has finished (its progress said done). */
  loadDone: boolean;
  /** Parameter values in force, if known. */
  params: Record<string, unknown> | undefined;
}

/** What a lab starts with: its default load and parameter values. */
export interface LabDefaults {
  defaultLoad?: LoadProfile;
  params?: ReadonlyArray<{ id: string; default: unknown }>;
}

/** The run's current faults, load and params from its events (in arrival order), starting from the lab's defaults. */
export const runStateNow = (events: readonly TelemetryEvent[], runId?: string, defaults: LabDefaults = {}): RunStateNow => {
  const state: RunStateNow = {
    faults: new Map(),
    load: defaults.defaultLoad,
    loadDone: false,
    params: defaults.params ? Object.fromEntries(defaults.params.map((p) => [p.id, p.default])) : undefined,
  };
  for (const event of events) {
    if (runId !== undefined && event.runId !== runId) continue;
    if (event.type === 'fault.changed') state.faults.set(event.point, event.spec);
    else if (event.type === 'load.changed') {
      state.load = event.profile;
      state.loadDone = false;
    } else if (event.type === 'load.progress') state.loadDone = event.done;
    else if (event.type === 'params.changed') state.params = { ...state.params, ...event.params };
  }
  return state;
};

const faultInjected = (spec: FaultSpec | undefined): boolean => spec !== undefined && !isHealthy(spec);

const paramIs = (value: unknown, is: Extract<RunCondition, { param: string }>['is']): boolean => {
  if (is !== null && typeof is === 'object') {
    if (typeof value !== 'number' || Number.isNaN(value)) return false;
    const range = is as { gte?: number; lte?: number };
    return (range.gte === undefined || value >= range.gte) && (range.lte === undefined || value <= range.lte);
  }
  return value === is;
};

/** Whether one condition holds now; a condition on state not known does not. */
export const conditionHolds = (condition: RunCondition, state: RunStateNow): boolean => {
  if ('fault' in condition) return faultInjected(state.faults.get(condition.fault)) === condition.injected;
  if ('param' in condition) return state.params !== undefined && condition.param in state.params && paramIs(state.params[condition.param], condition.is);
  if (state.load === undefined) return false;
  const stopped = state.load.model === 'none' || state.loadDone;
  return condition.load === 'stopped' ? stopped : !stopped;
};

/** The hint of the step's first block whose every condition holds now, if any. */
export const blockedHint = (step: Pick<TourStep, 'blockedWhen'>, state: RunStateNow): string | undefined =>
  step.blockedWhen?.find((block) => block.when.length > 0 && block.when.every((c) => conditionHolds(c, state)))?.hint;
