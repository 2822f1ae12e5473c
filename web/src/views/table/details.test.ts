import { describe, expect, it } from 'vitest';
import { at, makeFaultInjected, makeLog, makeOutbound, makeRequest } from '../shared/testing.ts';
import { describeCounts } from './describe.ts';
import { namesRow, relatedEvents, rowEvent, rowFields } from './details.ts';
import { deadLetters, logs, makeDeadLetter, makeRetryWait, numbered, requestLog, tableOf } from './testing.ts';

/** The table's rows of `events` and the events as the page holds them (numbered). */
const opened = (spec: Parameters<typeof tableOf>[0], events: Parameters<typeof tableOf>[1]) => ({ ...tableOf(spec, events), events: numbered(events) });

describe('opening a request', () => {
  it('gathers its attempts, retry waits, faults and logs in the order they were recorded', () => {
    const { model, events } = opened(requestLog, [
      at(1, makeFaultInjected({ requestId: 'req-1' })),
      at(2, makeOutbound({ parentId: 'req-1', attempt: 1, outcome: 'error', durationMs: 2 })),
      at(2, makeRetryWait('req-1', 1, 50)),
      at(3, makeLog({ fields: { requestId: 'req-1' }, msg: 'retrying' })),
      at(3, makeLog({ fields: { requestId: 'req-2' } })),
      at(60, makeOutbound({ parentId: 'req-1', attempt: 2, durationMs: 4 })),
      at(61, makeRequest({ id: 'req-1', durationMs: 60 })),
      at(61, makeOutbound({ parentId: 'req-2' })),
    ]);
    const details = relatedEvents(events, model.rows[0]!, 'req-1');
    expect(details.event).toMatchObject({ type: 'request', id: 'req-1', t: 61 });
    expect(details.timeline.map((e) => e.type)).toEqual(['fault.injected', 'request', 'retry.attempt', 'log', 'request']);
    expect(details.counts).toEqual([
      { type: 'fault.injected', count: 1 },
      { type: 'request', count: 2 },
      { type: 'retry.attempt', count: 1 },
      { type: 'log', count: 1 },
    ]);
    expect(describeCounts(details.counts)).toBe('1 injected fault, 2 outbound calls, 1 retry.attempt event, 1 log line');
    expect(details.partial).toBe(false);
  });

  it('says when the page no longer holds the start of the request, or the request itself', () => {
    const { model, events } = opened(requestLog, [at(50, makeRequest({ id: 'req-1', durationMs: 100 }))]);
    expect(relatedEvents(events, model.rows[0]!, 'req-1').partial).toBe(true);
    const gone = relatedEvents([], model.rows[0]!, 'req-1');
    expect(gone).toMatchObject({ event: undefined, timeline: [], partial: true });
  });

  it('finds an event named by requestId, parentId or a log line’s bound requestId', () => {
    expect(namesRow(makeFaultInjected({ requestId: 'req-1' }), 'req-1')).toBe(true);
    expect(namesRow(makeOutbound({ parentId: 'req-1' }), 'req-1')).toBe(true);
    expect(namesRow(makeLog({ fields: { requestId: 'req-1' } }), 'req-1')).toBe(true);
    expect(namesRow(makeLog({ fields: { requestId: 'req-2' } }), 'req-1')).toBe(false);
    expect(namesRow(makeRequest({ id: 'req-1' }), 'req-1')).toBe(false);
  });
});

describe('opening a row without details', () => {
  it('shows every field of a dead letter, labelled as its columns are', () => {
    const { model, layout, events } = opened(deadLetters, [makeLog(), at(7, makeDeadLetter('evt-9', 'send-welcome-email', 'email answered 503', 4))]);
    const row = model.rows[0]!;
    expect(rowEvent(events, row)).toBe(events[1]);
    const { fields, whole } = rowFields(events, row, layout);
    expect(whole).toBe(true);
    expect(fields.map((f) => [f.label, f.value])).toEqual([
      ['time', 7],
      ['type', 'event.deadletter'],
      ['event', 'evt-9'],
      ['name', 'user.created'],
      ['handler', 'send-welcome-email'],
      ['attempts', 4],
      ['error', 'email answered 503'],
    ]);
  });

  it('shows a log line’s whole fields, even those no column reads', () => {
    const { model, layout, events } = opened(logs, [makeLog({ msg: 'saved', fields: { requestId: 'req-1', rows: 2 } })]);
    const { fields } = rowFields(events, model.rows[0]!, layout);
    expect(fields.find((f) => f.field === 'fields')).toMatchObject({ label: 'fields', format: 'json', value: { requestId: 'req-1', rows: 2 } });
  });

  it('falls back to the fields the row kept once the page has let its event go', () => {
    const { model, layout } = opened(deadLetters, [makeDeadLetter('evt-9', 'send-welcome-email', 'boom')]);
    const later = numbered([makeLog(), makeLog()]).map((e) => ({ ...e, seq: e.seq + 10 }));
    expect(rowEvent(later, model.rows[0]!)).toBeUndefined();
    const { fields, whole } = rowFields(later, model.rows[0]!, layout);
    expect(whole).toBe(false);
    expect(fields.map((f) => f.value)).toEqual([0, 'evt-9', 'user.created', 'send-welcome-email', 3, 'boom']);
  });
});
