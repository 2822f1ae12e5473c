import { describe, expect, it } from 'vitest';
import { at, makeCustom, makeLog, makeOutbound, makeRequest } from '../shared/testing.ts';
import { DEFAULT_MAX_ROWS, MAX_CHOICES, MAX_PENDING } from './reducer.ts';
import { deadLetters, logs, makeDeadLetter, makeSql, queryLog, requestLog, tableOf, valuesOf } from './testing.ts';

describe('the request log (requestLogView)', () => {
  it('keeps inbound requests as rows, oldest first, with their outbound calls counted', () => {
    const { layout, model } = tableOf(requestLog, [
      at(5, makeOutbound({ parentId: 'req-1', attempt: 1, outcome: 'error' })),
      at(9, makeOutbound({ parentId: 'req-1', attempt: 2 })),
      at(10, makeRequest({ id: 'req-1', durationMs: 10 })),
      at(20, makeRequest({ id: 'req-2', outcome: 'rejected', status: 503, clientKey: 'client-3' })),
    ]);
    expect(model.rows.map((r) => [valuesOf(layout, r).id, r.related![0], valuesOf(layout, r).outcome])).toEqual([
      ['req-1', 2, 'ok'],
      ['req-2', 0, 'rejected'],
    ]);
    expect(valuesOf(layout, model.rows[1]!)).toMatchObject({ t: 20, status: 503, clientKey: 'client-3', target: 'POST /checkout' });
    expect(model.total).toBe(2);
  });

  it('keeps only the fields the table reads: its columns, then those it filters, searches or opens by', () => {
    const { layout, model } = tableOf(requestLog, [makeRequest({ error: 'payments answered 503', attempt: 4 })]);
    expect(layout.fields).toEqual(['t', 'id', 'target', 'status', 'outcome', 'durationMs', 'clientKey', 'error']);
    expect(model.rows[0]!.values).toHaveLength(layout.fields.length);
    expect(valuesOf(layout, model.rows[0]!).error).toBe('payments answered 503');
  });

  it('offers the outcomes, statuses and routes seen, in reading order, with how many rows had each', () => {
    const { model } = tableOf(requestLog, [
      makeRequest({ status: 503, outcome: 'rejected' }),
      makeRequest({ status: 200, target: 'GET /health' }),
      makeRequest({ status: 200 }),
      makeRequest({ status: undefined, outcome: 'timeout' }),
      makeOutbound({ status: 502, outcome: 'error' }),
    ]);
    const choices = Object.fromEntries(model.filters.map((f) => [f.label, f.choices.map((c) => [c.value, c.count])]));
    expect(choices).toEqual({
      outcome: [['ok', 2], ['rejected', 1], ['timeout', 1]],
      status: [[200, 2], [503, 1]],
      route: [['GET /health', 1], ['POST /checkout', 3]],
    });
  });

  it(`keeps at most ${DEFAULT_MAX_ROWS} rows and counts them all`, () => {
    const events = Array.from({ length: DEFAULT_MAX_ROWS + 1234 }, (_, i) => at(i, makeRequest({ id: `req-${i}` })));
    const { layout, model } = tableOf(requestLog, events);
    expect(model.rows).toHaveLength(DEFAULT_MAX_ROWS);
    expect(valuesOf(layout, model.rows.at(-1)!).id).toBe(`req-${DEFAULT_MAX_ROWS + 1233}`);
    expect(model.total).toBe(DEFAULT_MAX_ROWS + 1234);
  });

  it('shows rows only up to nowT', () => {
    const { layout, model } = tableOf(requestLog, [at(1, makeRequest({ id: 'a' })), at(5, makeRequest({ id: 'b' }))], 3);
    expect(model.rows.map((r) => valuesOf(layout, r).id)).toEqual(['a']);
  });

  it(`counts calls for at most ${MAX_PENDING} requests not seen yet, forgetting the oldest`, () => {
    const calls = Array.from({ length: MAX_PENDING + 1 }, (_, i) => makeOutbound({ parentId: `req-${i}` }));
    const { model } = tableOf(requestLog, [...calls, makeRequest({ id: 'req-0' }), makeRequest({ id: `req-${MAX_PENDING}` })]);
    expect(model.rows.map((r) => r.related![0])).toEqual([0, 1]);
  });

  it(`remembers at most ${MAX_CHOICES} values per filter`, () => {
    const { model } = tableOf(
      requestLog,
      Array.from({ length: MAX_CHOICES + 50 }, (_, i) => makeRequest({ target: `GET /items/${i}` })),
    );
    expect(model.filters.find((f) => f.field === 'target')!.choices).toHaveLength(MAX_CHOICES);
  });
});

