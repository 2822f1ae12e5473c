/** The logs view's model: the last MAX_LOGS `log` events and counts per level. */
import type { LogLevel, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { newest, trimFront, type ViewReducer } from '../shared/reducer.ts';

export interface LogRow {
  t: number;
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

export interface LogsModel {
  rows: LogRow[];
  counts: Record<LogLevel, number>;
}

export const MAX_LOGS = 2000;
export const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

interface Acc {
  rows: LogRow[];
  counts: Record<LogLevel, number>;
}

export const logsReducer: ViewReducer<Acc, LogsModel> = {
  init: () => ({ rows: [], counts: { debug: 0, info: 0, warn: 0, error: 0 } }),
  step(acc, event: TelemetryEvent) {
    if (event.type !== 'log') return;
    acc.counts[event.level] = (acc.counts[event.level] ?? 0) + 1;
    acc.rows.push({ t: event.t, level: event.level, msg: event.msg, fields: event.fields });
    trimFront(acc.rows, MAX_LOGS);
  },
  view: (acc, nowT) => ({
    rows: newest(acc.rows.length && acc.rows[acc.rows.length - 1]!.t > nowT ? acc.rows.filter((r) => r.t <= nowT) : acc.rows, MAX_LOGS),
    counts: { ...acc.counts },
  }),
};

/** Rows at `minLevel` or above whose message or fields contain every word of `text`. */
export const filterLogs = (rows: readonly LogRow[], minLevel: LogLevel, text: string): readonly LogRow[] => {
  const min = LEVELS.indexOf(minLevel);
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (min <= 0 && words.length === 0) return rows;
  return rows.filter((row) => {
    if (LEVELS.indexOf(row.level) < min) return false;
    if (words.length === 0) return true;
    const haystack = `${row.msg} ${JSON.stringify(row.fields)}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
};
