import { describe, expect, it } from 'vitest';
import type { StateMachineViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeOutbound, makeParamsChanged, makeRequest } from '../shared/testing.ts';
import { makeStateMachineReducer, MAX_MACHINES, MAX_TRANSITIONS, RESTART_REASON } from './reducer.ts';
import { circuitSpec, makeCircuitTransition as circuit, makeTransition } from './testing.ts';

const reduceCircuit = (events: readonly TelemetryEvent[], nowT: number, spec = circuitSpec()) =>
  reduceEvents(makeStateMachineReducer(spec), events, nowT);

describe('state-machine reducer, for the payments circuit', () => {
  it('draws the payments circuit closed before any transition, with zero counters', () => {
    const model = reduceCircuit([], 5000);
    expect(model.machines).toHaveLength(1);
    expect(model.machines[0]).toMatchObject({ name: 'payments', state: 'closed', since: 0, transitions: 0, last: undefined, recent: [] });
    expect(model.machines[0]!.band).toEqual([{ state: 'closed', start: 0, end: 5000 }]);
    expect(model.requests!.total).toMatchObject({ total: 0, errorShare: 0 });
  });

  it('follows transitions and lays them out as a band from the run start to now', () => {
    const model = reduceCircuit(
      [
        circuit({ from: 'closed', to: 'open' }, 2000),
        circuit({ from: 'open', to: 'half-open', reason: 'reset-timeout' }, 7000),
        circuit({ from: 'half-open', to: 'closed', reason: 'probes-succeeded' }, 7100),
      ],
      10_000,
    );
    const [payments] = model.machines;
    expect(payments).toMatchObject({ name: 'payments', state: 'closed', since: 7100, transitions: 3 });
    expect(payments!.last).toEqual({ t: 7100, from: 'half-open', to: 'closed', reason: 'probes-succeeded' });
    expect(payments!.recent.map((t) => t.to)).toEqual(['closed', 'half-open', 'open']);
    expect(payments!.band).toEqual([
      { state: 'closed', start: 0, end: 2000 },
      { state: 'open', start: 2000, end: 7000 },
      { state: 'half-open', start: 7000, end: 7100 },
      { state: 'closed', start: 7100, end: 10_000 },
    ]);
    // Every one of these is a transition the lesson's diagram declares.
    expect(payments!.undeclared).toEqual([]);
  });

  it('keeps circuits apart by name, the declared one first', () => {
    const model = reduceCircuit([circuit({ name: 'a' }), circuit({ name: 'b', from: 'closed', to: 'isolated' })], 1);
    expect(model.machines.map((m) => [m.name, m.state])).toEqual([
      ['payments', 'closed'],
      ['a', 'open'],
      ['b', 'isolated'],
    ]);
  });

  it('remembers the optional state once visited, and an undeclared transition once made', () => {
    const model = reduceCircuit([circuit({ from: 'closed', to: 'isolated', reason: 'isolated by hand' }), circuit({ from: 'isolated', to: 'closed' })], 1);
    const [payments] = model.machines;
    expect(payments!.visited).toEqual(['closed', 'isolated']);
    expect(payments!.undeclared).toEqual([
      { from: 'closed', to: 'isolated' },
      { from: 'isolated', to: 'closed' },
    ]);
  });

  it('counts inbound outcomes the Hystrix way: error % includes rejections and timeouts', () => {
    const model = reduceCircuit(
      [
        makeRequest({ outcome: 'ok' }),
        makeRequest({ outcome: 'ok' }),
        makeRequest({ outcome: 'error' }),
        makeRequest({ outcome: 'rejected' }),
        makeRequest({ outcome: 'timeout' }),
        // Outbound calls are the circuit's business, not the counters'.
        makeOutbound({ outcome: 'error' }),
      ],
      100,
    );
    expect(model.requests!.total).toEqual({ success: 2, failure: 1, rejected: 1, timeout: 1, total: 5, errorShare: 0.6 });
  });

  it('counts the rolling window over the last 10 s only, and requests per second for the sparkline', () => {
    const model = reduceCircuit([at(1000, makeRequest({ outcome: 'error' })), at(25_000, makeRequest()), at(29_500, makeRequest({ outcome: 'rejected' }))], 30_000);
    expect(model.requests!.total.total).toBe(3);
    expect(model.requests!.window).toMatchObject({ success: 1, rejected: 1, failure: 0, total: 2 });
    // From the run start (less than 60 s ago) to the current, partial second.
    expect(model.requests!.volume).toHaveLength(31);
    expect(model.requests!.volume.at(-2)).toEqual({ t: 29_000, success: 0, failed: 0, rejected: 1 });
    expect(reduceCircuit([], 100_000).requests!.volume).toHaveLength(60);
  });

  it('counts half-open probes by outcome, for the circuit they call, afresh on each half-open period', () => {
    const model = reduceCircuit(
      [
        circuit({ from: 'closed', to: 'open' }),
        circuit({ from: 'open', to: 'half-open' }),
        makeOutbound({ outcome: 'error' }),
        circuit({ from: 'half-open', to: 'open' }),
        circuit({ from: 'open', to: 'half-open' }),
        makeOutbound({ outcome: 'ok' }),
        // A call to another downstream is not this circuit's probe.
        makeOutbound({ target: 'fraud-check', outcome: 'error' }),
      ],
      1,
    );
    expect(model.machines[0]!.calls).toEqual({ ok: 1, failed: 0 });
  });

  it('does not count calls made while closed as probes', () => {
    const model = reduceCircuit([makeOutbound({ outcome: 'ok' }), makeOutbound({ outcome: 'error' })], 1);
    expect(model.machines[0]!.calls).toEqual({ ok: 0, failed: 0 });
  });

  // A lab without updateParams is restarted on new parameters: its new circuit starts closed, silently.
  it('closes open circuits when the lab restarts', () => {
    const model = reduceCircuit([circuit({ to: 'open' }, 1), at(5, makeParamsChanged())], 10);
    expect(model.machines[0]).toMatchObject({ state: 'closed', since: 5, last: { from: 'open', to: 'closed', reason: RESTART_REASON } });
  });

  // A lab with updateParams takes them in place: its circuit is the same one, still open.
  it('keeps the state when the lab took the new parameters in place', () => {
    const model = reduceCircuit([circuit({ to: 'open' }, 1), at(5, makeParamsChanged({ restarted: false }))], 10);
    expect(model.machines[0]).toMatchObject({ state: 'open', since: 1 });
  });

  it('stays bounded over a long flapping run, and the band starts where the kept history does', () => {
    const events = Array.from({ length: 5000 }, (_, i) => circuit({ from: i % 2 ? 'open' : 'closed', to: i % 2 ? 'closed' : 'open' }, i * 10));
    const payments = reduceCircuit(events, 50_000).machines[0]!;
    expect(payments.transitions).toBe(5000);
    expect(payments.band.length).toBeLessThanOrEqual(MAX_TRANSITIONS + 65);
    expect(payments.band[0]!.start).toBeGreaterThan(0);
    expect(payments.band.at(-1)!.end).toBe(50_000);
  });

  it('lets the least recently active circuits go past MAX_MACHINES, and says how many', () => {
    const events = Array.from({ length: MAX_MACHINES + 5 }, (_, i) => circuit({ name: `downstream-${i}` }, 100 + i));
    const model = reduceCircuit(events, 1000);
    expect(model.machines).toHaveLength(MAX_MACHINES);
    expect(model.machines[0]!.name).toBe('payments');
    expect(model.machines.some((m) => m.name === 'downstream-0')).toBe(false);
    expect(model.machines.at(-1)!.name).toBe(`downstream-${MAX_MACHINES + 4}`);
    expect(model.letGo).toBe(6);
  });
});

