import { describe, expect, it } from 'vitest';
import type { LoadProfile } from '../../../../../../patterns/kit/index.ts';
import { makeLoadProgress } from '../../../../views/shared/testing.ts';
import { formFromProfile, profileFromForm, progressFigures } from './loadForm.ts';

const roundTrip = (profile: LoadProfile) => profileFromForm(formFromProfile(profile));

describe('load form', () => {
  it('round-trips the open, closed and none models', () => {
    const profiles: LoadProfile[] = [
      { model: 'open', rate: 50 },
      { model: 'open', rate: 10, stages: [{ durationMs: 10_000, target: 200 }], durationMs: 30_000, clients: 4 },
      { model: 'closed', concurrency: 100, amount: 100, clients: 100 },
      { model: 'closed', concurrency: 5, thinkTimeMs: 100, durationMs: 1500 },
      { model: 'none' },
    ];
    for (const profile of profiles) expect(roundTrip(profile)).toEqual({ ok: true, profile });
  });

  it('starts from an open load of 20/s when the run has none yet', () => {
    expect(profileFromForm(formFromProfile(undefined))).toEqual({ ok: true, profile: { model: 'open', rate: 20 } });
  });

  it('names bad fields with the server’s bounds', () => {
    const form = formFromProfile({ model: 'closed', concurrency: 1 });
    expect(profileFromForm({ ...form, concurrency: '0', amount: '2.5', clients: '' })).toEqual({
      ok: false,
      errors: { concurrency: 'Concurrency must be at least 1', amount: 'Amount must be a whole number' },
    });
    const open = formFromProfile({ model: 'open', rate: 1 });
    expect(profileFromForm({ ...open, rate: '30000', stages: [{ durationS: '0', target: '5' }] })).toEqual({
      ok: false,
      errors: { rate: 'Rate must be at most 20000 req/s', 'stages.0.durationS': 'Stage 1 duration must be more than 0 s' },
    });
  });
});

describe('progress figures', () => {
  it('measures against the duration, the amount, or both', () => {
    expect(progressFigures(makeLoadProgress({ elapsedMs: 3000, durationMs: 12_000 }))).toEqual({ fraction: 0.25, bound: '3.0 / 12 s', done: false });
    expect(progressFigures(makeLoadProgress({ sent: 50, amount: 100, elapsedMs: 1000 })).fraction).toBe(0.5);
    expect(progressFigures(makeLoadProgress({ sent: 90, amount: 100, elapsedMs: 1000, durationMs: 10_000 })).fraction).toBe(0.9);
  });

  it('has no fraction for an unbounded load, and a full bar when done', () => {
    expect(progressFigures(makeLoadProgress({ elapsedMs: 4200 }))).toEqual({ fraction: undefined, bound: '4.2 s', done: false });
    expect(progressFigures(makeLoadProgress({ done: true, amount: 10, sent: 10 })).fraction).toBe(1);
  });
});
