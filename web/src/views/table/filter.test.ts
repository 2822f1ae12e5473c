import { describe, expect, it } from 'vitest';
import { makeLog, makeRequest } from '../shared/testing.ts';
import { filterRows, NO_FILTER, NOT_OK, sortChoices, type TableFilter } from './filter.ts';
import { deadLetters, logs, makeDeadLetter, requestLog, tableOf, valuesOf } from './testing.ts';

describe('filtering the request log', () => {
  const { layout, model } = tableOf(requestLog, [
    makeRequest({ id: 'req-1', outcome: 'ok', status: 200 }),
    makeRequest({ id: 'req-2', outcome: 'error', status: 502, error: 'payments answered 503' }),
    makeRequest({ id: 'req-3', outcome: 'rejected', status: 503, target: 'GET /health', clientKey: 'client-7' }),
  ]);
  const ids = (filter: Partial<TableFilter>) => filterRows(model.rows, layout, { ...NO_FILTER, ...filter }).map((r) => valuesOf(layout, r).id);

  it('passes everything without a filter', () => expect(filterRows(model.rows, layout, NO_FILTER)).toBe(model.rows));
  it('filters by outcome, and "not ok" means anything but ok', () => {
    expect(ids({ choices: { outcome: 'rejected' } })).toEqual(['req-3']);
    expect(ids({ choices: { outcome: NOT_OK } })).toEqual(['req-2', 'req-3']);
  });
  it('filters by status and route, and by both', () => {
    expect(ids({ choices: { status: '502' } })).toEqual(['req-2']);
    expect(ids({ choices: { target: 'GET /health' } })).toEqual(['req-3']);
    expect(ids({ choices: { target: 'POST /checkout', outcome: NOT_OK } })).toEqual(['req-2']);
    expect(ids({ choices: { status: '', outcome: '' } })).toEqual(['req-1', 'req-2', 'req-3']);
  });
  it('matches every word of the search in the id, route, client, status, outcome or error', () => {
    expect(ids({ text: 'payments 503' })).toEqual(['req-2']);
    expect(ids({ text: 'CLIENT-7' })).toEqual(['req-3']);
    expect(ids({ text: 'rejected health' })).toEqual(['req-3']);
    expect(ids({ text: 'rejected checkout' })).toEqual([]);
  });
});

describe('filtering the logs', () => {
  const { layout, model } = tableOf(logs, [
    makeLog({ level: 'debug', msg: 'tick' }),
    makeLog({ level: 'warn', msg: 'slow', fields: { requestId: 'req-7' } }),
    makeLog({ level: 'error', msg: 'boom' }),
  ]);
  const msgs = (filter: Partial<TableFilter>) => filterRows(model.rows, layout, { ...NO_FILTER, ...filter }).map((r) => valuesOf(layout, r).msg);

  it('shows lines at the minimum level or above', () => {
    expect(msgs({ choices: { level: 'warn' } })).toEqual(['slow', 'boom']);
    expect(msgs({ choices: { level: 'error' } })).toEqual(['boom']);
    expect(filterRows(model.rows, layout, { ...NO_FILTER, choices: { level: 'debug' } })).toBe(model.rows);
  });
  it('searches the message and the fields', () => {
    expect(msgs({ text: 'REQ-7' })).toEqual(['slow']);
    expect(msgs({ text: 'boom', choices: { level: 'warn' } })).toEqual(['boom']);
  });
});

describe('filtering dead letters', () => {
  const { layout, model } = tableOf(deadLetters, [
    makeDeadLetter('evt-1', 'send-welcome-email', 'email answered 503'),
    makeDeadLetter('evt-2', 'grant-credits', 'credits timed out'),
  ]);
  const ids = (filter: Partial<TableFilter>) => filterRows(model.rows, layout, { ...NO_FILTER, ...filter }).map((r) => valuesOf(layout, r).eventId);

  it('by handler, and by words in the event id, handler or error', () => {
    expect(ids({ choices: { handler: 'grant-credits' } })).toEqual(['evt-2']);
    expect(ids({ text: 'email 503' })).toEqual(['evt-1']);
    expect(ids({ text: 'evt-2 credits' })).toEqual(['evt-2']);
  });
});

describe('sortChoices', () => {
  const values = (choices: Array<string | number>, format: Parameters<typeof sortChoices>[1]) =>
    sortChoices(choices.map((value) => ({ value, count: 1 })), format).map((c) => c.value);

  it('orders outcomes and levels as the kit lists them, others after', () => {
    expect(values(['timeout', 'weird', 'ok', 'rejected'], 'outcome')).toEqual(['ok', 'rejected', 'timeout', 'weird']);
    expect(values(['error', 'debug', 'warn'], 'level')).toEqual(['debug', 'warn', 'error']);
  });
  it('orders numbers by value and text alphabetically', () => {
    expect(values([503, 200, 429], 'text')).toEqual([200, 429, 503]);
    expect(values(['b', 'a'], 'text')).toEqual(['a', 'b']);
  });
});
