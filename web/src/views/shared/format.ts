/** Numbers as a learner reads them: run time in seconds, latency in ms, shares in %. */

/** Run time: `12.3 s`, `2:05` past two minutes. */
export const fmtRunTime = (ms: number): string => {
  const s = Math.max(0, ms) / 1000;
  if (s < 120) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
};

/** An axis tick: whole seconds when it can. */
export const fmtTick = (ms: number): string => {
  const s = ms / 1000;
  if (Math.abs(s) >= 120) return `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
};

/** A duration: `0.4 ms`, `12 ms`, `1.25 s`. */
export const fmtMs = (ms: number | undefined): string => {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
};

/** A level's value with its unit: durations as `fmtMs` writes them, anything else as a count (`12`, `3.5 MB`). */
export const fmtLevel = (value: number, unit?: string): string => {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'ms') return fmtMs(value);
  const figure = Number.isInteger(value) ? fmtCount(value) : value.toFixed(1);
  return unit ? `${figure} ${unit}` : figure;
};

/** A share 0–1 as a percentage. */
export const fmtPct = (share: number): string => {
  if (!Number.isFinite(share)) return '–';
  const pct = share * 100;
  return `${pct === 0 || pct === 100 || pct >= 10 ? Math.round(pct) : pct.toFixed(1)}%`;
};

/** A count: `950`, `12.4k`, `3.1M`. */
export const fmtCount = (n: number): string => {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
};

/** Round, evenly spaced ticks covering [min, max]: 1, 2 or 5 times a power of ten. */
export const niceTicks = (min: number, max: number, approxCount = 6): number[] => {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, approxCount);
  const power = 10 ** Math.floor(Math.log10(raw));
  // The round step whose tick count comes closest to the one asked for.
  const count = (s: number) => Math.abs((max - min) / s - approxCount);
  const step = [1, 2, 5, 10].map((m) => m * power).reduce((best, s) => (count(s) < count(best) ? s : best));
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
};

/** The p-th percentile (0–1) of unsorted numbers, nearest rank. */
export const percentile = (values: readonly number[], p: number): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
};

