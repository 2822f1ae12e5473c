import { describe, expect, it } from 'vitest';
import { makeSpec } from '../../../../views/shared/testing.ts';
import { activeWindow, applyPreset, formFromSpec, healthy, isHealthy, kindsFor, numberProblem, presetSpec, specFromForm, type FaultForm } from './faultForm.ts';

const http = { kind: 'http' } as const;
const inProcess = { kind: 'in-process' } as const;
const roundTrip = (spec = makeSpec()) => specFromForm(formFromSpec(spec, http));
const specOf = (form: FaultForm) => {
  const result = specFromForm(form);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
};

describe('fault form', () => {
  it('round-trips a spec through the form', () => {
    const spec = makeSpec({
      errorRate: 0.25,
      error: { kind: 'status', status: 429, retryAfterSeconds: 2 },
      latency: { baseMs: 800, jitterMs: 200, rate: 0.5 },
      failFirst: 3,
      schedule: [{ startMs: 10_000, durationMs: 15_000, error: { kind: 'down' }, repeatEveryMs: 30_000 }],
      seed: 7,
    });
    expect(roundTrip(spec)).toEqual({ ok: true, spec });
  });

  it('offers HTTP failures at HTTP points and exceptions in-process', () => {
    expect(kindsFor(http)).toEqual(['status', 'reset', 'hang', 'down']);
    expect(kindsFor(inProcess)).toEqual(['exception']);
    expect(formFromSpec(healthy(), inProcess).kind).toBe('exception');
  });

  it('offers busy and locked at the database point, and round-trips them', () => {
    const database = { kind: 'database' } as const;
    expect(kindsFor(database)).toEqual(['busy', 'locked']);
    expect(formFromSpec(healthy(), database).kind).toBe('busy');
    const spec = makeSpec({ errorRate: 0.5, error: { kind: 'locked' } });
    expect(specFromForm(formFromSpec(spec, database))).toEqual({ ok: true, spec });
  });

  it('says what is wrong with each bad field in the form’s words, with the server’s bounds', () => {
    const form = formFromSpec(makeSpec(), http);
    const result = specFromForm({
      ...form,
      status: 200,
      latencyBaseMs: '-5',
      failFirst: '1.5',
      retryAfterS: 'soon',
      schedule: [{ startS: '1', durationS: '5', repeatS: '5', kind: 'down', status: 503, ratePct: 100 }],
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        status: 'Status must be from 400 to 599',
        latencyBaseMs: 'Latency must be at least 0 ms',
        failFirst: 'Fail first must be a whole number',
        retryAfterS: 'Retry-After must be a number',
        'schedule.0.repeatS': 'Window 1 repeat (every) must be longer than its duration (for)',
      },
    });
  });

  it('never shows the form’s internal field names to the learner', () => {
    const form = formFromSpec(makeSpec(), http);
    const result = specFromForm({
      ...form,
      latencyBaseMs: '-1',
      latencyJitterMs: '9999999',
      failFirst: '-2',
      retryAfterS: '-1',
      schedule: [{ startS: '-1', durationS: '0', repeatS: 'x', kind: 'status', status: 200, ratePct: 100 }],
    });
    if (result.ok) throw new Error('expected errors');
    expect(result.errors).toMatchObject({
      latencyJitterMs: 'Latency jitter must be at most 3600000 ms',
      failFirst: 'Fail first must be at least 0 calls',
      retryAfterS: 'Retry-After must be at least 0 s',
      'schedule.0.startS': 'Window 1 start (from) must be at least 0 s',
      'schedule.0.durationS': 'Window 1 duration (for) must be more than 0 s',
      'schedule.0.repeatS': 'Window 1 repeat (every) must be a number',
      'schedule.0.status': 'Window 1 status must be from 400 to 599',
    });
    for (const message of Object.values(result.errors)) expect(message).not.toMatch(/latencyBaseMs|latencyJitterMs|failFirst|retryAfterS|startS|durationS|repeatS|errorRate/);
  });

  it('treats empty optional fields as their defaults', () => {
    const form = { ...formFromSpec(makeSpec(), http), latencyBaseMs: '', failFirst: ' ', retryAfterS: '' };
    expect(specOf(form)).toMatchObject({ latency: { baseMs: 0 }, failFirst: 0, error: { kind: 'status', status: 503 } });
  });
});

