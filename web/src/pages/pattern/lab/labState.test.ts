import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../../../server/protocol/api.ts';
import type { LabManifest, TelemetryEvent } from '../../../../../patterns/kit/index.ts';
import { reduceEvents } from '../../../views/shared/reducer.ts';
import { at, makeCustom, makeFaultChanged, makeLoadProgress, makeParamsChanged, makeRequest, makeSpec } from '../../../views/shared/testing.ts';
import { controlsState, streamStateReducer } from './labState.ts';
import { clampCursor, countUpTo, eventsUpTo } from './scrub.ts';

const makeLab = (overrides: Partial<LabManifest> = {}): LabManifest => ({
  id: 'payments',
  title: 'Payments',
  summary: '',
  module: 'lab.ts',
  faultPoints: [
    { id: 'payments', kind: 'http', title: 'Payments', description: '' },
    { id: 'ledger', kind: 'in-process', title: 'Ledger', description: '' },
  ],
  params: [{ id: 'resetTimeoutMs', label: 'Reset', type: 'integer', default: 5000, min: 1000, max: 60000 }],
  views: [{ kind: 'charts', title: 'Charts', metrics: ['throughput'] }],
  guide: { watch: 'Watch the charts.', tryFirst: { label: 'Fail payments', fault: { point: 'payments', preset: 'fail' } } },
  defaultLoad: { model: 'open', rate: 20 },
  invariants: [{ id: 'open-circuit-blocks-calls', description: 'An open circuit lets no call through.' }],
  ...overrides,
});

const makeDetail = (overrides: Partial<RunDetail> = {}): RunDetail => ({
  id: 'run-1',
  patternId: 'circuit-breaker',
  lab: 'payments',
  state: 'running',
  live: true,
  seed: 1,
  startedAt: 0,
  ...overrides,
});

