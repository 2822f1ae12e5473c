/**
 * Reading events the way a view spec names them: a field by (dotted) path,
 * a `where` filter, and a value formatted as the spec says. Events of a
 * pattern's own types are read loosely: the web does not know their shapes,
 * the spec does.
 */
import type { FieldFilter, FieldFormat, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { fmtCount, fmtMs, fmtPct, fmtRunTime } from './format.ts';

/** The value at `path` (`status`, `fields.route`), or undefined. */
export const fieldOf = (event: TelemetryEvent | Record<string, unknown>, path: string): unknown => {
  let value: unknown = event;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
};

/** Whether `event` has every field of `where` at its value (no `where`: always). */
export const matchesWhere = (event: TelemetryEvent, where: FieldFilter | undefined): boolean => {
  if (!where) return true;
  for (const key in where) if (fieldOf(event, key) !== where[key]) return false;
  return true;
};

/** A field's value as text: `–` for none. */
export const formatValue = (value: unknown, format: FieldFormat = 'text'): string => {
  if (value === undefined || value === null || value === '') return '–';
  switch (format) {
    case 'count':
      return typeof value === 'number' ? fmtCount(value) : String(value);
    case 'ms':
      return typeof value === 'number' ? fmtMs(value) : String(value);
    case 'percent':
      return typeof value === 'number' ? fmtPct(value) : String(value);
    case 'time':
      return typeof value === 'number' ? fmtRunTime(value) : String(value);
    case 'boolean':
      return value ? 'yes' : 'no';
    case 'json':
      return typeof value === 'object' ? (Object.keys(value).length ? JSON.stringify(value) : '') : String(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
};
