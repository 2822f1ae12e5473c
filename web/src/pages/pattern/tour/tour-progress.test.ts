import { describe, expect, it } from 'vitest';
import type { EventMatcher, FaultSpec, TelemetryEvent, Tour, TourStep } from '../../../../../patterns/kit/index.ts';
import { makeCircuitState } from '../../../views/shared/testing.ts';
import { matchesEvent, tourProgress, valueAt } from './tour-progress.ts';

const RUN = 'run-1';

const spec = (overrides: Partial<FaultSpec> = {}): FaultSpec => ({
  enabled: true,
  errorRate: 1,
  error: { kind: 'status', status: 503 },
  latency: { baseMs: 0, jitterMs: 0, rate: 1 },
  failFirst: 0,
  schedule: [],
  seed: 1,
  ...overrides,
});

const faultChanged = (t: number, overrides: Partial<FaultSpec> = {}, runId = RUN): TelemetryEvent => ({
  type: 'fault.changed',
  t,
  seq: t,
  runId,
  point: 'payments',
  spec: spec(overrides),
});

/**
 * The circuit breaker's own event type. It is declared in its folder
 * (patterns/circuit-breaker/telemetry.ts), which the web's typecheck does not
 * include: to the kit's types here it is just a string.
 */
const CIRCUIT_STATE = 'circuit.state' as string as EventMatcher['type'];

const circuit = (t: number, to: string, from = 'closed'): TelemetryEvent => makeCircuitState({ t, seq: t, runId: RUN, name: 'payments', from, to });

const request = (t: number, outcome: 'ok' | 'rejected' | 'error'): TelemetryEvent => ({
  type: 'request',
  t,
  seq: t,
  runId: RUN,
  id: `r${t}`,
  direction: 'inbound',
  target: 'POST /checkout',
  outcome,
  durationMs: 1,
});

const makeStep = (title: string, until: EventMatcher[]): TourStep => ({ title, instruction: `do ${title}`, until, explanation: `why ${title}` });

const makeTour = (steps: TourStep[]): Tour => ({ lab: 'payments', title: 'A tour', intro: 'intro', steps });

const BREAK = makeStep('break payments', [{ type: 'fault.changed', where: { point: 'payments', 'spec.errorRate': { gte: 0.5 } } }]);
const OPEN = makeStep('see it open', [{ type: CIRCUIT_STATE, where: { to: 'open' } }]);
const REJECTS = makeStep('see rejections', [{ type: 'request', where: { outcome: 'rejected' }, count: 3 }]);

describe('valueAt', () => {
  it('follows dotted paths into objects and stops at anything else', () => {
    const event = faultChanged(1);
    expect(valueAt(event, 'spec.errorRate')).toBe(1);
    expect(valueAt(event, 'spec.error.status')).toBe(503);
    expect(valueAt(event, 'spec.errorRate.deeper')).toBeUndefined();
    expect(valueAt(event, 'nothing.here')).toBeUndefined();
  });
});

describe('matchesEvent', () => {
  it('needs the type and every where condition', () => {
    expect(matchesEvent({ type: CIRCUIT_STATE, where: { to: 'open' } }, circuit(1, 'open'))).toBe(true);
    expect(matchesEvent({ type: CIRCUIT_STATE, where: { to: 'open' } }, circuit(1, 'half-open'))).toBe(false);
    expect(matchesEvent({ type: CIRCUIT_STATE }, circuit(1, 'closed'))).toBe(true);
    expect(matchesEvent({ type: CIRCUIT_STATE, where: { to: 'open' } }, faultChanged(1))).toBe(false);
  });

  it('compares numbers with gte and lte, and never matches a missing or non-number value', () => {
    const matcher = (where: EventMatcher['where']): EventMatcher => ({ type: 'fault.changed', where });
    expect(matchesEvent(matcher({ 'spec.errorRate': { gte: 0.5 } }), faultChanged(1, { errorRate: 0.5 }))).toBe(true);
    expect(matchesEvent(matcher({ 'spec.errorRate': { gte: 0.5 } }), faultChanged(1, { errorRate: 0.4 }))).toBe(false);
    expect(matchesEvent(matcher({ 'spec.errorRate': { lte: 0 } }), faultChanged(1, { errorRate: 0 }))).toBe(true);
    expect(matchesEvent(matcher({ 'spec.missing': { gte: 0 } }), faultChanged(1))).toBe(false);
    expect(matchesEvent(matcher({ point: { gte: 0 } }), faultChanged(1))).toBe(false);
  });

  it('matches strings, numbers and booleans exactly', () => {
    const event = faultChanged(1, { enabled: false });
    expect(matchesEvent({ type: 'fault.changed', where: { 'spec.enabled': false } }, event)).toBe(true);
    expect(matchesEvent({ type: 'fault.changed', where: { 'spec.enabled': true } }, event)).toBe(false);
    expect(matchesEvent({ type: 'fault.changed', where: { 'spec.error.status': 503 } }, event)).toBe(true);
    expect(matchesEvent({ type: 'fault.changed', where: { 'spec.error.status': '503' } }, event)).toBe(false);
  });
});

