import { describe, expect, it } from 'vitest';
import { makeSpec } from '../../../../views/shared/testing.ts';
import { activeWindow, applyPreset, formFromSpec, healthy, isHealthy, kindsFor, specFromForm, type FaultForm } from './faultForm.ts';

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

  it('names each bad field with the server’s bounds', () => {
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
        status: 'a status from 400 to 599',
        latencyBaseMs: 'at least 0',
        failFirst: 'a whole number, please',
        retryAfterS: 'a number, please',
        'schedule.0.repeatS': 'longer than the window',
      },
    });
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
