import { describe, expect, it } from 'vitest';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeFaultInjected, makeLog, makeOutbound, makeRequest, makeRetryAttempt } from '../shared/testing.ts';
import { requestDetails } from './details.ts';
import { filterRows, MAX_ROWS, NO_FILTER, requestLogReducer } from './reducer.ts';

const reduce = (events: Parameters<typeof reduceEvents>[1], nowT = Infinity) => reduceEvents(requestLogReducer, events, nowT);

describe('request log reducer', () => {
  it('keeps inbound requests as rows, oldest first, with their outbound call count', () => {
    const model = reduce([
      at(5, makeOutbound({ parentId: 'req-1', attempt: 1, outcome: 'error' })),
      at(9, makeOutbound({ parentId: 'req-1', attempt: 2 })),
      at(10, makeRequest({ id: 'req-1', durationMs: 10 })),
      at(20, makeRequest({ id: 'req-2', outcome: 'rejected', status: 503, clientKey: 'client-3' })),
    ]);
    expect(model.rows.map((r) => [r.id, r.calls, r.outcome])).toEqual([
      ['req-1', 2, 'ok'],
      ['req-2', 0, 'rejected'],
    ]);
    expect(model.rows[1]).toMatchObject({ t: 20, status: 503, clientKey: 'client-3', target: 'POST /checkout' });
    expect(model.routes).toEqual(['POST /checkout']);
    expect(model.statuses).toEqual([200, 503]);
  });

  it(`keeps at most ${MAX_ROWS} rows and counts them all`, () => {
    const events = Array.from({ length: MAX_ROWS + 1234 }, (_, i) => at(i, makeRequest({ id: `req-${i}` })));
    const model = reduce(events);
    expect(model.rows).toHaveLength(MAX_ROWS);
    expect(model.rows.at(-1)!.id).toBe(`req-${MAX_ROWS + 1233}`);
    expect(model.total).toBe(MAX_ROWS + 1234);
  });

  it('shows rows only up to nowT', () => {
    const model = reduce([at(1, makeRequest({ id: 'a' })), at(5, makeRequest({ id: 'b' }))], 3);
    expect(model.rows.map((r) => r.id)).toEqual(['a']);
  });
});

describe('filterRows', () => {
  const rows = reduce([
    makeRequest({ id: 'req-1', outcome: 'ok', status: 200 }),
    makeRequest({ id: 'req-2', outcome: 'error', status: 502, error: 'payments answered 503' }),
    makeRequest({ id: 'req-3', outcome: 'rejected', status: 503, target: 'GET /health', clientKey: 'client-7' }),
  ]).rows;
  const ids = (filter: Partial<typeof NO_FILTER>) => filterRows(rows, { ...NO_FILTER, ...filter }).map((r) => r.id);

  it('passes everything without a filter', () => expect(filterRows(rows, NO_FILTER)).toBe(rows));
  it('filters by outcome, and "failed" means anything but ok', () => {
    expect(ids({ outcome: 'rejected' })).toEqual(['req-3']);
    expect(ids({ outcome: 'failed' })).toEqual(['req-2', 'req-3']);
  });
  it('filters by status and route', () => {
    expect(ids({ status: 502 })).toEqual(['req-2']);
    expect(ids({ route: 'GET /health' })).toEqual(['req-3']);
  });
  it('matches every word of the text in id, client key or error', () => {
    expect(ids({ text: 'payments 503' })).toEqual(['req-2']);
    expect(ids({ text: 'CLIENT-7' })).toEqual(['req-3']);
  });
});

describe('requestDetails', () => {
  it('gathers a request’s attempts, retry waits, faults and logs in time order', () => {
    const events = [
      at(1, makeFaultInjected({ requestId: 'req-1' })),
      at(2, makeOutbound({ parentId: 'req-1', attempt: 1, outcome: 'error', durationMs: 2 })),
      at(2, makeRetryAttempt({ requestId: 'req-1', delayMs: 50 })),
      at(3, makeLog({ fields: { requestId: 'req-1' }, msg: 'retrying' })),
      at(3, makeLog({ fields: { requestId: 'req-2' } })),
      at(60, makeOutbound({ parentId: 'req-1', attempt: 2, durationMs: 4 })),
      at(61, makeRequest({ id: 'req-1', durationMs: 60 })),
      at(61, makeOutbound({ parentId: 'req-2' })),
    ];
    const details = requestDetails(events, 'req-1');
    expect(details.request?.t).toBe(61);
    expect(details.timeline.map((e) => e.type)).toEqual(['fault.injected', 'request', 'retry.attempt', 'log', 'request']);
    expect(details).toMatchObject({ attempts: 2, faults: 1, partial: false });
  });

  it('says when the page no longer holds the start of the request', () => {
    const details = requestDetails([at(50, makeRequest({ id: 'req-1', durationMs: 100 }))], 'req-1');
    expect(details.partial).toBe(true);
  });
});
