import { describe, expect, it } from 'vitest';
import { reduceEvents } from '../shared/reducer.ts';
import { at, makeCircuitState, makeOutbound, makeParamsChanged, makeRequest } from '../shared/testing.ts';
import { circuitReducer, MAX_TRANSITIONS } from './reducer.ts';

const reduce = (events: Parameters<typeof reduceEvents>[1], nowT: number) => reduceEvents(circuitReducer, events, nowT);

describe('circuit reducer', () => {
  it('has no circuits and zero counters before any event', () => {
    const model = reduce([], 0);
    expect(model.circuits).toEqual([]);
    expect(model.total).toMatchObject({ total: 0, errorShare: 0 });
  });

  it('follows transitions and lays them out as a band from the run start to now', () => {
    const model = reduce(
      [
        at(2000, makeCircuitState({ from: 'closed', to: 'open' })),
        at(7000, makeCircuitState({ from: 'open', to: 'half-open', reason: 'reset-timeout' })),
        at(7100, makeCircuitState({ from: 'half-open', to: 'closed', reason: 'probes-succeeded' })),
      ],
      10_000,
    );
    const [circuit] = model.circuits;
    expect(circuit).toMatchObject({ name: 'payments', state: 'closed', since: 7100, transitions: 3 });
    expect(circuit!.last).toMatchObject({ from: 'half-open', to: 'closed' });
    expect(circuit!.recent.map((t) => t.to)).toEqual(['closed', 'half-open', 'open']);
    expect(circuit!.band).toEqual([
      { state: 'closed', start: 0, end: 2000 },
      { state: 'open', start: 2000, end: 7000 },
      { state: 'half-open', start: 7000, end: 7100 },
      { state: 'closed', start: 7100, end: 10_000 },
    ]);
  });

  it('keeps circuits apart by name', () => {
    const model = reduce([makeCircuitState({ name: 'a' }), makeCircuitState({ name: 'b', to: 'isolated' })], 1);
    expect(model.circuits.map((c) => [c.name, c.state])).toEqual([
      ['a', 'open'],
      ['b', 'isolated'],
    ]);
  });

  it('counts inbound outcomes the Hystrix way: error % includes rejections and timeouts', () => {
    const model = reduce(
      [
        makeRequest({ outcome: 'ok' }),
        makeRequest({ outcome: 'ok' }),
        makeRequest({ outcome: 'error' }),
        makeRequest({ outcome: 'rejected' }),
        makeRequest({ outcome: 'timeout' }),
        // Outbound calls are the circuit's business, not the counters'.
        makeOutbound({ outcome: 'error' }),
      ],
      100,
    );
    expect(model.total).toEqual({ success: 2, failure: 1, rejected: 1, timeout: 1, total: 5, errorShare: 0.6 });
  });

  it('counts the rolling window over the last 10 s only', () => {
    const model = reduce([at(1000, makeRequest({ outcome: 'error' })), at(25_000, makeRequest()), at(29_500, makeRequest({ outcome: 'rejected' }))], 30_000);
    expect(model.total.total).toBe(3);
    expect(model.window).toMatchObject({ success: 1, rejected: 1, failure: 0, total: 2 });
    // From the run start (less than 60 s ago) to the current, partial second.
    expect(model.volume).toHaveLength(31);
    expect(model.volume.at(-2)).toEqual({ t: 29_000, success: 0, failed: 0, rejected: 1 });
    expect(reduce([], 100_000).volume).toHaveLength(60);
  });

  it('counts half-open probes by outcome and starts afresh on each half-open period', () => {
    const model = reduce(
      [
        makeCircuitState({ to: 'open' }),
        makeCircuitState({ from: 'open', to: 'half-open' }),
        makeOutbound({ outcome: 'error' }),
        makeCircuitState({ from: 'half-open', to: 'open' }),
        makeCircuitState({ from: 'open', to: 'half-open' }),
        makeOutbound({ outcome: 'ok' }),
      ],
      1,
    );
    expect(model.circuits[0]!.probes).toEqual({ ok: 1, failed: 0 });
  });

  // A lab without updateParams is restarted on new parameters: its new circuit starts closed, silently.
  it('closes open circuits when the lab restarts', () => {
    const model = reduce([at(1, makeCircuitState({ to: 'open' })), at(5, makeParamsChanged())], 10);
    expect(model.circuits[0]).toMatchObject({ state: 'closed', last: { reason: 'lab restarted' } });
  });

  it('stays bounded over a long flapping run, and the band starts where the kept history does', () => {
    const events = Array.from({ length: 5000 }, (_, i) =>
      at(i * 10, makeCircuitState({ from: i % 2 ? 'open' : 'closed', to: i % 2 ? 'closed' : 'open' })),
    );
    const model = reduce(events, 50_000);
    const circuit = model.circuits[0]!;
    expect(circuit.transitions).toBe(5000);
    expect(circuit.band.length).toBeLessThanOrEqual(MAX_TRANSITIONS + 65);
    expect(circuit.band[0]!.start).toBeGreaterThan(0);
    expect(circuit.band.at(-1)!.end).toBe(50_000);
  });
});
