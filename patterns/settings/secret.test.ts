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

  it('quotes a received value, except a secret', () => {
    expect(quoteReceived('four', false)).toBe('"four"');
    expect(quoteReceived(KEY, true)).toBe(MASK);
  });
});
