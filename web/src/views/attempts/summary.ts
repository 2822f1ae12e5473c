/**
 * The lab's own summary events (`spec.summary`), one table row each: the
 * spec's columns read from the event and formatted as the spec says.
 * Formatted once, when the event arrives: summaries are rare, renders not.
 */
import type { SummaryColumn, TelemetryEvent, Tone } from '../../../../patterns/kit/index.ts';
import { fieldOf, formatValue } from '../shared/fields.ts';

export interface SummaryCell {
  text: string;
  /** Set when the column has a tone and the value is not zero or empty. */
  tone?: Tone;
}

export interface SummaryRow {
  t: number;
  cells: SummaryCell[];
}

/** `value / per` to two decimals, when both are numbers and `per` is not zero. */
const ratio = (value: unknown, per: unknown): number | undefined =>
  typeof value === 'number' && typeof per === 'number' && per !== 0 ? Math.round((value / per) * 100) / 100 : undefined;

export const summaryCell = (column: SummaryColumn, event: TelemetryEvent): SummaryCell => {
  const value = column.per === undefined ? fieldOf(event, column.field) : ratio(fieldOf(event, column.field), fieldOf(event, column.per));
  const text = formatValue(value, column.format);
  const quiet = value === 0 || value === false || text === '–';
  return column.tone && !quiet ? { text, tone: column.tone } : { text };
};

export const summaryRow = (columns: readonly SummaryColumn[], event: TelemetryEvent): SummaryRow => ({
  t: event.t,
  cells: columns.map((column) => summaryCell(column, event)),
});
