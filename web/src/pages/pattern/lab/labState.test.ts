import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../../../server/http/api-types.ts';
import type { LabManifest, TelemetryEvent } from '../../../../../patterns/kit/index.ts';
import { reduceEvents } from '../../../views/shared/reducer.ts';
import { at, makeFaultChanged, makeLoadProgress, makeParamsChanged, makeRequest, makeSpec } from '../../../views/shared/testing.ts';
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
  views: ['circuit'],
  defaultLoad: { model: 'open', rate: 20 },
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
  it('takes the stream’s latest fault over the run detail, and healthy for untouched points', () => {
    const stream = reduceEvents(streamStateReducer, [makeFaultChanged({ spec: makeSpec({ errorRate: 1 }) })], 0);
    const state = controlsState(makeLab(), makeDetail({ faults: { payments: makeSpec({ errorRate: 0.5 }) } }), stream);
    expect(state.faults.payments!.errorRate).toBe(1);
    expect(state.faults.ledger!.enabled).toBe(false);
  });

  it('merges parameters: defaults, then the detail, then the stream', () => {
    const lab = makeLab();
    expect(controlsState(lab, undefined, reduceEvents(streamStateReducer, [], 0)).params).toEqual({ resetTimeoutMs: 5000 });
    expect(controlsState(lab, makeDetail({ params: { resetTimeoutMs: 2000 } }), reduceEvents(streamStateReducer, [], 0)).params).toEqual({ resetTimeoutMs: 2000 });
    const stream = reduceEvents(streamStateReducer, [makeParamsChanged({ params: { resetTimeoutMs: 9000 } })], 0);
    expect(controlsState(lab, makeDetail({ params: { resetTimeoutMs: 2000 } }), stream).params).toEqual({ resetTimeoutMs: 9000 });
  });

  it('says stopped as soon as the stream does, and none without a run', () => {
    const stopped = reduceEvents(streamStateReducer, [{ type: 'run.stopped', reason: 'user', t: 5, runId: 'run-1' }], 5);
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
