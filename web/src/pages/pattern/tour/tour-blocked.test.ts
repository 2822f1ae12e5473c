import { describe, expect, it } from 'vitest';
import type { FaultSpec, LoadProfile, TelemetryEvent, TourStep } from '../../../../../patterns/kit/index.ts';
import { blockedHint, conditionHolds, runStateNow } from './tour-blocked.ts';

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

let seq = 0;
const fault = (point: string, overrides: Partial<FaultSpec> = {}, runId = RUN): TelemetryEvent => ({ type: 'fault.changed', t: ++seq, seq, runId, point, spec: spec(overrides) });
const load = (profile: LoadProfile): TelemetryEvent => ({ type: 'load.changed', t: ++seq, seq, runId: RUN, profile });
const params = (values: Record<string, string | number | boolean>): TelemetryEvent => ({ type: 'params.changed', t: ++seq, seq, runId: RUN, params: values, restarted: false });

const HEAL: Pick<TourStep, 'blockedWhen'> = {
  blockedWhen: [
    { when: [{ fault: 'payments', injected: true }], hint: 'Clear the payments fault first.' },
    { when: [{ load: 'stopped' }], hint: 'Start the load.' },
  ],
};

describe('runStateNow', () => {
  it('keeps the latest fault per point, load and params of the run, from the lab’s defaults', () => {
    const state = runStateNow([fault('payments'), fault('payments', { enabled: false }), fault('other', {}, 'other-run'), params({ jitter: 'none' })], RUN, {
      defaultLoad: { model: 'open', rate: 20 },
      params: [
        { id: 'jitter', default: 'full' },
        { id: 'baseMs', default: 100 },
      ],
    });
    expect(state.faults.get('payments')?.enabled).toBe(false);
    expect(state.faults.has('other')).toBe(false);
    expect(state.load).toEqual({ model: 'open', rate: 20 });
    expect(state.params).toEqual({ jitter: 'none', baseMs: 100 });
  });
});

describe('conditionHolds', () => {
  it('sees a fault as injected only when it would change a call', () => {
    expect(conditionHolds({ fault: 'payments', injected: true }, runStateNow([fault('payments')]))).toBe(true);
    expect(conditionHolds({ fault: 'payments', injected: true }, runStateNow([fault('payments', { errorRate: 0 })]))).toBe(false);
    expect(conditionHolds({ fault: 'payments', injected: false }, runStateNow([]))).toBe(true);
    expect(conditionHolds({ fault: 'payments', injected: true }, runStateNow([fault('payments', { errorRate: 0, latency: { baseMs: 800, jitterMs: 0, rate: 1 } })]))).toBe(true);
  });

  it('compares params exactly or by range, and not at all when they are not known', () => {
    const state = runStateNow([params({ jitter: 'none', resetTimeoutMs: 5000 })]);
    expect(conditionHolds({ param: 'jitter', is: 'none' }, state)).toBe(true);
    expect(conditionHolds({ param: 'resetTimeoutMs', is: { gte: 10_000 } }, state)).toBe(false);
    expect(conditionHolds({ param: 'resetTimeoutMs', is: { lte: 5000 } }, state)).toBe(true);
    expect(conditionHolds({ param: 'jitter', is: 'none' }, runStateNow([]))).toBe(false);
  });

  it('tells a stopped load from a running one, and says neither before knowing', () => {
    expect(conditionHolds({ load: 'stopped' }, runStateNow([load({ model: 'none' })]))).toBe(true);
    expect(conditionHolds({ load: 'running' }, runStateNow([load({ model: 'open', rate: 5 })]))).toBe(true);
    expect(conditionHolds({ load: 'stopped' }, runStateNow([]))).toBe(false);
    expect(conditionHolds({ load: 'running' }, runStateNow([]))).toBe(false);
  });
});

describe('blockedHint', () => {
  it('says what to do while a fault keeps the step from progressing, and nothing once it is cleared', () => {
    expect(blockedHint(HEAL, runStateNow([fault('payments')]))).toBe('Clear the payments fault first.');
    expect(blockedHint(HEAL, runStateNow([fault('payments'), fault('payments', { enabled: false })]))).toBeUndefined();
  });

  it('gives the first block that holds, and nothing for a step without blocks', () => {
    expect(blockedHint(HEAL, runStateNow([load({ model: 'none' })]))).toBe('Start the load.');
    expect(blockedHint({}, runStateNow([fault('payments')]))).toBeUndefined();
  });

  it('needs every condition of a block to hold', () => {
    const both: Pick<TourStep, 'blockedWhen'> = { blockedWhen: [{ when: [{ fault: 'payments', injected: true }, { param: 'jitter', is: 'none' }], hint: 'both' }] };
    expect(blockedHint(both, runStateNow([fault('payments')]))).toBeUndefined();
    expect(blockedHint(both, runStateNow([fault('payments'), params({ jitter: 'none' })]))).toBe('both');
  });
});
