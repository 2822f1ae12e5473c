import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../../patterns/kit/index.ts';
import { fullFromT, mergeBySeq, olderNotLoaded, oldestFirst, trimOldest } from './history.ts';

const ev = (seq: number, runId = 'run-1'): TelemetryEvent => ({
  type: 'log',
  t: seq * 10,
  seq,
  runId,
  level: 'info',
  msg: `event ${seq}`,
  fields: {},
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ev(from + i));
const seqs = (events: readonly TelemetryEvent[]) => events.map((e) => e.seq);

describe('merging history and live by seq', () => {
  it('appends newer live events without sorting', () => {
    const events = range(0, 4);
    expect(mergeBySeq(events, range(5, 7))).toBe(3);
    expect(seqs(events)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('drops what it already holds: live batches that overlap the history page', () => {
    // Connected first, then loaded the newest history (newest first): seq 95-100 came both ways.
    const live = range(95, 103);
    const history = oldestFirst(range(0, 100).reverse());
    const events: TelemetryEvent[] = [];
    mergeBySeq(events, history);
    expect(mergeBySeq(events, live)).toBe(3);
    expect(seqs(events)).toEqual(seqs(range(0, 103)));
  });

  it('merges older history that arrives after live, and repeats inside one batch', () => {
    const events = range(50, 55);
    expect(mergeBySeq(events, [ev(48), ev(49), ev(52), ev(49), ev(56)])).toBe(3);
    expect(seqs(events)).toEqual([48, 49, 50, 51, 52, 53, 54, 55, 56]);
  });

  it('keeps the same event only once even when its copies are different objects', () => {
    const events = [ev(1), ev(2)];
    mergeBySeq(events, [{ ...ev(2) }, { ...ev(1) }]);
    expect(events).toHaveLength(2);
  });

  it('keeps gaps (events dropped for a slow page) as gaps', () => {
    const events = range(0, 2);
    mergeBySeq(events, [ev(7), ev(8)]);
    expect(seqs(events)).toEqual([0, 1, 2, 7, 8]);
  });

  it('finds where the full history starts after a prelude of state changes', () => {
    const events = [ev(3), ev(40), ev(100), ev(101), ev(102)];
    expect(fullFromT(events, 100)).toBe(1000);
    expect(fullFromT(events, 0)).toBe(30);
    expect(fullFromT(events, 200)).toBeUndefined();
  });

  it('reverses a newest-first page into seq order', () => {
    expect(seqs(oldestFirst([ev(9), ev(8), ev(7)]))).toEqual([7, 8, 9]);
  });

  it('trims the oldest in chunks, and says when older events are not loaded', () => {
    const events = range(0, 109);
    expect(trimOldest(events, 200)).toBe(0);
    expect(trimOldest(events, 100)).toBe(20);
    expect(events[0]!.seq).toBe(20);
    expect(events).toHaveLength(90);
    expect(olderNotLoaded(range(0, 9), false, 0)).toBe(false);
    expect(olderNotLoaded(range(0, 9), true, 0)).toBe(true);
    expect(olderNotLoaded(range(0, 9), false, 5)).toBe(true);
    expect(olderNotLoaded(range(10, 19), false, 0)).toBe(true);
    expect(olderNotLoaded([], false, 0)).toBe(false);
  });
});
