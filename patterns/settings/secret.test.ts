import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from '../kit/index.ts';
import { isSecretSchema, MASK, quoteReceived, Secret, secret } from './secret.ts';

const KEY = 'sk_live_0123456789abcdef';

describe('Secret', () => {
  it('shows the mask however it is printed, logged or serialised, and reveal() gives the value', () => {
    const s = new Secret(KEY);
    const holder = { apiKey: s, nested: [s] };
    for (const shown of [String(s), `${s}`, 'key: ' + s, JSON.stringify(s), JSON.stringify(holder), inspect(s), inspect(holder, { depth: 5 })]) {
      expect(shown).not.toContain(KEY);
      expect(shown).toContain(MASK);
    }
    expect(s.reveal()).toBe(KEY);
  });

  it('has no own field that a copy could reach', () => {
    const s = new Secret(KEY);
    expect(JSON.stringify([{ ...s }, Object.values(s), Object.entries(s), structuredClone(s)])).not.toContain(KEY);
  });
});

describe('secret()', () => {
  it('validates with its schema and gives a Secret; optional and default wrappers keep it a secret', () => {
    const key = secret(z.string().min(16));
    expect(key.parse(KEY)).toBeInstanceOf(Secret);
    expect(key.safeParse('short').success).toBe(false);
    expect(isSecretSchema(key)).toBe(true);
    expect(isSecretSchema(key.optional())).toBe(true);
    expect(isSecretSchema(z.string())).toBe(false);
  });

  it('finds a secret through copies and wrappers, and fails closed on what it cannot see into', () => {
    const key = secret(z.string().min(16));
    const trim = (v: unknown) => (typeof v === 'string' ? v.trim() : v);
    for (const copy of [key.describe('the key'), key.meta({ note: 'x' }), key.refine(() => true), z.preprocess(trim, key), z.string().pipe(key), key.nullable().optional()]) {
      expect(isSecretSchema(copy)).toBe(true);
    }
    for (const plain of [z.string().min(3), z.enum(['a', 'b']).default('a'), z.url(), z.string().transform(Number).pipe(z.number().min(1))]) {
      expect(isSecretSchema(plain)).toBe(false);
    }
    expect(isSecretSchema(z.lazy(() => z.string()))).toBe(true);
    expect(isSecretSchema(z.union([z.string(), z.number()]))).toBe(true);
  });

  it('quotes a received value, except a secret', () => {
    expect(quoteReceived('four', false)).toBe('"four"');
    expect(quoteReceived(KEY, true)).toBe(MASK);
  });
});