describe('presets', () => {
  const form = formFromSpec(healthy(), http);

  it('outage: a 15 s window from the current run time (to the tenth of a second), down', () => {
    expect(specOf(applyPreset(form, 'outage', 12_345, http))).toMatchObject({
      enabled: true,
      errorRate: 0,
      schedule: [{ startMs: 12_300, durationMs: 15_000, error: { kind: 'down' } }],
    });
  });

  it('flapping: down 3 s every 8 s from now; an exception in-process', () => {
    expect(specOf(applyPreset(formFromSpec(healthy(), inProcess), 'flapping', 2000, inProcess)).schedule).toEqual([
      { startMs: 2000, durationMs: 3000, repeatEveryMs: 8000, error: { kind: 'exception' } },
    ]);
  });

  it('slow and fail 100% add to what is set; clear resets', () => {
    const slowFailing = applyPreset(applyPreset(form, 'slow', 0, http), 'fail', 0, http);
    expect(specOf(slowFailing)).toMatchObject({ enabled: true, errorRate: 1, latency: { baseMs: 800, jitterMs: 200, rate: 1 } });
    expect(specOf(applyPreset(slowFailing, 'clear', 0, http))).toEqual(healthy());
  });

  it("presetSpec: what a preset's button applies to the run's spec, keeping what it does not set", () => {
    const slow = presetSpec(healthy(), 'slow', 0, http);
    expect(presetSpec(slow, 'fail', 4_000, http)).toMatchObject({ enabled: true, errorRate: 1, error: { kind: 'status', status: 503 }, latency: { baseMs: 800 } });
    expect(presetSpec(healthy(), 'outage', 4_040, inProcess).schedule).toEqual([{ startMs: 4_000, durationMs: 15_000, error: { kind: 'exception' } }]);
  });

  it('drops windows that are over when adding another', () => {
    const first = applyPreset(form, 'outage', 0, http);
    expect(applyPreset(first, 'outage', 20_000, http).schedule.map((w) => w.startS)).toEqual(['20']);
    expect(applyPreset(first, 'outage', 5_000, http).schedule.map((w) => w.startS)).toEqual(['0', '5']);
  });
});

describe('activeWindow', () => {
  it('finds a one-off window and when it ends', () => {
    const spec = makeSpec({ schedule: [{ startMs: 10_000, durationMs: 15_000 }] });
    expect(activeWindow(spec, 9_999)).toBeUndefined();
    expect(activeWindow(spec, 12_000)?.endsAt).toBe(25_000);
    expect(activeWindow(spec, 25_000)).toBeUndefined();
  });

  it('follows a repeating window', () => {
    const spec = makeSpec({ schedule: [{ startMs: 0, durationMs: 3000, repeatEveryMs: 8000 }] });
    expect(activeWindow(spec, 17_000)?.endsAt).toBe(19_000);
    expect(activeWindow(spec, 20_000)).toBeUndefined();
    expect(activeWindow({ ...spec, enabled: false }, 17_000)).toBeUndefined();
  });

  it('knows an enabled spec that injects nothing', () => {
    expect(isHealthy(makeSpec())).toBe(true);
    expect(isHealthy(makeSpec({ latency: { baseMs: 5, jitterMs: 0, rate: 1 } }))).toBe(false);
  });
});

describe('numberProblem', () => {
  it('words a bound with the field’s label and unit', () => {
    expect(numberProblem({ label: 'Latency', unit: 'ms' }, -5, 0, 100)).toBe('Latency must be at least 0 ms');
    expect(numberProblem({ label: 'Error rate', unit: '%' }, 120, 0, 100)).toBe('Error rate must be at most 100 %');
    expect(numberProblem({ label: 'Duration', unit: 's' }, 0, 0, 10, { above: true })).toBe('Duration must be more than 0 s');
    expect(numberProblem({ label: 'Amount' }, 1.5, 0, 10, { integer: true })).toBe('Amount must be a whole number');
    expect(numberProblem({ label: 'Amount' }, Number.NaN, 0, 10)).toBe('Amount must be a number');
    expect(numberProblem({ label: 'Amount' }, 5, 0, 10)).toBeUndefined();
  });
});
