/**
 * The state-machine view's model, built from its spec: per machine (a
 * circuit, a job) its current state and since when, its transitions as a band
 * of states along the run and as a short list with their reasons, the states
 * it has been in and the transitions it made that the spec did not expect;
 * the calls made while in `callsIn.state` (the half-open probes); and, with
 * `requestCounters`, the inbound request counters beside it.
 *
 * Memory is bounded: the newest MAX_TRANSITIONS transitions per machine, the
 * MAX_MACHINES most recently active machines.
 */
import type { StateMachineViewSpec, TelemetryEvent, TelemetryOf } from '../../../../patterns/kit/index.ts';
import { fieldOf } from '../shared/fields.ts';
import { typeOf, type ViewReducer } from '../shared/reducer.ts';
import { countRequest, initCounters, viewCounters, type CountersAcc, type RequestCountersModel } from './counters.ts';

export interface Transition {
  t: number;
  from: string;
  to: string;
  reason?: string;
}

export interface BandSegment {
  state: string;
  start: number;
  end: number;
}

/** Calls made while in `callsIn.state`, by how they ended. */
export interface Calls {
  ok: number;
  failed: number;
}

export interface MachineModel {
  name: string;
  state: string;
  /** When it entered its current state, run time ms. */
  since: number;
  last: Transition | undefined;
  /** Newest first, at most RECENT_TRANSITIONS. */
  recent: Transition[];
  /** All its transitions, counted over the run. */
  transitions: number;
  /** Its states from the band's start to `nowT`, in order. */
  band: BandSegment[];
  /** The states it has been in: an optional or undeclared state is drawn once visited. */
  visited: string[];
  /** Transitions it made that the spec does not declare: drawn once they happen. */
  undeclared: Array<{ from: string; to: string }>;
  /** With `callsIn`: the calls of its latest period in that state (reset on entering it). */
  calls: Calls | undefined;
}

export interface StateMachineModel {
  machines: MachineModel[];
  /** Machines no longer shown: past MAX_MACHINES, the least recently active ones are let go. */
  letGo: number;
  /** With `requestCounters`: the inbound requests, Hystrix-style. */
  requests: RequestCountersModel | undefined;
}

export const MAX_TRANSITIONS = 500;
export const RECENT_TRANSITIONS = 8;
export const MAX_MACHINES = 24;
/** Visited states and undeclared transitions remembered per machine: a diagram has room for no more. */
export const MAX_EXTRAS = 32;

/** Why a machine went back to its initial state when the lab restarted. */
export const RESTART_REASON = 'lab restarted';

interface MachineAcc {
  name: string;
  state: string;
  since: number;
  /** The state before the first kept transition, and from when: where the band starts. */
  before: { state: string; t: number };
  transitions: Transition[];
  count: number;
  visited: string[];
  undeclared: Array<{ from: string; to: string }>;
  calls: Calls;
}

interface Acc {
  /** By name, in the order they first appeared. */
  machines: Map<string, MachineAcc>;
  letGo: number;
  counters: CountersAcc;
}

