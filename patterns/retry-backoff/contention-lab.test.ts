import { describe, expect, it } from 'vitest';
import type { LabResult, Params } from '../kit/index.ts';
import { start } from './contention-lab.ts';
import { eventsOf, makeTestLabContext, peakPerBucket, type TestLabContext } from '../kit/testing.ts';
import { pattern } from './pattern.ts';

const labOf = (id: string) => pattern.labs.find((lab) => lab.id === id)!;

const CLIENTS = 100;
const OUTAGE_MS = 1_000;

const defaults: Params = {
  jitter: 'full',
  clients: CLIENTS,
  outageMs: OUTAGE_MS,
  capacity: 10,
  maxAttempts: 10,
  baseDelayMs: 100,
  capDelayMs: 1_000,
};

/** One herd: every client sends its one request at t = 0, then we wait until all are done. */
const herd = async (params: Params = {}) => {
  const harness = makeTestLabContext({ params: { ...defaults, ...params }, lab: labOf('contention') });
  const lab = await start(harness.ctx);
  const results = await sendHerd(harness, lab);
  await lab.dispose();
  expect(harness.clock.pending).toBe(0);
  const [summary, ...more] = eventsOf(harness.events, 'retry.summary');
  expect(more).toEqual([]);
  return { ...harness, results, summary: summary! };
};

const sendHerd = async (
  harness: TestLabContext,
  lab: Awaited<ReturnType<typeof start>>,
  clients = CLIENTS,
): Promise<LabResult[]> => {
  const start = harness.clock.now();
  const results = Array.from({ length: clients }, (_, i) => harness.send(lab, `req-${start}-${i}`, `client-${i}`));
  await harness.clock.runUntilIdle(120_000);
  return Promise.all(results);
};

describe('contention lab', () => {
  it('without jitter, the retries arrive in synchronized waves; full jitter spreads them', async () => {
    const none = await herd({ jitter: 'none' });
    const full = await herd({ jitter: 'full' });

    // Measured on the service's side: the most calls in any 100 ms once it is back.
    const wave = (calls: typeof none.calls) => peakPerBucket(calls, 100, OUTAGE_MS);
    expect(wave(none.calls)).toBe(CLIENTS); // every client, in the same instant
    expect(wave(full.calls)).toBeLessThan(CLIENTS / 3);

    // Without jitter, each wave meets a service that can take 10 of them: the
    // herd keeps coming back whole, and clients run out of attempts.
    const waveTimes = [...new Set(none.calls.map((c) => c.t))];
    expect(waveTimes.length).toBeLessThanOrEqual(10); // only ever at the same few instants
    expect(none.summary.failed).toBeGreaterThan(0);
    expect(full.summary).toMatchObject({ succeeded: CLIENTS, failed: 0 });
    expect(full.summary.totalCalls).toBeLessThan(none.summary.totalCalls);
    expect(full.summary.doneAtMs).toBeLessThan(none.summary.doneAtMs);

    // The summary says the same as the calls we counted.
    for (const run of [none, full]) {
      expect(run.summary.totalCalls).toBe(run.calls.length);
      expect(run.summary.recoveryPeakPer100ms).toBe(wave(run.calls));
      expect(run.summary.succeeded + run.summary.failed).toBe(CLIENTS);
      expect(run.results.filter((r) => r.outcome === 'ok')).toHaveLength(run.summary.succeeded);
    }
    expect(none.summary.strategy).toBe('none');
  });

  it.each(['equal', 'decorrelated'])('%s jitter also breaks the waves and serves every client', async (jitter) => {
    const { summary, calls } = await herd({ jitter });
    expect(peakPerBucket(calls, 100, OUTAGE_MS)).toBeLessThan(CLIENTS / 2);
    expect(summary).toMatchObject({ strategy: jitter, clients: CLIENTS, succeeded: CLIENTS, failed: 0 });
  });

  it('reports every retry for the client that made it', async () => {
    const { events, calls } = await herd();
    const retries = eventsOf(events, 'retry.attempt');
    expect(retries.length).toBe(calls.length - CLIENTS);
    expect(new Set(retries.map((r) => r.requestId)).size).toBe(CLIENTS); // everyone met the outage
    expect(retries.every((r) => r.error === 'orders answered 503')).toBe(true);
  });

  it('starts a new herd, with a new outage, after the last one is done', async () => {
    const harness = makeTestLabContext({ params: { ...defaults, clients: 20 }, lab: labOf('contention') });
    const lab = await start(harness.ctx);
    await sendHerd(harness, lab, 20);
    await harness.clock.advance(10_000);
    const secondAt = harness.clock.now();
    const results = await sendHerd(harness, lab, 20);
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    const summaries = eventsOf(harness.events, 'retry.summary');
    expect(summaries).toHaveLength(2);
    // The second herd met an outage too: nobody got through before it ended.
    const secondHerdCalls = harness.calls.filter((c) => c.t >= secondAt);
    expect(secondHerdCalls.filter((c) => c.t < secondAt + OUTAGE_MS).length).toBeGreaterThan(20); // retried through the outage
    expect(summaries[1]!.totalCalls).toBeGreaterThan(20);
    await lab.dispose();
  });

  it('serves everyone at once when there is no outage and room for all', async () => {
    const { summary, events } = await herd({ outageMs: 0, capacity: CLIENTS });
    expect(summary).toMatchObject({ totalCalls: CLIENTS, succeeded: CLIENTS, failed: 0, doneAtMs: 50 });
    expect(eventsOf(events, 'retry.attempt')).toEqual([]);
  });

  it('emits no summary for a herd cut short by a stop', async () => {
    const harness = makeTestLabContext({ params: defaults, lab: labOf('contention') });
    const lab = await start(harness.ctx);
    const results = Array.from({ length: CLIENTS }, (_, i) => harness.send(lab, `req-${i}`));
    await harness.clock.advance(500);
    await lab.dispose();
    expect((await Promise.all(results)).every((r) => r.outcome === 'error')).toBe(true);
    expect(eventsOf(harness.events, 'retry.summary')).toEqual([]);
    // Only orders' own work on calls already made is left; nothing new starts.
    const count = harness.events.length;
    await harness.clock.runUntilIdle();
    expect(harness.clock.pending).toBe(0);
    expect(harness.events.length).toBe(count);
  });
});

describe('contention lab invariants (pattern.ts)', () => {
  it.each(['none', 'full', 'equal', 'decorrelated'])('a herd breaks none with %s jitter, through the outage and the overload', async (jitter) => {
    const { violations, summary } = await herd({ jitter });
    expect(summary.totalCalls).toBeGreaterThan(CLIENTS * 2);
    expect(violations).toEqual([]);
  });

  it('a herd that runs out of attempts breaks none either', async () => {
    const { violations, summary, results } = await herd({ maxAttempts: 2, outageMs: 5_000 });
    expect(summary.failed).toBe(CLIENTS);
    expect(results.every((r) => r.outcome === 'error')).toBe(true);
    expect(violations).toEqual([]);
  });
});
