import { describe, expect, it } from 'vitest';
import { environmentOf, secretValuesIn } from './lab-inputs.ts';

const valuesOf = (dotenv: string, environment = '') => secretValuesIn({ environment, dotenv }, ['PRICING_API_KEY']).map(([value]) => value);

describe('the lab reading its own inputs', () => {
  it('reads the environment a line a variable, the value everything after the first =', () => {
    expect(environmentOf('A=1\nB = x=y\nnot a variable\n=3')).toEqual({ A: '1', B: ' x=y' });
  });

  it('finds a secret value in quotes whole, a # inside included, and drops an unquoted trailing comment', () => {
    expect(valuesOf("PRICING_API_KEY='sk_live_abc #def'")).toEqual(['sk_live_abc #def']);
    expect(valuesOf('PRICING_API_KEY="sk_live_abc #def" # rotated')).toEqual(['sk_live_abc #def']);
    expect(valuesOf('export PRICING_API_KEY=sk_live_0123456789 # rotated')).toEqual(['sk_live_0123456789']);
  });

  it('decodes escapes in double quotes, as the service would read them', () => {
    expect(valuesOf('PRICING_API_KEY="sk_live_\\"quoted\\"_\\\\0123"')).toEqual(['sk_live_"quoted"_\\0123']);
  });

  it('finds the value in the environment too, and ignores values too short to search for', () => {
    expect(valuesOf('PRICING_API_KEY=short', 'PRICING_API_KEY=sk_live_0123456789abcdef')).toEqual(['sk_live_0123456789abcdef']);
  });
});