/** A document's review: one machine, no name field, its own event and field names. */
const reviewSpec: StateMachineViewSpec = {
  kind: 'state-machine',
  title: 'Review',
  event: 'review.moved',
  fields: { from: 'was', to: 'now', reason: 'because' },
  initial: 'draft',
  states: [
    { id: 'draft', label: 'Draft', tone: 'neutral', at: [0, 0] },
    { id: 'in-review', label: 'In review', tone: 'warn', at: [1, 0] },
    { id: 'published', label: 'Published', tone: 'ok', at: [2, 0] },
    { id: 'withdrawn', label: 'Withdrawn', tone: 'bad', at: [1, 1], optional: true },
  ],
  transitions: [
    { from: 'draft', to: 'in-review', label: 'submitted' },
    { from: 'in-review', to: 'draft', label: 'changes asked' },
    { from: 'in-review', to: 'published', label: 'approved' },
  ],
  callsIn: { state: 'in-review', label: 'checks' },
};

const moved = (was: string, now: string, t: number, because?: string) => makeTransition('review.moved', { was, now, because }, t);
const reduceReview = (events: readonly TelemetryEvent[], nowT: number) => reduceEvents(makeStateMachineReducer(reviewSpec), events, nowT);

describe('state-machine reducer, for any machine', () => {
  it('has one machine called after the view when the spec names no name field, drawn from the start', () => {
    const model = reduceReview([], 3000);
    expect(model.machines.map((m) => [m.name, m.state])).toEqual([['Review', 'draft']]);
    expect(model.requests).toBeUndefined();
  });

  it('reads the fields the spec names, and follows every event into the one machine', () => {
    const model = reduceReview([moved('draft', 'in-review', 1000, 'ready'), moved('in-review', 'published', 4000, 'looks good')], 5000);
    const [review] = model.machines;
    expect(review).toMatchObject({ name: 'Review', state: 'published', since: 4000, transitions: 2 });
    expect(review!.recent).toEqual([
      { t: 4000, from: 'in-review', to: 'published', reason: 'looks good' },
      { t: 1000, from: 'draft', to: 'in-review', reason: 'ready' },
    ]);
    expect(review!.band.map((s) => s.state)).toEqual(['draft', 'in-review', 'published']);
  });

  it('records a transition the spec does not declare, and an optional state once visited', () => {
    const model = reduceReview([moved('draft', 'in-review', 1), moved('in-review', 'withdrawn', 2), moved('withdrawn', 'draft', 3)], 4);
    const [review] = model.machines;
    expect(review!.visited).toEqual(['draft', 'in-review', 'withdrawn']);
    expect(review!.undeclared).toEqual([
      { from: 'in-review', to: 'withdrawn' },
      { from: 'withdrawn', to: 'draft' },
    ]);
  });

  it('follows a state the spec does not know', () => {
    const model = reduceReview([moved('draft', 'archived', 1)], 2);
    expect(model.machines[0]).toMatchObject({ state: 'archived', visited: ['draft', 'archived'] });
  });

  it('counts every outbound call while in the callsIn state when there is no name field to match', () => {
    const model = reduceReview([makeOutbound({ outcome: 'ok' }), moved('draft', 'in-review', 1), makeOutbound({ target: 'spell-check', outcome: 'error' }), makeOutbound({ target: 'links', outcome: 'ok' })], 2);
    expect(model.machines[0]!.calls).toEqual({ ok: 1, failed: 1 });
  });

  it('ignores events of other types, and its own without a new state', () => {
    const model = reduceReview([makeTransition('other.moved', { was: 'draft', now: 'published' }), makeTransition('review.moved', { was: 'draft' })], 1);
    expect(model.machines[0]).toMatchObject({ state: 'draft', transitions: 0 });
  });

  it('returns to the initial state when the lab restarts with new code', () => {
    const deployed = makeTransition('run.deployed', { file: 'review.ts', version: 2 }, 10);
    const model = reduceReview([moved('draft', 'in-review', 1), deployed], 20);
    expect(model.machines[0]!.last).toEqual({ t: 10, from: 'in-review', to: 'draft', reason: RESTART_REASON });
  });
});

describe('state-machine reducer, for machines named by their events', () => {
  const jobsSpec: StateMachineViewSpec = { ...reviewSpec, title: 'Jobs', fields: { ...reviewSpec.fields, name: 'jobId' } };
  const reduceJobs = (events: readonly TelemetryEvent[], nowT: number) => reduceEvents(makeStateMachineReducer(jobsSpec), events, nowT);

  it('shows one machine waiting in the initial state, called after the view, until the first transition names one', () => {
    expect(reduceJobs([], 10).machines.map((m) => [m.name, m.state])).toEqual([['Jobs', 'draft']]);
    const model = reduceJobs([makeTransition('review.moved', { jobId: 'job-1', was: 'draft', now: 'in-review' }, 5)], 10);
    expect(model.machines.map((m) => [m.name, m.state])).toEqual([['job-1', 'in-review']]);
  });
});
