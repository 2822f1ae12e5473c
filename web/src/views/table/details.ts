/**
 * What opening a row shows, looked up in the events the page still holds
 * when it is opened rather than kept per row: the row's whole event, and
 * (with `spec.details`) every event naming it: a request's outbound calls,
 * retry waits, injected faults and logs.
 */
import type { FieldFormat, TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { indexAfterSeq } from '../shared/checkpoints.ts';
import { fieldOf } from '../shared/fields.ts';
import { typeOf } from '../shared/reducer.ts';
import type { TableLayout, TableRow } from './reducer.ts';

/** More than a row's details panel can usefully list. */
export const MAX_DETAIL_EVENTS = 500;

/** The row's whole event, found again by its place in the run (the page holds events in `seq` order). */
export const rowEvent = (events: readonly TelemetryEvent[], row: TableRow): TelemetryEvent | undefined => {
  const event = events[indexAfterSeq(events, row.seq) - 1];
  return event && event.seq === row.seq && event.t === row.t ? event : undefined;
};

/** Whether `event` names the row keyed `key`: by `requestId`, `parentId`, or a log line's bound `fields.requestId`. */
export const namesRow = (event: TelemetryEvent, key: unknown): boolean =>
  fieldOf(event, 'requestId') === key || fieldOf(event, 'parentId') === key || fieldOf(event, 'fields.requestId') === key;

/** When an event began: one with a duration (a call, a query) is stamped when it ended. */
export const startOf = (event: TelemetryEvent): number => {
  const duration = fieldOf(event, 'durationMs');
  return typeof duration === 'number' ? event.t - duration : event.t;
};

export interface RelatedEvents {
  /** The row's own event, if the page still holds it. */
  event: TelemetryEvent | undefined;
  /** Every other event naming the row, in the order they were recorded (at most MAX_DETAIL_EVENTS). */
  timeline: TelemetryEvent[];
  /** How many of each type the timeline holds, in order of first appearance. */
  counts: Array<{ type: string; count: number }>;
  /** True when the page no longer holds events from the row's start: the timeline may be incomplete. */
  partial: boolean;
}

export const relatedEvents = (events: readonly TelemetryEvent[], row: TableRow, key: unknown): RelatedEvents => {
  const event = rowEvent(events, row);
  const timeline: TelemetryEvent[] = [];
  for (const other of events) {
    if (other !== event && timeline.length < MAX_DETAIL_EVENTS && namesRow(other, key)) timeline.push(other);
  }
  timeline.sort((a, b) => a.t - b.t);
  const counts = new Map<string, number>();
  for (const other of timeline) counts.set(typeOf(other), (counts.get(typeOf(other)) ?? 0) + 1);
  const partial = !event || events[0]!.t > startOf(event);
  return { event, timeline, counts: [...counts].map(([type, count]) => ({ type, count })), partial };
};

/** One field of an opened row, labelled and formatted as its column is, if it has one. */
export interface RowField {
  field: string;
  label: string;
  value: unknown;
  format: FieldFormat | undefined;
}

/** Everything the row's event holds, or, once the page has let it go, the fields the row kept. */
export const rowFields = (events: readonly TelemetryEvent[], row: TableRow, layout: TableLayout): { fields: RowField[]; whole: boolean } => {
  const event = rowEvent(events, row);
  const display = (field: string, value: unknown): RowField => {
    const column = layout.columns.find((c) => c.field === field);
    return { field, label: column?.label ?? field, value, format: column?.format };
  };
  if (!event) return { fields: layout.fields.map((field, i) => display(field, row.values[i])), whole: false };
  const fields = Object.entries(event)
    .filter(([field]) => field !== 'runId' && field !== 'seq')
    .map(([field, value]) => display(field, value));
  return { fields, whole: true };
};
