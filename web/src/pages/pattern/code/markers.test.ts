import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../../../../patterns/kit/index.ts';
import {
  codeErrorOf,
  describeCodeError,
  describeSave,
  errorToMarker,
  formatWhen,
  MARKER_ERROR,
  runtimeErrorsFor,
  type LineSource,
} from './markers.ts';

const lines = (text: string): LineSource => {
  const all = text.split('\n');
  return { getLineCount: () => all.length, getLineContent: (n) => all[n - 1]! };
};

const SOURCE = ["import { x } from './errors.ts';", '', '  const = 42;', 'export const DEFAULTS = {};'].join('\n');

describe('errorToMarker', () => {
  it('underlines the identifier at the reported line and column', () => {
    const marker = errorToMarker({ message: 'boom', line: 4, column: 14 }, lines(SOURCE), 'save');
    expect(marker).toEqual({
      severity: MARKER_ERROR,
      message: 'boom',
      source: 'save',
      startLineNumber: 4,
      startColumn: 14,
      endLineNumber: 4,
      endColumn: 22, // DEFAULTS
    });
  });
  it('underlines one character where no identifier starts (esbuild: Expected identifier but found "=")', () => {
    const marker = errorToMarker({ message: 'Expected identifier but found "="', line: 3, column: 9 }, lines(SOURCE), 'save');
    expect(marker).toMatchObject({ startLineNumber: 3, startColumn: 9, endColumn: 10 });
  });
  it('underlines the whole line, without its indent, when there is no column', () => {
    expect(errorToMarker({ message: 'm', line: 3 }, lines(SOURCE), 's')).toMatchObject({ startColumn: 3, endColumn: 14 });
  });
  it('clamps a location past the end of a file that changed since', () => {
    const marker = errorToMarker({ message: 'm', line: 99, column: 200 }, lines(SOURCE), 's');
    expect(marker).toMatchObject({ startLineNumber: 4, startColumn: 28, endColumn: 29 });
  });
  it('gives no marker for an error without a line', () => {
    expect(errorToMarker({ message: 'worker crashed' }, lines(SOURCE), 's')).toBeUndefined();
  });
});

describe('messages', () => {
  it('describes a save as "Saved v7, deployed to 1 run in 120 ms"', () => {
    expect(describeSave({ version: 7, deployedTo: ['r1'], durationMs: 119.6 })).toBe('Saved v7, deployed to 1 run in 120 ms');
    expect(describeSave({ version: 8, deployedTo: ['r1', 'r2'], durationMs: 80 }, 'Restored')).toBe(
      'Restored v8, deployed to 2 runs in 80 ms',
    );
    expect(describeSave({ version: 2, deployedTo: [], durationMs: 40 })).toBe('Saved v2 in 40 ms; no run is going: the next run uses it');
  });
  it('reads a 422 body and names where the error is', () => {
    const error = codeErrorOf(
      { status: 422, message: 'Expected ";"', file: 'patterns/circuit-breaker/breakers.ts', line: 12, column: 5 },
      'fallback',
    );
    expect(error).toEqual({ message: 'Expected ";"', file: 'patterns/circuit-breaker/breakers.ts', line: 12, column: 5 });
    expect(describeCodeError(error)).toBe('Expected ";" (patterns/circuit-breaker/breakers.ts:12:5)');
    expect(codeErrorOf(undefined, 'Save failed')).toEqual({ message: 'Save failed' });
  });
});

describe('runtimeErrorsFor', () => {
  let t = 0;
  const event = (e: Record<string, unknown>) => ({ runId: 'r1', t: t++, ...e }) as TelemetryEvent;
  const error = (file: string, line: number, message = 'boom') => event({ type: 'run.error', message, file, line, column: 3 });
  const BREAKERS = 'patterns/circuit-breaker/breakers.ts';

  it('keeps the run.error events of this file since the last deploy', () => {
    const old = error(BREAKERS, 5, 'old');
    const fresh = error(BREAKERS, 9, 'fresh');
    const events = [
      event({ type: 'run.started', patternId: 'circuit-breaker', lab: 'payments', seed: 1, versions: {} }),
      old,
      event({ type: 'run.deployed', file: 'breakers.ts', version: 3 }),
      event({ type: 'request', id: 'a', direction: 'inbound', target: '/checkout', outcome: 'ok', durationMs: 1 }),
      error('patterns/circuit-breaker/circuit-breaker.ts', 4),
      fresh,
    ];
    expect(runtimeErrorsFor(events, 'circuit-breaker', 'breakers.ts')).toEqual([fresh]);
    expect(runtimeErrorsFor(events, 'circuit-breaker', 'circuit-breaker.ts')).toHaveLength(1);
  });
  it('drops repeats and errors older than the last save', () => {
    const first = error(BREAKERS, 9);
    const savedAt = error(BREAKERS, 2, 'before the save');
    const events = [savedAt, first, error(BREAKERS, 9), error(BREAKERS, 10)];
    const found = runtimeErrorsFor(events, 'circuit-breaker', 'breakers.ts', savedAt);
    expect(found.map((e) => e.line)).toEqual([9, 10]);
  });
  it('ignores errors without a file', () => {
    expect(runtimeErrorsFor([event({ type: 'run.error', message: 'crash' })], 'circuit-breaker', 'breakers.ts')).toEqual([]);
  });
});

describe('formatWhen', () => {
  it('shows the time for today and the date before', () => {
    const now = new Date(2026, 2, 14, 18, 0, 0).getTime();
    expect(formatWhen(new Date(2026, 2, 14, 9, 5, 7).getTime(), now)).toBe('09:05:07');
    expect(formatWhen(new Date(2026, 2, 3, 14, 2, 59).getTime(), now)).toBe('3 Mar 14:02');
  });
});
