import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../../../patterns/kit/index.ts';
import { reduceEvents } from '../shared/reducer.ts';
import { makeRequest } from '../shared/testing.ts';
import { makeBoardReducer, MAX_CARDS, MAX_HISTORY, MAX_ITEMS, type BoardModel } from './reducer.ts';
import { jobsBoard, makeJobState as job } from './testing.ts';

const reduce = (events: readonly TelemetryEvent[], spec = jobsBoard()) => reduceEvents(makeBoardReducer(spec), events, 0);
const column = (model: BoardModel, state: string) => model.columns.find((c) => c.state === state)!;
const counts = (model: BoardModel) => Object.fromEntries(model.columns.map((c) => [c.state, c.count]));

describe('board reducer', () => {
  it('draws every column, empty, before any job', () => {
    const model = reduce([]);
    expect(model.columns.map((c) => [c.state, c.count, c.cards.length])).toEqual([
      ['waiting', 0, 0],
      ['active', 0, 0],
      ['delayed', 0, 0],
      ['completed', 0, 0],
      ['failed', 0, 0],
    ]);
    expect(model).toMatchObject({ followed: 0, letGo: 0 });
  });

  it('moves a job between columns as it fails, waits to retry and completes, keeping its history', () => {
    const model = reduce([
      job({ jobId: 'job-1', to: 'waiting' }, 0),
      job({ jobId: 'job-1', from: 'waiting', to: 'active' }, 10),
      job({ jobId: 'job-1', from: 'active', to: 'delayed', error: 'SMTP timeout' }, 50),
      job({ jobId: 'job-2', to: 'waiting' }, 60),
      job({ jobId: 'job-1', from: 'delayed', to: 'active', attempt: 2 }, 250),
      job({ jobId: 'job-1', from: 'active', to: 'completed', attempt: 2 }, 300),
    ]);
    expect(counts(model)).toEqual({ waiting: 1, active: 0, delayed: 0, completed: 1, failed: 0 });
    const [done] = column(model, 'completed').cards;
    expect(done).toMatchObject({ id: 'job-1', state: 'completed', since: 300, moves: 5, fields: { attempt: 2, error: undefined } });
    expect(done!.history.map((m) => [m.from, m.to, m.fields.attempt])).toEqual([
      [undefined, 'waiting', 1],
      ['waiting', 'active', 1],
      ['active', 'delayed', 1],
      ['delayed', 'active', 2],
      ['active', 'completed', 2],
    ]);
    expect(done!.history[2]!.fields.error).toBe('SMTP timeout');
  });

  it('shows the newest jobs to arrive first, at most MAX_CARDS a column, and counts them all', () => {
    const events = Array.from({ length: 50 }, (_, i) => job({ jobId: `job-${i}`, to: 'waiting' }, i));
    const waiting = column(reduce(events), 'waiting');
    expect(waiting.count).toBe(50);
    expect(waiting.cards).toHaveLength(MAX_CARDS);
    expect(waiting.cards[0]!.id).toBe('job-49');
  });

  it('gives a state without a column one of its own, once a job is there', () => {
    const model = reduce([job({ jobId: 'job-1', to: 'stalled' })]);
    expect(model.columns.at(-1)).toMatchObject({ state: 'stalled', label: 'stalled', tone: 'neutral', declared: false, count: 1 });
  });

  it('ignores other events, and job events without a job or a state', () => {
    const model = reduce([makeRequest(), job({ jobId: undefined as unknown as string }), job({ to: '' })]);
    expect(model.followed).toBe(0);
  });

  it('keeps a bounded history per job, counting every move', () => {
    const events = Array.from({ length: 100 }, (_, i) => job({ jobId: 'job-1', to: i % 2 ? 'active' : 'waiting' }, i));
    const [card] = column(reduce(events), 'active').cards;
    expect(card!.moves).toBe(100);
    expect(card!.history).toHaveLength(MAX_HISTORY);
    expect(card!.history.at(-1)!.t).toBe(99);
  });

  it('lets the least recently moved jobs go past MAX_ITEMS, still counting them where they were', () => {
    const events = [
      job({ jobId: 'slow', to: 'active' }, 0),
      ...Array.from({ length: MAX_ITEMS }, (_, i) => job({ jobId: `job-${i}`, to: 'completed' }, 1 + i)),
    ];
    const model = reduce(events);
    expect(model).toMatchObject({ followed: MAX_ITEMS, letGo: 1 });
    expect(counts(model)).toMatchObject({ active: 1, completed: MAX_ITEMS });
    expect(column(model, 'active').cards).toEqual([]);
  });

  it('keeps the counts exact when a job it let go moves again, by the state the event says it leaves', () => {
    const events = [
      job({ jobId: 'slow', to: 'active' }, 0),
      ...Array.from({ length: MAX_ITEMS }, (_, i) => job({ jobId: `job-${i}`, to: 'completed' }, 1 + i)),
      job({ jobId: 'slow', from: 'active', to: 'failed', error: 'timed out' }, 10_000),
    ];
    const model = reduce(events);
    expect(counts(model)).toMatchObject({ active: 0, failed: 1, completed: MAX_ITEMS });
    // It is followed again, from this move on.
    expect(column(model, 'failed').cards[0]).toMatchObject({ id: 'slow', moves: 1, history: [{ from: 'active', to: 'failed' }] });
  });

  it('gives a view that later events do not change', () => {
    const reducer = makeBoardReducer(jobsBoard());
    const acc = reducer.init();
    reducer.step(acc, job({ jobId: 'job-1', to: 'waiting' }));
    const before = reducer.view(acc, 0);
    reducer.step(acc, job({ jobId: 'job-1', from: 'waiting', to: 'active', attempt: 2 }));
    expect(column(before, 'waiting').cards[0]).toMatchObject({ state: 'waiting', fields: { attempt: 1 }, history: [{ to: 'waiting' }] });
  });

  it('starts afresh when the store of its items changes, and only then', () => {
    const engine = (value: string, t: number) => ({ t, runId: 'run-1', seq: 0, type: 'lab.engine', engine: value }) as unknown as TelemetryEvent;
    const spec = jobsBoard({ startsAfresh: { event: 'lab.engine', field: 'engine', label: 'engine' } });
    const before = [engine('sqlite', 0), job({ jobId: 'job-1', to: 'waiting' }, 10), job({ jobId: 'job-2', to: 'waiting' }, 20)];
    // The same engine again (a restart with other params): the board goes on.
    const restarted = reduce([...before, engine('sqlite', 30), job({ jobId: 'job-1', from: 'waiting', to: 'active' }, 40)], spec);
    expect(counts(restarted)).toMatchObject({ waiting: 1, active: 1 });
    expect(restarted.afresh).toBeUndefined();
    // Another engine: what the board showed is elsewhere now.
    const switched = reduce([...before, engine('bullmq', 50), job({ jobId: 'job-1', to: 'waiting' }, 60)], spec);
    expect(counts(switched)).toMatchObject({ waiting: 1, active: 0 });
    expect(switched.columns.find((c) => c.state === 'waiting')!.cards.map((c) => c.id)).toEqual(['job-1']);
    expect(switched.afresh).toEqual({ t: 50, value: 'bullmq' });
  });
});
