import { describe, expect, it } from 'vitest';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeLog, makeRequest } from '../shared/testing.ts';
import { filterLogs, logsReducer, MAX_LOGS } from './reducer.ts';

describe('logs reducer', () => {
  it('keeps log events and counts them per level', () => {
    const model = reduceEvents(logsReducer, [at(1, makeLog({ level: 'warn', msg: 'circuit opened' })), makeRequest(), at(2, makeLog())], 10);
    expect(model.rows.map((r) => [r.t, r.level, r.msg])).toEqual([
      [1, 'warn', 'circuit opened'],
      [2, 'info', 'hello'],
    ]);
    expect(model.counts).toEqual({ debug: 0, info: 1, warn: 1, error: 0 });
  });

  it(`keeps the last ${MAX_LOGS}`, () => {
    const model = reduceEvents(logsReducer, Array.from({ length: MAX_LOGS + 100 }, (_, i) => at(i, makeLog())), Infinity);
    expect(model.rows).toHaveLength(MAX_LOGS);
    expect(model.counts.info).toBe(MAX_LOGS + 100);
  });

  it('filters by minimum level and by words in the message or fields', () => {
    const { rows } = reduceEvents(
      logsReducer,
      [makeLog({ level: 'debug', msg: 'tick' }), makeLog({ level: 'warn', msg: 'slow', fields: { requestId: 'req-7' } }), makeLog({ level: 'error', msg: 'boom' })],
      0,
    );
    expect(filterLogs(rows, 'warn', '').map((r) => r.msg)).toEqual(['slow', 'boom']);
    expect(filterLogs(rows, 'debug', 'REQ-7').map((r) => r.msg)).toEqual(['slow']);
    expect(filterLogs(rows, 'debug', '')).toBe(rows);
  });
});
