/**
 * What a table's filters and search let through. A filter is a choice among
 * the values seen in its field, with two kinds of field read the way a
 * learner expects: an outcome also offers "not ok" (anything that failed),
 * and a log level is a minimum (warn: warnings and errors).
 */
import type { FieldFormat, LogLevel, RequestOutcome } from '../../../../patterns/kit/index.ts';
import type { TableLayout, TableRow } from './reducer.ts';

/** A value seen in a filter's field, and in how many rows. */
export interface Choice {
  value: string | number | boolean;
  count: number;
}

export const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const OUTCOMES: readonly RequestOutcome[] = ['ok', 'error', 'rejected', 'timeout'];
/** The outcome choice meaning "anything but ok". */
export const NOT_OK = '!ok';

/** Choices in reading order: outcomes and levels as the kit lists them, numbers by value, text alphabetically. */
export const sortChoices = (choices: Choice[], format: FieldFormat): Choice[] => {
  const known = format === 'outcome' ? OUTCOMES : format === 'level' ? LEVELS : [];
  const rank = (c: Choice) => {
    const at = (known as readonly unknown[]).indexOf(c.value);
    return at >= 0 ? at : known.length;
  };
  return choices.sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    if (typeof a.value === 'number' && typeof b.value === 'number') return a.value - b.value;
    const x = String(a.value);
    const y = String(b.value);
    return x < y ? -1 : x > y ? 1 : 0;
  });
};

export interface TableFilter {
  /** Per filter field, the chosen value as text ('' or absent: any). */
  choices: Record<string, string>;
  /** Words that must all appear in the searched fields. */
  text: string;
}

export const NO_FILTER: TableFilter = { choices: {}, text: '' };

/** Whether `value` passes the choice `chosen` in a field of `format`. */
const passes = (value: unknown, chosen: string, format: FieldFormat): boolean => {
  if (format === 'outcome' && chosen === NOT_OK) return value !== 'ok';
  if (format === 'level') return LEVELS.indexOf(value as LogLevel) >= LEVELS.indexOf(chosen as LogLevel);
  return value !== undefined && value !== null && String(value) === chosen;
};

const searchText = (value: unknown): string =>
  value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** The rows that pass every filter and contain every word of the search; `rows` itself when nothing filters. */
export const filterRows = (rows: readonly TableRow[], layout: TableLayout, filter: TableFilter): readonly TableRow[] => {
  const active = layout.filters.filter((f) => {
    const chosen = filter.choices[f.field];
    // The lowest level lets everything through.
    return chosen && !(f.format === 'level' && chosen === LEVELS[0]);
  });
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const searching = words.length > 0 && layout.search.length > 0;
  if (active.length === 0 && !searching) return rows;
  return rows.filter((row) => {
    for (const f of active) if (!passes(row.values[f.index], filter.choices[f.field]!, f.format)) return false;
    if (searching) {
      const text = layout.search.map((i) => searchText(row.values[i])).join(' ').toLowerCase();
      if (!words.every((w) => text.includes(w))) return false;
    }
    return true;
  });
};
