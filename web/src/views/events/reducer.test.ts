import { describe, expect, it } from 'vitest';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeDeadLetter, makeHandled, makePublished, makeRequest } from '../shared/testing.ts';
import { eventsReducer, LATENCY_SAMPLES, MAX_DEAD_LETTERS } from './reducer.ts';

const reduce = (events: Parameters<typeof reduceEvents>[1]) => reduceEvents(eventsReducer, events, Infinity);

describe('events reducer', () => {
  it('follows publishers, events and handlers', () => {
    const model = reduce([
      makeRequest({ target: 'POST /signup' }),
      at(1, makePublished({ eventId: 'e1' })),
      at(2, makePublished({ eventId: 'e2' })),
      at(3, makeHandled({ eventId: 'e1', handler: 'create-profile', durationMs: 10 })),
      at(4, makeHandled({ eventId: 'e1', handler: 'send-welcome-email', ok: false, durationMs: 30, error: 'email answered 503' })),
      at(5, makeHandled({ eventId: 'e1', handler: 'send-welcome-email', attempt: 2, durationMs: 10 })),
    ]);
    expect(model.publishers).toEqual([{ route: 'POST /signup', count: 1 }]);
    expect(model.names).toEqual([{ name: 'user.created', published: 2, lastT: 2 }]);
    expect(model.published).toBe(2);
    const email = model.handlers.find((h) => h.handler === 'send-welcome-email')!;
    expect(email).toMatchObject({ names: ['user.created'], ok: 1, failed: 1, retries: 1, avgMs: 20, p90Ms: 30, last: { ok: true, t: 5 } });
    expect(model.handlers.map((h) => h.handler)).toEqual(['create-profile', 'send-welcome-email']);
  });

  it('lists dead letters newest first with their event name, and counts them per handler', () => {
    const model = reduce([
      makePublished({ eventId: 'e1' }),
      at(10, makeDeadLetter({ eventId: 'e1' })),
      at(20, makeDeadLetter({ eventId: 'e-unknown', handler: 'track-analytics', attempts: 1 })),
    ]);
    expect(model.deadLetters.map((d) => [d.t, d.eventId, d.name, d.handler])).toEqual([
      [20, 'e-unknown', undefined, 'track-analytics'],
      [10, 'e1', 'user.created', 'send-welcome-email'],
    ]);
    expect(model.handlers.map((h) => [h.handler, h.deadLetters])).toEqual([
      ['send-welcome-email', 1],
      ['track-analytics', 1],
    ]);
    expect(model.deadLettered).toBe(2);
  });

  it('keeps latency samples and dead letters bounded', () => {
    const events = [
      ...Array.from({ length: LATENCY_SAMPLES * 3 }, (_, i) => makeHandled({ durationMs: i < LATENCY_SAMPLES * 2 ? 1000 : 1 })),
      ...Array.from({ length: MAX_DEAD_LETTERS + 10 }, () => makeDeadLetter()),
    ];
    const model = reduce(events);
    // The p90 reflects only the recent (fast) samples; the average, every one.
    expect(model.handlers[0]!.p90Ms).toBe(1);
    expect(model.handlers[0]!.avgMs).toBeCloseTo((2 * 1000 + 1) / 3, 5);
    expect(model.deadLetters).toHaveLength(MAX_DEAD_LETTERS);
    expect(model.deadLettered).toBe(MAX_DEAD_LETTERS + 10);
  });
});
