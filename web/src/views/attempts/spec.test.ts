/** The view reads the event types and fields its spec names, and nothing it does not. */
import { describe, expect, it } from 'vitest';
import type { AttemptsViewSpec } from '../../../../patterns/kit/index.ts';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeCustom, makeOutbound, makeRequest } from '../shared/testing.ts';
import { makeAttemptsReducer } from './reducer.ts';
import { makeRetryGiveUp, makeRetryWait } from './testing.ts';

const reduce = (spec: AttemptsViewSpec, events: Parameters<typeof reduceEvents>[1], nowT = 10_000) => reduceEvents(makeAttemptsReducer(spec), events, nowT);

const base: AttemptsViewSpec = { kind: 'attempts', title: 'Attempts' };

/** Two failed attempts and a third that succeeds, 100 ms apart. */
const attempts = (id: string) => [
  at(10, makeOutbound({ parentId: id, attempt: 1, outcome: 'error', durationMs: 10 })),
  at(120, makeOutbound({ parentId: id, attempt: 2, outcome: 'error', durationMs: 10 })),
  at(230, makeOutbound({ parentId: id, attempt: 3, durationMs: 10 })),
  at(230, makeRequest({ id, durationMs: 230 })),
];

describe('attempts view spec', () => {
  it('reads waits from the event and fields the spec names', () => {
    const spec: AttemptsViewSpec = { ...base, wait: { event: 'backoff.wait', requestField: 'req', delayField: 'ms' } };
    const model = reduce(spec, [
      ...attempts('a').slice(0, 1),
      makeCustom('backoff.wait', { req: 'a', ms: 100 }, 10),
      ...attempts('a').slice(1, 2),
      makeCustom('backoff.wait', { req: 'a', ms: 100 }, 120),
      // The retry labs' event is not this lab's: it is not read.
      makeRetryWait({ t: 120, requestId: 'a', delayMs: 5000 }),
      ...attempts('a').slice(2),
    ]);
    const row = model.rows[0]!;
    // Without an attempt field, a wait follows the request's latest attempt.
    expect(row.waits.map((w) => [w.start, w.end, w.attempt, w.error])).toEqual([
      [10, 110, 1, undefined],
      [120, 220, 2, undefined],
    ]);
    expect(model.totals).toMatchObject({ calls: 3, retries: 2, waits: 2, waitedMs: 200 });
  });

  it('reads give-ups from the event the spec names', () => {
    const spec: AttemptsViewSpec = { ...base, giveUp: { event: 'backoff.exhausted', requestField: 'req' } };
    const model = reduce(spec, [
      at(10, makeOutbound({ parentId: 'a', outcome: 'error', durationMs: 10 })),
      makeCustom('backoff.exhausted', { req: 'a' }, 20),
      at(20, makeRequest({ id: 'a', outcome: 'error', status: 502 })),
    ]);
    expect(model.rows[0]).toMatchObject({ id: 'a', result: 'gave-up', end: 20 });
    expect(model.histogram).toEqual([{ attempts: 1, ok: 0, failed: 1 }]);
    expect(model.totals.giveups).toBe(1);
    expect(model.segments[0]!.giveups).toBe(1);
  });

  it('works from request events alone: attempts after the first are the retries', () => {
    const model = reduce(base, [...attempts('a'), makeRetryWait({ t: 10, requestId: 'a' }), makeRetryGiveUp({ t: 230, requestId: 'a' })]);
    expect(model.rows[0]).toMatchObject({ id: 'a', start: 0, end: 230, result: 'ok', waits: [] });
    expect(model.histogram).toEqual([{ attempts: 3, ok: 1, failed: 0 }]);
    expect(model.totals).toEqual({ calls: 3, retries: 2, giveups: 0, waits: 0, waitedMs: 0 });
    expect(model.segments[0]).toMatchObject({ calls: 3, retries: 2, giveups: 0 });
  });

  it('shows the lab’s summary events as rows of the spec’s columns, formatted', () => {
    const spec: AttemptsViewSpec = {
      ...base,
      summary: {
        event: 'herd.done',
        title: 'Herds',
        fields: [
          { field: 'strategy', label: 'strategy' },
          { field: 'calls', label: 'calls', format: 'count' },
          { field: 'calls', per: 'clients', label: 'calls / client', format: 'count' },
          { field: 'timing.doneAtMs', label: 'all done after', format: 'ms' },
          { field: 'failed', label: 'failed', format: 'count', tone: 'bad' },
          { field: 'missing', label: 'not sent' },
        ],
      },
    };
    const model = reduce(spec, [
      makeCustom('herd.done', { strategy: 'full-jitter', calls: 25_000, clients: 3, timing: { doneAtMs: 4200 }, failed: 2 }, 5000),
      makeCustom('herd.done', { strategy: 'none', calls: 120, clients: 0, timing: { doneAtMs: 950 }, failed: 0 }, 6000),
      makeCustom('retry.summary', { strategy: 'not read' }, 6000),
    ]);
    expect(model.summaries).toEqual([
      {
        t: 5000,
        cells: [{ text: 'full-jitter' }, { text: '25.0k' }, { text: '8333.33' }, { text: '4.20 s' }, { text: '2', tone: 'bad' }, { text: '–' }],
      },
      // No clients: no ratio. No failures: no colour.
      { t: 6000, cells: [{ text: 'none' }, { text: '120' }, { text: '–' }, { text: '950 ms' }, { text: '0' }, { text: '–' }] },
    ]);
    expect(reduce(spec, [makeCustom('herd.done', { strategy: 'x' }, 5000)], 4000).summaries).toEqual([]);
  });
});
