import { describe, expect, it } from 'vitest';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeOutbound, makeParamsChanged, makeRequest } from '../shared/testing.ts';
import { BUCKET_MS, LOAD_WINDOW_MS, rebin } from './load.ts';
import { makeAttemptsReducer, MAX_GROUPS, pickRows } from './reducer.ts';
import { makeRetryGiveUp, makeRetryWait, retrySpec } from './testing.ts';

const reduce = (events: Parameters<typeof reduceEvents>[1], nowT = 100_000) => reduceEvents(makeAttemptsReducer(retrySpec), events, nowT);

/** A request that fails `failures` times, waiting `delayMs` after each, then succeeds (or gives up). */
const retried = (id: string, t0: number, failures: number, options: { delayMs?: number; giveUp?: boolean } = {}) => {
  const delay = options.delayMs ?? 100;
  const events = [];
  let t = t0;
  for (let attempt = 1; attempt <= failures; attempt++) {
    events.push(at(t + 10, makeOutbound({ parentId: id, attempt, outcome: 'error', status: 503, durationMs: 10 })));
    events.push(makeRetryWait({ t: t + 10, requestId: id, attempt, delayMs: delay }));
    t += 10 + delay;
  }
  if (options.giveUp) {
    events.push(makeRetryGiveUp({ t, requestId: id, attempts: failures }));
    events.push(at(t, makeRequest({ id, outcome: 'error', status: 502, durationMs: t - t0 })));
  } else {
    events.push(at(t + 10, makeOutbound({ parentId: id, attempt: failures + 1, durationMs: 10 })));
    events.push(at(t + 10, makeRequest({ id, durationMs: t + 10 - t0 })));
  }
  return events;
};

describe('attempts reducer', () => {
  it('lays out each request’s attempts and waits as Gantt bars', () => {
    const model = reduce(retried('req-1', 1000, 2));
    expect(model.rows).toHaveLength(1);
    const row = model.rows[0]!;
    expect(row).toMatchObject({ id: 'req-1', start: 1000, end: 1230, result: 'ok', clientKey: 'client-0' });
    expect(row.attempts.map((s) => [s.attempt, s.start, s.end, s.outcome])).toEqual([
      [1, 1000, 1010, 'error'],
      [2, 1110, 1120, 'error'],
      [3, 1220, 1230, 'ok'],
    ]);
    expect(row.waits.map((s) => [s.start, s.end, s.attempt, s.error])).toEqual([
      [1010, 1110, 1, 'HTTP 503'],
      [1120, 1220, 2, 'HTTP 503'],
    ]);
  });

  it('marks a give-up, and counts attempts per request in the histogram', () => {
    const model = reduce([...retried('a', 0, 0), ...retried('b', 0, 2), ...retried('c', 0, 2), ...retried('d', 0, 3, { giveUp: true })]);
    expect(model.rows.find((r) => r.id === 'd')!.result).toBe('gave-up');
    // b and c succeed on their third attempt; d fails three times and gives up.
    expect(model.histogram).toEqual([
      { attempts: 1, ok: 1, failed: 0 },
      { attempts: 3, ok: 2, failed: 1 },
    ]);
    expect(model.totals).toEqual({ calls: 10, retries: 7, giveups: 1, waits: 7, waitedMs: 700 });
  });

  it('counts downstream calls by when they started, in fine buckets over the last 30 s', () => {
    const events = [
      at(1010, makeOutbound({ parentId: 'a', durationMs: 10 })),
      at(1030, makeOutbound({ parentId: 'b', durationMs: 20, outcome: 'error' })),
      at(1090, makeOutbound({ parentId: 'c', durationMs: 30 })),
    ];
    const model = reduce(events, 2000);
    expect(model.load).toHaveLength(2000 / BUCKET_MS + 1);
    expect(model.load.find((b) => b.t === 1000)).toEqual({ t: 1000, calls: 2, failed: 1 });
    expect(model.load.find((b) => b.t === 1050)).toEqual({ t: 1050, calls: 1, failed: 0 });
    expect(reduce(events, 100_000).load).toHaveLength(LOAD_WINDOW_MS / BUCKET_MS);
    expect(rebin(model.load, 250).find((b) => b.t === 1000)).toEqual({ t: 1000, calls: 3, failed: 1 });
  });

  it('keeps only the load window’s buckets however long the run', () => {
    const events = Array.from({ length: 5000 }, (_, i) => at(i * BUCKET_MS, makeOutbound({ parentId: `r${i}`, durationMs: 0 })));
    const model = reduce(events, 5000 * BUCKET_MS);
    expect(model.load).toHaveLength(LOAD_WINDOW_MS / BUCKET_MS);
    expect(model.load.every((b) => b.calls === 1 || b.t === 5000 * BUCKET_MS)).toBe(true);
  });

  it('splits the run into segments at each parameter change and compares them', () => {
    const model = reduce([
      ...retried('a', 0, 2),
      at(5000, makeParamsChanged({ params: { strategy: 'full-jitter', clients: 50 } })),
      ...retried('b', 6000, 1),
      at(9000, makeParamsChanged({ params: { strategy: 'none', clients: 50 } })),
    ]);
    expect(model.segments.map((s) => [s.index, s.start, s.label, s.calls, s.retries, s.succeeded, s.lastDone])).toEqual([
      [0, 0, 'start', 3, 2, 1, 230],
      [1, 5000, 'strategy=full-jitter, clients=50', 2, 1, 1, 6120],
      [2, 9000, 'strategy=none', 0, 0, 0, undefined],
    ]);
  });

  it('names the opening segment after the run’s first parameters', () => {
    const model = reduce([at(0, makeParamsChanged({ params: { jitter: 'none' } })), ...retried('a', 10, 1)]);
    expect(model.segments.map((s) => [s.index, s.label, s.calls])).toEqual([[0, 'jitter=none', 2]]);
  });

  it(`keeps at most ${MAX_GROUPS} requests for the Gantt`, () => {
    const events = Array.from({ length: MAX_GROUPS + 50 }, (_, i) => retried(`r${i}`, i * 10, 1)).flat();
    const model = reduce(events);
    expect(model.rows).toHaveLength(MAX_GROUPS);
    expect(model.rows.at(-1)!.id).toBe(`r${MAX_GROUPS + 49}`);
  });

  it('picks the latest rows, or only those that retried', () => {
    const model = reduce([...retried('a', 0, 1), ...retried('b', 10, 0), ...retried('c', 20, 0)]);
    expect(pickRows(model.rows, false, 2).map((r) => r.id)).toEqual(['b', 'c']);
    expect(pickRows(model.rows, true).map((r) => r.id)).toEqual(['a']);
  });

  it('shows a wait still going up to nowT', () => {
    const model = reduce([at(10, makeOutbound({ parentId: 'a', durationMs: 10, outcome: 'error' })), makeRetryWait({ t: 10, requestId: 'a', delayMs: 1000 })], 500);
    expect(model.rows[0]).toMatchObject({ start: 0, end: 500, result: undefined });
  });

  it('shows the run as it was at a scrubbed time', () => {
    const events = retried('a', 0, 2);
    const model = reduce(events, 115);
    // At 115 ms the first attempt has failed and the second is under way (not yet ended).
    expect(model.rows[0]!.attempts.map((s) => s.attempt)).toEqual([1]);
    expect(model.rows[0]!.waits).toHaveLength(1);
    expect(model.rows[0]!.result).toBeUndefined();
  });
});