/** The view's fold for one spec: the component builds it once per spec. */
export const makeStateMachineReducer = (spec: StateMachineViewSpec): ViewReducer<Acc, StateMachineModel> => {
  const fields = {
    name: spec.fields?.name,
    from: spec.fields?.from ?? 'from',
    to: spec.fields?.to ?? 'to',
    reason: spec.fields?.reason ?? 'reason',
  };
  const declared = new Set(spec.transitions.map((t) => `${t.from}\n${t.to}`));
  // Without a name field there is one machine, called after the view.
  const nameField = fields.name;
  const drawnFromStart = nameField !== undefined ? (spec.machines ?? []) : [spec.title];

  const newMachine = (name: string, state: string): MachineAcc => ({
    name,
    state,
    since: 0,
    before: { state, t: 0 },
    transitions: [],
    count: 0,
    visited: [state],
    undeclared: [],
    calls: { ok: 0, failed: 0 },
  });

  const machineOf = (acc: Acc, name: string, state: string): MachineAcc => {
    let machine = acc.machines.get(name);
    if (!machine) {
      if (acc.machines.size >= MAX_MACHINES) letGoQuietest(acc);
      machine = newMachine(name, state);
      acc.machines.set(name, machine);
    }
    return machine;
  };

  /** Drops the machine whose latest transition is oldest (never one drawn from the start). O(MAX_MACHINES). */
  const letGoQuietest = (acc: Acc): void => {
    let quietest: MachineAcc | undefined;
    for (const m of acc.machines.values()) {
      if (drawnFromStart.includes(m.name)) continue;
      if (!quietest || m.since < quietest.since) quietest = m;
    }
    if (!quietest) return;
    acc.machines.delete(quietest.name);
    acc.letGo++;
  };

  const remember = <T>(list: T[], item: T, same: (a: T) => boolean): void => {
    if (list.length < MAX_EXTRAS && !list.some(same)) list.push(item);
  };

  const transition = (machine: MachineAcc, next: Transition): void => {
    machine.transitions.push(next);
    machine.count++;
    if (machine.transitions.length > MAX_TRANSITIONS + 64) {
      // Trim in chunks (amortised O(1)); the band then starts where the kept history does.
      const dropped = machine.transitions.splice(0, machine.transitions.length - MAX_TRANSITIONS);
      const lastDropped = dropped[dropped.length - 1]!;
      machine.before = { state: lastDropped.to, t: lastDropped.t };
    }
    if (next.to === spec.callsIn?.state) machine.calls = { ok: 0, failed: 0 };
    if (!declared.has(`${next.from}\n${next.to}`)) remember(machine.undeclared, { from: next.from, to: next.to }, (e) => e.from === next.from && e.to === next.to);
    remember(machine.visited, next.to, (s) => s === next.to);
    machine.state = next.to;
    machine.since = next.t;
  };

  const text = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));

  const onTransition = (acc: Acc, event: TelemetryEvent): void => {
    const to = text(fieldOf(event, fields.to));
    if (to === undefined) return;
    const name = nameField !== undefined ? (text(fieldOf(event, nameField)) ?? spec.title) : spec.title;
    const from = text(fieldOf(event, fields.from));
    const machine = machineOf(acc, name, from ?? spec.initial);
    const reason = text(fieldOf(event, fields.reason));
    transition(machine, { t: event.t, from: from ?? machine.state, to, ...(reason !== undefined && { reason }) });
  };

  /** An outbound call counts for the machine named after its target, or for the only machine. */
  const onCall = (acc: Acc, event: TelemetryOf<'request'>): void => {
    if (!spec.callsIn) return;
    const machine = acc.machines.get(nameField !== undefined ? event.target : spec.title);
    if (machine?.state === spec.callsIn.state) machine.calls[event.outcome === 'ok' ? 'ok' : 'failed']++;
  };

  const init = (): Acc => {
    const acc: Acc = { machines: new Map(), letGo: 0, counters: initCounters() };
    for (const name of drawnFromStart) acc.machines.set(name, newMachine(name, spec.initial));
    return acc;
  };

  return {
    init,

    step(acc, event) {
      const type = typeOf(event);
      if (type === spec.event) return onTransition(acc, event);
      // New code, or parameters the lab cannot take in place, restart the lab: a new instance starts its
      // machines afresh. A lab that takes new parameters in place keeps its state. (Runs recorded before
      // `restarted` was sent had it undefined: those are read as restarts, as they were drawn then.)
      if (event.type === 'run.deployed' || (event.type === 'params.changed' && event.restarted !== false)) {
        for (const machine of acc.machines.values()) {
          if (machine.state !== spec.initial) transition(machine, { t: event.t, from: machine.state, to: spec.initial, reason: RESTART_REASON });
        }
        return;
      }
      if (event.type === 'request') {
        if (event.direction === 'outbound') onCall(acc, event);
        else if (spec.requestCounters) countRequest(acc.counters, event);
      }
    },

    view(acc, nowT) {
      // Machines named by their events appear with their first transition; until then, one waits in `initial`.
      const shown = acc.machines.size ? [...acc.machines.values()] : [newMachine(spec.title, spec.initial)];
      const machines = shown.map((m): MachineModel => ({
        name: m.name,
        state: m.state,
        since: m.since,
        last: m.transitions[m.transitions.length - 1],
        recent: m.transitions.slice(-RECENT_TRANSITIONS).reverse(),
        transitions: m.count,
        band: bandOf(m, nowT),
        visited: [...m.visited],
        undeclared: m.undeclared.map((e) => ({ ...e })),
        calls: spec.callsIn ? { ...m.calls } : undefined,
      }));
      return { machines, letGo: acc.letGo, requests: spec.requestCounters ? viewCounters(acc.counters, nowT) : undefined };
    },
  };
};

/** A machine's states as segments from its kept history's start to `nowT`. */
const bandOf = (m: MachineAcc, nowT: number): BandSegment[] => {
  const band: BandSegment[] = [];
  let { state, t: start } = m.before;
  for (const tr of m.transitions) {
    if (tr.t > nowT) break;
    if (tr.t > start) band.push({ state, start, end: tr.t });
    state = tr.to;
    start = tr.t;
  }
  band.push({ state, start, end: Math.max(start, nowT) });
  return band;
};
