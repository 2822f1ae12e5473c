import { describe, expect, it } from 'vitest';
import { toHex6 } from './colors.ts';

describe('toHex6', () => {
  it('expands the short hex the CSS minifier writes', () => {
    expect(toHex6('#fff')).toBe('#ffffff');
    expect(toHex6(' #1D1F24 ')).toBe('#1d1f24');
  });
  it('converts rgb() and rejects what Monaco cannot take', () => {
    expect(toHex6('rgb(29, 31, 36)')).toBe('#1d1f24');
    expect(toHex6('rgb(255 0 0 / 50%)')).toBe('#ff0000');
    expect(toHex6('')).toBeUndefined();
    expect(toHex6('var(--panel)')).toBeUndefined();
  });
});
