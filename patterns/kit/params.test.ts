import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineParams } from './params.ts';

const params = defineParams({
  policy: {
    label: 'Policy',
    type: 'enum',
    default: 'a',
    options: [
      { value: 'a', label: 'A' },
      { value: 'b', label: 'B' },
    ],
  },
  timeoutMs: { label: 'Timeout', description: 'How long.', type: 'integer', default: 1_000, min: 10, max: 5_000, step: 10, unit: 'ms' },
  enabled: { label: 'Enabled', type: 'boolean', default: false },
});

describe('defineParams', () => {
  it('gives the manifest entries, in declaration order, with the key as id', () => {
    expect(params.specs).toEqual([
      { id: 'policy', label: 'Policy', type: 'enum', default: 'a', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] },
      { id: 'timeoutMs', label: 'Timeout', description: 'How long.', type: 'integer', default: 1_000, min: 10, max: 5_000, step: 10, unit: 'ms' },
      { id: 'enabled', label: 'Enabled', type: 'boolean', default: false },
    ]);
    expect(JSON.parse(JSON.stringify(params.specs))).toEqual(params.specs); // plain data
  });

  it('reads typed values, defaults in one place', () => {
    const values = params.read({ policy: 'b', timeoutMs: 250 });
    expect(values).toEqual({ policy: 'b', timeoutMs: 250, enabled: false });
    expectTypeOf(values.policy).toEqualTypeOf<'a' | 'b'>();
    expectTypeOf(values.timeoutMs).toEqualTypeOf<number>();
    expectTypeOf(values.enabled).toEqualTypeOf<boolean>();
    expect(params.defaults).toEqual({ policy: 'a', timeoutMs: 1_000, enabled: false });
  });

  it('falls back for a value that does not fit its declaration, to the defaults or to a given base', () => {
    expect(params.read({ policy: 'c', timeoutMs: '5', enabled: 1 as unknown as boolean })).toEqual(params.defaults);
    const current = params.read({ policy: 'b', timeoutMs: 20, enabled: true });
    expect(params.read({ timeoutMs: 30 }, current)).toEqual({ policy: 'b', timeoutMs: 30, enabled: true });
  });

  it('refuses a default that does not fit', () => {
    expect(() =>
      defineParams({ mode: { label: 'Mode', type: 'enum', default: 'x', options: [{ value: 'y', label: 'Y' }] } }),
    ).toThrow(RangeError);
  });

  it('declares free text, typed as a string, up to its length', () => {
    const text = defineParams({ env: { label: '.env', type: 'text', default: 'POOL_SIZE=5', maxLength: 20, rows: 6 } });
    expect(text.specs).toEqual([{ id: 'env', label: '.env', type: 'text', default: 'POOL_SIZE=5', maxLength: 20, rows: 6 }]);
    const values = text.read({ env: 'POOL_SIZE=9\nDEBUG=1' });
    expect(values.env).toBe('POOL_SIZE=9\nDEBUG=1');
    expectTypeOf(values.env).toEqualTypeOf<string>();
    expect(text.read({ env: 'x'.repeat(21) })).toEqual({ env: 'POOL_SIZE=5' });
    expect(() => defineParams({ env: { label: '.env', type: 'text', default: 'too long', maxLength: 3 } })).toThrow(RangeError);
  });
});