describe('tourProgress', () => {
  const tour = makeTour([BREAK, OPEN, REJECTS]);

  it('starts on the first step with nothing done', () => {
    const progress = tourProgress(tour, [], 0, RUN);
    expect(progress.current).toBe(0);
    expect(progress.done).toBe(0);
    expect(progress.steps.map((s) => s.state)).toEqual(['current', 'upcoming', 'upcoming']);
  });

  it('completes steps in order, each from when the previous one completed', () => {
    const events = [request(1, 'ok'), faultChanged(10), circuit(20, 'open'), request(21, 'rejected'), request(22, 'rejected')];
    const progress = tourProgress(tour, events, 0, RUN);
    expect(progress.steps.map((s) => s.state)).toEqual(['done', 'done', 'current']);
    expect(progress.steps[0]!.doneAt).toBe(10);
    expect(progress.steps[1]).toMatchObject({ startedAt: 10, doneAt: 20 });
    expect(progress.steps[2]!.counts).toEqual([2]);
    expect(progress.current).toBe(2);
  });

  it('does not count events that came before the step started', () => {
    // The circuit opened before payments was broken (on the tour's clock): step 2 must wait for a new opening.
    const events = [circuit(5, 'open'), faultChanged(10), request(11, 'rejected')];
    const progress = tourProgress(tour, events, 0, RUN);
    expect(progress.steps.map((s) => s.state)).toEqual(['done', 'current', 'upcoming']);
  });

  it('ignores events from before the tour started', () => {
    const events = [faultChanged(10), circuit(20, 'open')];
    expect(tourProgress(tour, events, 15, RUN).done).toBe(0);
    expect(tourProgress(tour, events, 10, RUN).done).toBe(2);
  });

  it('needs `count` matching events, and every matcher of a step', () => {
    const both = makeTour([makeStep('both', [{ type: 'request', where: { outcome: 'rejected' }, count: 2 }, { type: CIRCUIT_STATE, where: { to: 'half-open' } }])]);
    const some = [request(1, 'rejected'), request(2, 'rejected'), request(3, 'rejected')];
    expect(tourProgress(both, some, 0, RUN)).toMatchObject({ done: 0, current: 0 });
    expect(tourProgress(both, some, 0, RUN).steps[0]!.counts).toEqual([2, 0]);
    const all = [...some, circuit(4, 'half-open', 'open')];
    expect(tourProgress(both, all, 0, RUN)).toMatchObject({ done: 1, current: undefined, complete: true });
    expect(tourProgress(both, all, 0, RUN).steps[0]!.doneAt).toBe(4);
  });

  it('does not let the event that completes a step count for the next', () => {
    const twice = makeTour([makeStep('one', [{ type: CIRCUIT_STATE }]), makeStep('two', [{ type: CIRCUIT_STATE }])]);
    expect(tourProgress(twice, [circuit(1, 'open')], 0, RUN).done).toBe(1);
    expect(tourProgress(twice, [circuit(1, 'open'), circuit(1, 'half-open', 'open')], 0, RUN).done).toBe(2);
  });

  it('skips events of another run', () => {
    expect(tourProgress(tour, [faultChanged(10, {}, 'other-run')], 0, RUN).done).toBe(0);
    expect(tourProgress(tour, [faultChanged(10, {}, 'other-run')], 0).done).toBe(1);
  });

  it('is complete when every step is done, with no current step', () => {
    const events = [faultChanged(1), circuit(2, 'open'), request(3, 'rejected'), request(4, 'rejected'), request(5, 'rejected')];
    const progress = tourProgress(tour, events, 0, RUN);
    expect(progress).toMatchObject({ done: 3, current: undefined, complete: true });
  });

  it('passes through steps without matchers', () => {
    const withReading = makeTour([makeStep('read this', []), OPEN]);
    const progress = tourProgress(withReading, [], 7, RUN);
    expect(progress.steps.map((s) => s.state)).toEqual(['done', 'current']);
    expect(progress.steps[1]!.startedAt).toBe(7);
  });

  it('keeps resumed steps done when the events that completed them are gone', () => {
    // The page dropped the oldest events: only the circuit opening is left.
    const progress = tourProgress(tour, [circuit(20, 'open'), request(21, 'rejected')], 0, RUN, [10]);
    expect(progress.steps.map((s) => s.state)).toEqual(['done', 'done', 'current']);
    expect(progress.steps[0]).toMatchObject({ doneAt: 10, counts: [1] });
    expect(progress.steps[1]).toMatchObject({ startedAt: 10, doneAt: 20 });
    expect(progress.steps[2]!.counts).toEqual([1]);
  });

  it('counts a resumed step’s next step from strictly after it completed', () => {
    const twice = makeTour([makeStep('one', [{ type: CIRCUIT_STATE }]), makeStep('two', [{ type: CIRCUIT_STATE }])]);
    expect(tourProgress(twice, [circuit(5, 'open')], 0, RUN, [5]).done).toBe(1);
    expect(tourProgress(twice, [circuit(5, 'open'), circuit(6, 'half-open', 'open')], 0, RUN, [5]).done).toBe(2);
    expect(tourProgress(twice, [], 0, RUN, [5, 6, 7])).toMatchObject({ done: 2, complete: true });
  });

  it('reports an empty tour as not complete', () => {
    expect(tourProgress(makeTour([]), [], 0)).toMatchObject({ done: 0, current: undefined, complete: false });
  });
});
