import { describe, expect, it } from 'vitest';
import type { ParamSpec } from '../../../../../../patterns/kit/index.ts';
import { changedParams, describeChanges, formFromParams } from './paramsForm.ts';

const makeSpecs = (): ParamSpec[] => [
  { id: 'policy', label: 'Policy', type: 'enum', default: 'consecutive', options: [{ value: 'consecutive', label: 'C' }, { value: 'failure-rate', label: 'F' }] },
  { id: 'resetTimeoutMs', label: 'Reset', type: 'integer', default: 5000, min: 1000, max: 60_000, step: 500, unit: 'ms' },
  { id: 'flakiness', label: 'Flakiness', type: 'number', default: 0.2, min: 0, max: 1, step: 0.05 },
  { id: 'boundaryBurst', label: 'Burst', type: 'boolean', default: false },
];

describe('params form', () => {
  it('fills the form from the current values, defaults for the rest', () => {
    expect(formFromParams(makeSpecs(), { resetTimeoutMs: 2000 })).toEqual({ policy: 'consecutive', resetTimeoutMs: '2000', flakiness: '0.2', boundaryBurst: false });
  });

  it('sends only what changed, typed', () => {
    const specs = makeSpecs();
    const current = { policy: 'consecutive', resetTimeoutMs: 5000, flakiness: 0.2, boundaryBurst: false };
    const form = { ...formFromParams(specs, current), policy: 'failure-rate', flakiness: '0.5', boundaryBurst: true };
    expect(changedParams(specs, form, current)).toEqual({ ok: true, changed: { policy: 'failure-rate', flakiness: 0.5, boundaryBurst: true } });
    expect(changedParams(specs, formFromParams(specs, current), current)).toEqual({ ok: true, changed: {} });
  });

  it('explains values out of range, not whole, or not numbers', () => {
    const specs = makeSpecs();
    const form = { ...formFromParams(specs, {}), resetTimeoutMs: '500', flakiness: 'lots' };
    expect(changedParams(specs, form, {})).toEqual({ ok: false, errors: { resetTimeoutMs: 'from 1000 to 60000 ms', flakiness: 'a number, please' } });
    expect(changedParams(specs, { ...formFromParams(specs, {}), resetTimeoutMs: '1000.5' }, {})).toMatchObject({ errors: { resetTimeoutMs: 'a whole number, please' } });
  });

  it('refuses an option this workbench cannot run, with the reason the server gave', () => {
    const specs: ParamSpec[] = [
      {
        id: 'engine',
        label: 'Engine',
        type: 'enum',
        default: 'sqlite',
        options: [{ value: 'sqlite', label: 'SQLite' }, { value: 'bullmq', label: 'BullMQ', needs: 'redis', unavailable: 'needs Redis: start the workbench with --redis' }],
      },
    ];
    expect(changedParams(specs, { engine: 'bullmq' }, { engine: 'sqlite' })).toEqual({
      ok: false,
      errors: { engine: 'BullMQ needs Redis: start the workbench with --redis' },
    });
    expect(changedParams(specs, { engine: 'sqlite' }, { engine: 'sqlite' })).toEqual({ ok: true, changed: {} });
  });

  it('sends free text as typed, and refuses text past its length', () => {
    const specs: ParamSpec[] = [{ id: 'env', label: '.env', type: 'text', default: '', maxLength: 10, rows: 4 }];
    expect(formFromParams(specs, {})).toEqual({ env: '' });
    expect(changedParams(specs, { env: 'A=1\nB=2' }, { env: '' })).toEqual({ ok: true, changed: { env: 'A=1\nB=2' } });
    expect(changedParams(specs, { env: 'x'.repeat(11) }, { env: '' })).toEqual({ ok: false, errors: { env: 'at most 10 characters (11 now)' } });
  });
});

describe('the folded panel', () => {
  it("says how many knobs there are and names those that differ from the lab's defaults", () => {
    const specs = makeSpecs();
    expect(describeChanges(specs, {})).toBe("4 knobs, all at the lab's defaults");
    expect(describeChanges(specs, { resetTimeoutMs: 5000, policy: 'consecutive' })).toBe("4 knobs, all at the lab's defaults");
    expect(describeChanges(specs, { resetTimeoutMs: 1000, policy: 'failure-rate', boundaryBurst: false })).toBe('4 knobs; changed: Policy, Reset');
  });
});
