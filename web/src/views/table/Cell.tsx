/**
 * How a table draws a cell and a row from its spec: a value as its column's
 * format says (an outcome pill, a level badge, compact JSON, an HTTP status
 * coloured by class), column widths by format, and a row tinted by its
 * outcome or level.
 */
import type { FieldFormat } from '../../../../patterns/kit/index.ts';
import { formatValue } from '../shared/fields.ts';
import type { TableLayout, TableRow } from './reducer.ts';

/** A number in a `status` field is an HTTP status. */
const isHttpStatus = (field: string, value: unknown): value is number =>
  typeof value === 'number' && (field === 'status' || field.endsWith('.status')) && value >= 100 && value < 600;

const statusClass = (status: number) => (status < 400 ? 'ok' : status < 500 ? 'client' : 'server');

export const CellValue = ({ field, value, format }: { field: string; value: unknown; format: FieldFormat | undefined }) => {
  const text = formatValue(value, format);
  if (value === undefined || value === null || value === '') return <>{text}</>;
  if (format === 'outcome') return <span className={`outcome-pill ${String(value)}`}>{text}</span>;
  if (format === 'level') return <span className={`tag level-${String(value)}`}>{text}</span>;
  if (format === 'json') return <code className="muted">{text}</code>;
  if (isHttpStatus(field, value)) return <span className={`status-${statusClass(value)}`}>{text}</span>;
  return <>{text}</>;
};

const NUMERIC: ReadonlySet<FieldFormat | undefined> = new Set(['count', 'ms', 'percent']);
const MONO: ReadonlySet<FieldFormat | undefined> = new Set(['time', 'count', 'ms', 'percent']);

/** A cell's classes: numbers right-aligned, figures in the monospace font. */
export const cellClass = (field: string, format: FieldFormat | undefined): string =>
  [NUMERIC.has(format) && 'num', (MONO.has(format) || field === 'status') && 'mono'].filter(Boolean).join(' ');

const WIDTHS: Partial<Record<FieldFormat, string>> = {
  time: '4.6rem',
  ms: '4.8rem',
  count: '4.4rem',
  percent: '4.4rem',
  boolean: '3rem',
  outcome: '5.4rem',
  level: '3.8rem',
  json: 'minmax(0, 1fr)',
};
const RELATED_WIDTH = '3rem';

/** The grid's columns: fixed widths for figures and badges, the rest of the row shared by text. */
export const gridColumns = (layout: TableLayout, related: number): string =>
  [
    ...layout.columns.map((c) => (c.field === 'status' ? '3.2rem' : (WIDTHS[c.format ?? 'text'] ?? 'minmax(4rem, 1fr)'))),
    ...Array.from({ length: related }, () => RELATED_WIDTH),
  ].join(' ');

/** A row's classes: `outcome-error`, `level-warn`, from its outcome and level columns. */
export const rowTones = (layout: TableLayout, row: TableRow): string =>
  layout.columns
    .filter((c) => (c.format === 'outcome' || c.format === 'level') && row.values[c.index] !== undefined)
    .map((c) => `${c.format}-${String(row.values[c.index])}`)
    .join(' ');

/** A row's tooltip: the fields it keeps for search or filters but shows in no column (a request's error). */
export const rowTitle = (layout: TableLayout, row: TableRow): string | undefined => {
  const extra: string[] = [];
  for (let i = layout.columns.length; i < layout.fields.length; i++) {
    const value = row.values[i];
    if (value !== undefined && value !== null && value !== '') extra.push(`${layout.fields[i]}: ${formatValue(value)}`);
  }
  return extra.length ? extra.join('\n') : undefined;
};