describe('the logs (logsView)', () => {
  it('keeps log lines and counts them per level', () => {
    const { layout, model } = tableOf(logs, [at(1, makeLog({ level: 'warn', msg: 'circuit opened' })), makeRequest(), at(2, makeLog())]);
    expect(model.rows.map((r) => [valuesOf(layout, r).t, valuesOf(layout, r).level, valuesOf(layout, r).msg])).toEqual([
      [1, 'warn', 'circuit opened'],
      [2, 'info', 'hello'],
    ]);
    expect(model.filters[0]!.choices).toEqual([
      { value: 'info', count: 1 },
      { value: 'warn', count: 1 },
    ]);
  });

  it('keeps the last 2,000 and counts every level', () => {
    const { model } = tableOf(logs, Array.from({ length: 2100 }, (_, i) => at(i, makeLog({ level: i % 2 ? 'debug' : 'error' }))));
    expect(model.rows).toHaveLength(2000);
    expect(model.filters[0]!.choices).toEqual([
      { value: 'debug', count: 1050 },
      { value: 'error', count: 1050 },
    ]);
  });
});

describe('a table of another event: a query log of `sql` events', () => {
  it('keeps statements, rows and durations, only of its events, the last maxRows', () => {
    const { layout, model } = tableOf(queryLog, [
      makeSql('SELECT * FROM users', 3, 1.5),
      makeRequest(),
      makeSql('INSERT INTO users', 1, 2),
      makeSql('SELECT * FROM orders', 0, 0.5, { error: 'database is locked' }),
      makeSql('DELETE FROM sessions', 12, 4),
    ]);
    expect(model.rows.map((r) => valuesOf(layout, r))).toEqual([
      { t: 0, statement: 'INSERT INTO users', rows: 1, durationMs: 2, error: undefined },
      { t: 0, statement: 'SELECT * FROM orders', rows: 0, durationMs: 0.5, error: 'database is locked' },
      { t: 0, statement: 'DELETE FROM sessions', rows: 12, durationMs: 4, error: undefined },
    ]);
    expect(model.total).toBe(4);
    expect(model.filters[0]!.choices.map((c) => c.value)).toEqual([0, 1, 3, 12]);
  });

  it('mixes event types when the spec lists several', () => {
    const spec = { ...queryLog, events: ['sql', 'db.slow'] };
    const { model } = tableOf(spec, [makeSql('SELECT 1', 1, 1), makeCustom('db.slow', { statement: 'SELECT 2', durationMs: 900 })]);
    expect(model.rows).toHaveLength(2);
  });
});

describe('fields inside objects', () => {
  it('reads dotted paths in where, columns and filters', () => {
    const spec = { ...logs, where: { 'fields.requestId': 'req-1' }, columns: [{ field: 'fields.route', label: 'route' }], filters: ['fields.route'] };
    const { layout, model } = tableOf(spec, [
      makeLog({ fields: { requestId: 'req-1', route: 'POST /signup' } }),
      makeLog({ fields: { requestId: 'req-2', route: 'GET /health' } }),
    ]);
    expect(model.rows.map((r) => valuesOf(layout, r)['fields.route'])).toEqual(['POST /signup']);
    expect(model.filters[0]!.choices).toEqual([{ value: 'POST /signup', count: 1 }]);
  });
});

describe('the event bus’s dead letters', () => {
  it('lists dead letters with their handler offered as a filter, the last 200', () => {
    const events = Array.from({ length: 205 }, (_, i) => at(i, makeDeadLetter(`evt-${i}`, i % 2 ? 'send-welcome-email' : 'grant-credits', 'email answered 503')));
    const { layout, model } = tableOf(deadLetters, [...events, makeCustom('event.handled', { eventId: 'evt-1', handler: 'x', ok: true })]);
    expect(model.rows).toHaveLength(200);
    expect(valuesOf(layout, model.rows.at(-1)!)).toEqual({ t: 204, eventId: 'evt-204', name: 'user.created', handler: 'grant-credits', attempts: 3, error: 'email answered 503' });
    expect(model.filters.map((f) => f.choices.map((c) => c.value))).toEqual([['grant-credits', 'send-welcome-email']]);
    expect(layout.key).toBeUndefined();
  });
});
