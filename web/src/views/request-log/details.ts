/**
 * Everything the stream holds about one inbound request: its outbound calls
 * (attempts), retry waits, injected faults and logs. Looked up when a row is
 * opened, in the events the page still holds, rather than kept per row.
 */
import type { TelemetryEvent, TelemetryOf } from '../../../../patterns/kit/index.ts';

export type DetailEvent =
  | TelemetryOf<'request'>
  | TelemetryOf<'retry.attempt'>
  | TelemetryOf<'retry.giveup'>
  | TelemetryOf<'fault.injected'>
  | TelemetryOf<'log'>;

export interface RequestDetails {
  request: TelemetryOf<'request'> | undefined;
  /** Outbound calls, retry waits, faults and logs, in time order. */
  timeline: DetailEvent[];
  attempts: number;
  faults: number;
  /** True when the page no longer holds events this old: the timeline may be partial. */
  partial: boolean;
}

const MAX_DETAIL_EVENTS = 500;

const belongsTo = (event: TelemetryEvent, id: string): event is DetailEvent => {
  switch (event.type) {
    case 'request':
      return event.id === id || event.parentId === id;
    case 'retry.attempt':
    case 'retry.giveup':
      return event.requestId === id;
    case 'fault.injected':
      return event.requestId === id;
    case 'log':
      return event.fields.requestId === id;
    default:
      return false;
  }
};

export const requestDetails = (events: readonly TelemetryEvent[], id: string): RequestDetails => {
  const timeline: DetailEvent[] = [];
  let request: TelemetryOf<'request'> | undefined;
  for (const event of events) {
    if (!belongsTo(event, id)) continue;
    if (event.type === 'request' && event.id === id && event.direction === 'inbound') {
      request = event;
      continue;
    }
    if (timeline.length < MAX_DETAIL_EVENTS) timeline.push(event);
  }
  timeline.sort((a, b) => a.t - b.t);
  const attempts = timeline.filter((e) => e.type === 'request').length;
  const faults = timeline.filter((e) => e.type === 'fault.injected').length;
  // The request started durationMs before it completed; did the page keep events from then?
  const startedAt = request ? request.t - request.durationMs : undefined;
  const partial = startedAt !== undefined && events.length > 0 && events[0]!.t > startedAt;
  return { request, timeline, attempts, faults, partial };
};

/** When an outbound call started (its event is stamped when it ended). */
export const startOf = (event: DetailEvent): number => (event.type === 'request' ? event.t - event.durationMs : event.t);
