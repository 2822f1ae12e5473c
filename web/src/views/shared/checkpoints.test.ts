import { describe, expect, it } from 'vitest';
import { requestLogView, type TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { makeStateMachineReducer } from '../state-machine/reducer.ts';
import { circuitSpec } from '../state-machine/testing.ts';
import { makeTableReducer } from '../table/reducer.ts';
import { CHECKPOINT_EVERY, CheckpointedFold, indexAfterSeq } from './checkpoints.ts';
import { reduceEvents, type ViewReducer } from './reducer.ts';
import { makeCircuitState, makeMetrics, makeOutbound, makeRequest } from './testing.ts';

/** The payments lab's circuit view: a reducer with transitions, probes and request counters. */
const circuitReducer = makeStateMachineReducer(circuitSpec());

/** A long run: requests, some failing, the circuit opening and closing, metrics every 100 events. */
const makeRun = (count: number, runId = 'run-1'): TelemetryEvent[] => {
  const events: TelemetryEvent[] = [];
  const states = ['closed', 'open', 'half-open'];
  for (let seq = 0; seq < count; seq++) {
    const t = seq * 2;
    const base = { t, seq, runId };
    let event: TelemetryEvent;
    if (seq % 5000 === 4999) {
      const n = Math.floor(seq / 5000);
      event = { ...makeCircuitState({ from: states[n % 3]!, to: states[(n + 1) % 3]! }), ...base };
    } else if (seq % 100 === 99) event = { ...makeMetrics({ count: seq % 37 }), ...base };
    else if (seq % 2) event = { ...makeOutbound({ parentId: `req-${seq - 1}` }), ...base };
    else event = { ...makeRequest({ id: `req-${seq}`, outcome: seq % 7 ? 'ok' : 'error', status: seq % 7 ? 200 : 503 }), ...base };
    events.push(event);
  }
  return events;
};

/** The reducer, counting its steps. */
const counting = <Acc, Model>(reducer: ViewReducer<Acc, Model>) => {
  const counter = { steps: 0 };
  const wrapped: ViewReducer<Acc, Model> = {
    init: () => reducer.init(),
    step: (acc, event) => {
      counter.steps++;
      reducer.step(acc, event);
    },
    view: (acc, nowT) => reducer.view(acc, nowT),
  };
  return { wrapped, counter };
};

const upTo = (events: TelemetryEvent[], n: number) => events.slice(0, n);

describe('checkpointed folds', () => {
  const run = makeRun(100_000);

  it('finds positions by seq, with gaps', () => {
    const events = [0, 1, 5, 6, 9].map((seq) => ({ ...makeRequest(), seq }));
    expect(indexAfterSeq(events, -1)).toBe(0);
    expect(indexAfterSeq(events, 1)).toBe(2);
    expect(indexAfterSeq(events, 3)).toBe(2);
    expect(indexAfterSeq(events, 9)).toBe(5);
  });

  for (const [name, reducer] of [
    ['circuit', circuitReducer],
    ['request log', makeTableReducer(requestLogView())],
  ] as const) {
    it(`scrubbing a run of 100,000 events (${name}) folds at most one checkpoint span per move, and equals a full fold`, () => {
      const { wrapped, counter } = counting(reducer as ViewReducer<unknown, unknown>);
      const fold = new CheckpointedFold(wrapped);
      // Live: the run arrives in batches; each folds only the new events.
      for (let n = 1000; n <= run.length; n += 1000) fold.model(upTo(run, n), run[n - 1]!.t);
      expect(counter.steps).toBe(run.length);
      expect(fold.checkpointCount).toBe(Math.floor(run.length / CHECKPOINT_EVERY));

      // Scrubbing: back, forward, far and near, in a fixed pseudo-random order.
      let x = 12345;
      const positions = [1, 99_999, 50_000, 49_999, 50_001, 2, 100_000, 75_123];
      for (let i = 0; i < 30; i++) positions.push(1 + ((x = (x * 1103515245 + 12345) % 2 ** 31) % run.length));
      for (const n of positions) {
        const before = counter.steps;
        const model = fold.model(upTo(run, n), run[n - 1]!.t);
        expect(counter.steps - before, `steps to reach ${n}`).toBeLessThanOrEqual(CHECKPOINT_EVERY);
        expect(model).toEqual(reduceEvents(reducer as ViewReducer<unknown, unknown>, upTo(run, n), run[n - 1]!.t));
      }
      // Each scrub is checked against a full fold of up to 100,000 events: seconds of CPU, more beside another test file.
    }, 90_000);
  }

  it('starts over for another run, or when older events arrive in front', () => {
    const { wrapped, counter } = counting(circuitReducer);
    const fold = new CheckpointedFold(wrapped);
    const newest = run.slice(90_000);
    fold.model(newest, newest.at(-1)!.t);
    expect(counter.steps).toBe(10_000);
    // The page loaded older history: the window now starts earlier, so the fold does too.
    const wider = run.slice(80_000);
    expect(fold.model(wider, wider.at(-1)!.t)).toEqual(reduceEvents(circuitReducer, wider, wider.at(-1)!.t));
    expect(counter.steps).toBe(30_000);
    // Another run (numbered from 0 again).
    const other = makeRun(10, 'run-2');
    expect(fold.model(other, 18)).toEqual(reduceEvents(circuitReducer, other, 18));
    expect(fold.model([], 0)).toEqual(reduceEvents(circuitReducer, [], 0));
  });

  it('keeps no checkpoints the window has trimmed away', () => {
    const fold = new CheckpointedFold(circuitReducer);
    fold.model(run.slice(0, 20_000), 40_000);
    expect(fold.checkpointCount).toBe(10);
    fold.model(run.slice(10_000, 21_000), 42_000);
    expect(fold.checkpointCount).toBe(5); // 11,999 … 19,999
  });
});
