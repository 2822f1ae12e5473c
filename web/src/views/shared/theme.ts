/**
 * The theme's colours as values: SVG chart libraries need real colours, not
 * `var(--…)`. Re-read when the theme switches (the `data-theme` attribute).
 */
import { useEffect, useState } from 'react';

const NAMES = ['text', 'muted', 'border', 'panel', 'panel-2', 'accent', 'ok', 'warn', 'bad', 'reject'] as const;
export type ThemeColor = (typeof NAMES)[number];
export type ThemeColors = Record<ThemeColor, string>;

const FALLBACK: ThemeColors = {
  text: '#1d1d1b',
  muted: '#66665f',
  border: '#dcdcd5',
  panel: '#ffffff',
  'panel-2': '#f0f0ec',
  accent: '#2f5bd3',
  ok: '#1f8a4c',
  warn: '#b7791f',
  bad: '#c0392b',
  reject: '#7b4bc4',
};

const read = (): ThemeColors => {
  if (typeof document === 'undefined') return FALLBACK;
  const style = getComputedStyle(document.documentElement);
  const colors = { ...FALLBACK };
  for (const name of NAMES) colors[name] = style.getPropertyValue(`--${name}`).trim() || FALLBACK[name];
  return colors;
};

export const useThemeColors = (): ThemeColors => {
  const [colors, setColors] = useState(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setColors(read()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    setColors(read());
    return () => observer.disconnect();
  }, []);
  return colors;
};

/** A distinct colour per series (client keys, handlers), readable on both themes. */
export const SERIES_COLORS = ['#3b7dd8', '#d9822b', '#2a9d8f', '#c2549d', '#8a6fd1', '#7a9a1f', '#c94f4f', '#4a9fb5'];
export const seriesColor = (index: number): string => SERIES_COLORS[index % SERIES_COLORS.length]!;
