/**
 * A table's model, built from its spec: the last `maxRows` matching events as
 * rows, oldest first, each keeping only the fields the table reads (its
 * columns, filters, search and details key), not the whole event; the values
 * seen per filter field, with how many rows had each; and per row the
 * related events counted before it (a request's outbound calls).
 */
import type { FieldDisplay, FieldFilter, FieldFormat, TableViewSpec, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { fieldOf } from '../shared/fields.ts';
import { newest, trimFront, typeOf, type ViewReducer } from '../shared/reducer.ts';
import { sortChoices, type Choice } from './filter.ts';

export const DEFAULT_MAX_ROWS = 5000;
/** Rows not yet seen whose related events are being counted (requests in flight). */
export const MAX_PENDING = 10_000;
/** Distinct values remembered per filter field: labs have a handful of routes, statuses, handlers. */
export const MAX_CHOICES = 200;

export interface TableRow {
  /** The event's place in the run: opening the row finds the whole event again. */
  seq: number;
  /** Run time of the event. */
  t: number;
  /** The kept fields' values, in `TableLayout.fields` order. */
  values: unknown[];
  /** Per `relatedCounts` entry, the events that named this row before it (absent when the spec counts none). */
  related?: number[];
}

/** One filter: a field and the values seen in it. */
export interface FilterChoices {
  field: string;
  label: string;
  format: FieldFormat;
  choices: Choice[];
}

export interface TableModel {
  rows: TableRow[];
  /** Rows seen in all, kept or not. */
  total: number;
  /** Per filter field (`spec.filters` order). */
  filters: FilterChoices[];
}

/** Where a table reads each field in its rows: worked out once per spec. */
export interface TableLayout {
  /** The fields a row keeps: the columns' first, then the other fields the filters, search and details read. */
  fields: string[];
  columns: Array<FieldDisplay & { index: number }>;
  filters: Array<{ field: string; label: string; format: FieldFormat; index: number }>;
  search: number[];
  /** Where the row's details key (`spec.details.field`) is, if it opens related events. */
  key: number | undefined;
  maxRows: number;
}

export const tableLayout = (spec: TableViewSpec): TableLayout => {
  const fields = spec.columns.map((c) => c.field);
  const indexOf = (field: string) => {
    const at = fields.indexOf(field);
    return at >= 0 ? at : fields.push(field) - 1;
  };
  const columnOf = (field: string) => spec.columns.find((c) => c.field === field);
  return {
    fields,
    columns: spec.columns.map((c, index) => ({ ...c, index })),
    filters: (spec.filters ?? []).map((field) => ({
      field,
      label: columnOf(field)?.label ?? field,
      format: columnOf(field)?.format ?? 'text',
      index: indexOf(field),
    })),
    search: (spec.search ?? []).map(indexOf),
    key: spec.details ? indexOf(spec.details.field) : undefined,
    maxRows: spec.maxRows ?? DEFAULT_MAX_ROWS,
  };
};

/** A field's reader: a plain property read, or a walk down a dotted path. */
const readerOf = (path: string): ((event: TelemetryEvent) => unknown) =>
  path.includes('.') ? (event) => fieldOf(event, path) : (event) => (event as unknown as Record<string, unknown>)[path];

/** `matchesWhere` with its paths read as above: it runs for every event of the run. */
const matcherOf = (where: FieldFilter | undefined): ((event: TelemetryEvent) => boolean) => {
  const tests = Object.entries(where ?? {}).map(([path, value]) => ({ read: readerOf(path), value }));
  return (event) => tests.every((test) => test.read(event) === test.value);
};

interface Acc {
  rows: TableRow[];
  total: number;
  /** Per filter: value → rows with it, over the whole run. */
  seen: Array<Map<string | number | boolean, number>>;
  /** Per related count: row key → events counted for a row not seen yet. */
  pending: Array<Map<unknown, number>>;
}

/** A table's reducer, with the layout its rows follow (the view reads them with it). */
export interface TableReducer extends ViewReducer<Acc, TableModel> {
  layout: TableLayout;
}

export const makeTableReducer = (spec: TableViewSpec): TableReducer => {
  const layout = tableLayout(spec);
  const types = new Set(spec.events);
  const related = spec.details ? (spec.relatedCounts ?? []) : [];
  // Read once per event for every kept field: paths are split here, not per event.
  const readers = layout.fields.map(readerOf);
  const relatedKeys = related.map((count) => readerOf(count.field));
  const relatedWhere = related.map((count) => matcherOf(count.where));
  const isRow = matcherOf(spec.where);

  const countRelated = (acc: Acc, event: TelemetryEvent) => {
    for (let i = 0; i < related.length; i++) {
      if (typeOf(event) !== related[i]!.event || !relatedWhere[i]!(event)) continue;
      const key = relatedKeys[i]!(event);
      if (key === undefined) continue;
      const pending = acc.pending[i]!;
      pending.set(key, (pending.get(key) ?? 0) + 1);
      // Rows that never come (a request still in flight when the run stopped) must not pile up.
      if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value);
    }
  };

  const addRow = (acc: Acc, event: TelemetryEvent) => {
    const values = readers.map((read) => read(event));
    const row: TableRow = { seq: event.seq, t: event.t, values };
    if (related.length) {
      const key = layout.key === undefined ? undefined : values[layout.key];
      row.related = acc.pending.map((pending) => {
        const n = pending.get(key) ?? 0;
        pending.delete(key);
        return n;
      });
    }
    acc.rows.push(row);
    trimFront(acc.rows, layout.maxRows);
    acc.total++;
    layout.filters.forEach((filter, i) => {
      const value = values[filter.index];
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return;
      const seen = acc.seen[i]!;
      const n = seen.get(value);
      if (n !== undefined) seen.set(value, n + 1);
      else if (seen.size < MAX_CHOICES) seen.set(value, 1);
    });
  };

  return {
    layout,
    init: () => ({ rows: [], total: 0, seen: layout.filters.map(() => new Map()), pending: related.map(() => new Map()) }),
    step(acc, event) {
      if (related.length) countRelated(acc, event);
      if (types.has(typeOf(event)) && isRow(event)) addRow(acc, event);
    },
    view: (acc, nowT) => ({
      // Scrubbed back within the fold's last checkpoint span: rows after the cursor are not shown yet.
      rows: newest(acc.rows.length && acc.rows[acc.rows.length - 1]!.t > nowT ? acc.rows.filter((r) => r.t <= nowT) : acc.rows, layout.maxRows),
      total: acc.total,
      filters: layout.filters.map((filter, i) => ({
        field: filter.field,
        label: filter.label,
        format: filter.format,
        choices: sortChoices([...acc.seen[i]!].map(([value, count]) => ({ value, count })), filter.format),
      })),
    }),
  };
};
