/**
 * Monaco themes take colours as `#rrggbb` only, while the app's CSS variables
 * may come back as `#fff` (the CSS minifier shortens them) or `rgb(…)`.
 */
const hex2 = (n: number) => Math.max(0, Math.min(255, Math.round(n))).toString(16).padStart(2, '0');

/** `#rgb`, `#rrggbb` or `rgb(r, g, b)` as `#rrggbb`; undefined for anything else (Monaco keeps its own colour). */
export const toHex6 = (color: string): string | undefined => {
  const value = color.trim().toLowerCase();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(value);
  if (short) return `#${short[1]!.repeat(2)}${short[2]!.repeat(2)}${short[3]!.repeat(2)}`;
  if (/^#[0-9a-f]{6}$/.test(value)) return value;
  const rgb = /^rgba?\(\s*(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)/.exec(value);
  if (rgb) return `#${hex2(Number(rgb[1]))}${hex2(Number(rgb[2]))}${hex2(Number(rgb[3]))}`;
  return undefined;
};
