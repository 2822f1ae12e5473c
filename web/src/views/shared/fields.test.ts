import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { fieldOf, formatValue, matchesWhere } from './fields.ts';

const log = { type: 'log', t: 1500, runId: 'r', seq: 3, level: 'info', msg: 'hi', fields: { route: '/a', n: 2 } } as TelemetryEvent;

describe('reading events as a view spec names them', () => {
  it('reads fields by dotted path', () => {
    expect(fieldOf(log, 'msg')).toBe('hi');
    expect(fieldOf(log, 'fields.route')).toBe('/a');
    expect(fieldOf(log, 'fields.route.x')).toBeUndefined();
    expect(fieldOf(log, 'nothing.here')).toBeUndefined();
  });

  it('filters on every field of `where`', () => {
    expect(matchesWhere(log, undefined)).toBe(true);
    expect(matchesWhere(log, { level: 'info', 'fields.n': 2 })).toBe(true);
    expect(matchesWhere(log, { level: 'warn' })).toBe(false);
  });

  it('formats values as the spec asks', () => {
    expect(formatValue(1500, 'time')).toBe('1.50 s');
    expect(formatValue(12.4, 'ms')).toBe('12 ms');
    expect(formatValue(0.25, 'percent')).toBe('25%');
    expect(formatValue(undefined)).toBe('–');
    expect(formatValue({ a: 1 }, 'json')).toBe('{"a":1}');
    expect(formatValue({}, 'json')).toBe('');
  });
});