describe('controlsState', () => {
  it('takes faults, load, params and versions from the run’s current state, never from replaying the stream', () => {
    // A fault set long ago, replayed from history: the run's state says it was cleared since.
    const stream = reduceEvents(
      streamStateReducer,
      [makeFaultChanged({ spec: makeSpec({ errorRate: 1 }) }), makeParamsChanged({ params: { resetTimeoutMs: 9000 } })],
      0,
    );
    const detail = makeDetail({
      faults: { payments: makeSpec({ enabled: false, errorRate: 0 }) },
      load: { model: 'open', rate: 400 },
      params: { resetTimeoutMs: 2000 },
      versions: { 'circuit-breaker.ts': 3, 'breakers.ts': 0 },
    });
    const state = controlsState(makeLab(), detail, stream);
    expect(state.faults.payments).toMatchObject({ enabled: false, errorRate: 0 });
    expect(state.faults.ledger!.enabled).toBe(false);
    expect(state.load).toEqual({ model: 'open', rate: 400 });
    expect(state.params).toEqual({ resetTimeoutMs: 2000 });
    expect(state.versions).toEqual({ 'circuit-breaker.ts': 3, 'breakers.ts': 0 });
  });

  it('shows a change newer than the state read at once, and ignores older ones', () => {
    const seqd = <E extends TelemetryEvent>(seq: number, event: E): E => ({ ...event, seq });
    const stream = reduceEvents(
      streamStateReducer,
      [
        seqd(10, makeFaultChanged({ spec: makeSpec({ errorRate: 1 }) })),
        seqd(20, makeParamsChanged({ params: { resetTimeoutMs: 1000 } })),
      ],
      0,
    );
    const detail = makeDetail({ faults: { payments: makeSpec({ enabled: false }) }, params: { resetTimeoutMs: 5000 } });
    // Read after both: the state already says what they did (and more since).
    const after = controlsState(makeLab(), { ...detail, seq: 30 }, stream);
    expect(after.faults.payments!.enabled).toBe(false);
    expect(after.params.resetTimeoutMs).toBe(5000);
    // Read between them: the params change came after, and shows.
    const between = controlsState(makeLab(), { ...detail, seq: 15 }, stream);
    expect(between.faults.payments!.enabled).toBe(false);
    expect(between.params.resetTimeoutMs).toBe(1000);
    // Not read yet: nothing from the stream, which may be old history.
    expect(controlsState(makeLab(), undefined, stream).faults.payments!.enabled).toBe(false);
    // A stopped run has no current state: its last recorded values stand in.
    const stopped = controlsState(makeLab(), makeDetail({ state: 'stopped', live: false }), stream);
    expect(stopped.faults.payments!.errorRate).toBe(1);
  });

  it('falls back to healthy faults and the lab’s defaults before the run’s state is read', () => {
    const state = controlsState(makeLab(), undefined, reduceEvents(streamStateReducer, [], 0));
    expect(state.faults.payments!.enabled).toBe(false);
    expect(state.params).toEqual({ resetTimeoutMs: 5000 });
    expect(state.versions).toEqual({});
  });

  it('moves controlSeq on every event that changes a control, so the page reads the run’s state again', () => {
    const seqd = <E extends TelemetryEvent>(seq: number, event: E): E => ({ ...event, seq });
    const empty = reduceEvents(streamStateReducer, [], 0);
    expect(empty.controlSeq).toBe(-1);
    const stream = reduceEvents(
      streamStateReducer,
      [seqd(1, makeFaultChanged()), seqd(2, makeRequest()), seqd(3, makeParamsChanged()), seqd(4, makeRequest())],
      0,
    );
    expect(stream.controlSeq).toBe(3);
  });

  it('says stopped as soon as the stream does, and none without a run', () => {
    const stopped = reduceEvents(streamStateReducer, [{ type: 'run.stopped', reason: 'user', t: 5, runId: 'run-1', seq: 5 }], 5);
    expect(controlsState(makeLab(), makeDetail(), stopped).state).toBe('stopped');
    expect(controlsState(makeLab(), undefined, stopped).state).toBe('stopped');
    expect(controlsState(makeLab(), undefined, reduceEvents(streamStateReducer, [], 0)).state).toBe('none');
  });

  it('keeps the latest load progress and the stream’s time span', () => {
    const stream = reduceEvents(streamStateReducer, [at(100, makeLoadProgress({ sent: 1 })), at(900, makeLoadProgress({ sent: 9 }))], 900);
    expect(stream.progress?.sent).toBe(9);
    expect([stream.firstT, stream.lastT]).toEqual([100, 900]);
  });
});

describe('streamStateReducer', () => {
  const error = (t: number): TelemetryEvent => makeCustom('run.error', { message: 'v7 of circuit-breaker.ts was not deployed: …' }, t);
  const deployed = (t: number): TelemetryEvent => makeCustom('run.deployed', { file: 'circuit-breaker.ts', version: 8 }, t);

  it('shows a run error until a later deploy works', () => {
    expect(reduceEvents(streamStateReducer, [deployed(0), error(10)], Infinity).error).toMatchObject({ t: 10 });
    expect(reduceEvents(streamStateReducer, [deployed(0), error(10), deployed(20)], Infinity).error).toBeUndefined();
  });
});

describe('scrubbing', () => {
  const events: TelemetryEvent[] = [0, 100, 100, 250, 900].map((t) => at(t, makeRequest()));

  it('counts the events up to a cursor, inclusive', () => {
    expect([-1, 0, 100, 249, 250, 5000].map((c) => countUpTo(events, c))).toEqual([0, 1, 3, 3, 4, 5]);
  });

  it('hands views everything live, and a prefix when scrubbed', () => {
    expect(eventsUpTo(events, null)).toBe(events);
    expect(eventsUpTo(events, 5000)).toBe(events);
    expect(eventsUpTo(events, 100).map((e) => e.t)).toEqual([0, 100, 100]);
  });

  it('keeps the cursor inside the recording', () => {
    expect([clampCursor(-5, 0, 10), clampCursor(5, 0, 10), clampCursor(50, 0, 10)]).toEqual([0, 5, 10]);
  });
});
