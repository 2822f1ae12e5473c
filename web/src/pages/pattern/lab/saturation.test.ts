import { describe, expect, it } from 'vitest';
import type { TelemetryEvent, TelemetryOf } from '../../../../../patterns/kit/index.ts';
import { CheckpointedFold } from '../../../views/shared/checkpoints.ts';
import { reduceEvents } from '../../../views/shared/reducer.ts';
import { at, makeLoadProgress, makeRequest } from '../../../views/shared/testing.ts';
import { MAX_SPANS, SATURATION_ADVICE, saturatedAt, saturationHeadline, saturationParts, saturationReducer } from './saturation.ts';

const progress = (t: number, fields: Partial<TelemetryOf<'load.progress'>> = {}) => at(t, makeLoadProgress({ saturated: false, ...fields }));
const saturated = (t: number, fields: Partial<TelemetryOf<'load.progress'>> = {}) =>
  progress(t, { saturated: true, targetRate: 500, sentRate: 380, loopLagMs: 140.4, ...fields });
const stopped = (t: number): TelemetryOf<'run.stopped'> => ({ t, runId: 'run-1', seq: 0, type: 'run.stopped', reason: 'user' });
/** Numbered as the run's host would, so the checkpointed fold can resume by `seq`. */
const numbered = (events: TelemetryEvent[]): TelemetryEvent[] => events.map((e, seq) => ({ ...e, seq }));

describe('saturationReducer', () => {
  it('shows the latest saturated reading and opens a span at the first', () => {
    const model = reduceEvents(saturationReducer, [progress(250), saturated(4250, { sentRate: 390 }), makeRequest({ t: 4300 }), saturated(4500)], Infinity);
    expect(model.current).toEqual({ t: 4500, targetRate: 500, sentRate: 380, loopLagMs: 140.4 });
    expect(model.spans).toEqual([{ from: 4250, to: undefined }]);
  });

  it('closes the span with the first progress that is not saturated, and the notice goes', () => {
    const model = reduceEvents(saturationReducer, [saturated(1000), saturated(1250), progress(1500), progress(1750)], Infinity);
    expect(model.current).toBeUndefined();
    expect(model.spans).toEqual([{ from: 1000, to: 1500 }]);
  });

  it('ends a span when the load finishes or the run stops, whatever the last verdict said', () => {
    // The server puts no verdict on a finished load's last event; one that said saturated would not count.
    const done = reduceEvents(saturationReducer, [saturated(1000), progress(2000, { saturated: true, done: true })], Infinity);
    expect(done).toEqual({ current: undefined, spans: [{ from: 1000, to: 2000 }] });
    const stop = reduceEvents(saturationReducer, [saturated(1000), saturated(1250), stopped(1300)], Infinity);
    expect(stop).toEqual({ current: undefined, spans: [{ from: 1000, to: 1300 }] });
  });

  it('keeps separate spans, and ignores progress from runs recorded before the verdict existed', () => {
    const legacy = makeLoadProgress({ t: 500 });
    const model = reduceEvents(saturationReducer, [legacy, saturated(1000), progress(2000), saturated(5000), progress(6000)], Infinity);
    expect(model.spans).toEqual([
      { from: 1000, to: 2000 },
      { from: 5000, to: 6000 },
    ]);
    expect(reduceEvents(saturationReducer, [legacy], Infinity)).toEqual({ current: undefined, spans: [] });
  });

  it('answers as at a moment looked back at: later spans are not there yet, a later end has not come', () => {
    const events = numbered([saturated(1000), progress(2000), saturated(5000), progress(6000)]);
    const upTo = (t: number) => events.filter((e) => e.t <= t);
    const fold = new CheckpointedFold(saturationReducer, { every: 2 });
    expect(fold.model(upTo(1500), 1500)).toEqual({ current: expect.objectContaining({ t: 1000 }), spans: [{ from: 1000, to: undefined }] });
    expect(fold.model(upTo(3000), 3000)).toEqual({ current: undefined, spans: [{ from: 1000, to: 2000 }] });
    expect(fold.model(events, Infinity).spans).toHaveLength(2);
    // Back again: the same answer as folding from scratch.
    expect(fold.model(upTo(1500), 1500)).toEqual(reduceEvents(saturationReducer, upTo(1500), 1500));
  });

  it('keeps at most MAX_SPANS spans, the newest', () => {
    const events = Array.from({ length: MAX_SPANS + 40 }, (_, n) => [saturated(n * 1000), progress(n * 1000 + 500)]).flat();
    const { spans } = reduceEvents(saturationReducer, events, Infinity);
    expect(spans).toHaveLength(MAX_SPANS);
    expect(spans.at(-1)).toEqual({ from: (MAX_SPANS + 39) * 1000, to: (MAX_SPANS + 39) * 1000 + 500 });
  });

  it('tells whether a moment falls in a span, an open one running on', () => {
    const spans = [
      { from: 1000, to: 2000 },
      { from: 5000, to: undefined },
    ];
    expect([500, 1000, 2000, 3000, 5000, 99_000].map((t) => saturatedAt(spans, t))).toEqual([false, true, true, false, true, true]);
  });
});

describe('the saturation notice', () => {
  it('says how far the generator fell short and how far the loop lags', () => {
    expect(saturationHeadline({ t: 0, targetRate: 500, sentRate: 380.4, loopLagMs: 140.4 })).toBe(
      'The workbench is saturated: 380 of 500 req/s sent (event loop lag 140 ms).',
    );
    expect(SATURATION_ADVICE).toBe("The numbers below show the workbench's limits, not the pattern's.");
  });

  it('has no target for the closed model, no lag without a reading, and speaks of the past when looking back', () => {
    expect(saturationHeadline({ t: 0, sentRate: 1234, loopLagMs: 220 })).toBe('The workbench is saturated: 1,234 req/s sent (event loop lag 220 ms).');
    expect(saturationHeadline({ t: 0, targetRate: 500, sentRate: 380 })).toBe('The workbench is saturated: 380 of 500 req/s sent.');
    // Catching up after a stall: the lag leads, the sent figure is not read as "more than asked".
    expect(saturationHeadline({ t: 0, targetRate: 3001, sentRate: 4864, loopLagMs: 374 })).toBe(
      'The workbench is saturated: event loop lag 374 ms (4,864 req/s sent to catch up with 3,001).',
    );
    expect(saturationHeadline({ t: 0, loopLagMs: 150 })).toBe('The workbench is saturated: event loop lag 150 ms.');
    expect(saturationHeadline({ t: 0 })).toBe('The workbench is saturated.');
    expect(saturationParts({ t: 0, targetRate: 500, sentRate: 380, loopLagMs: 140 }, true)).toEqual({
      lead: 'The workbench was saturated',
      figures: ': 380 of 500 req/s sent (event loop lag 140 ms)',
    });
  });
});
