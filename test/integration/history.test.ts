/**
 * Event history that scales, and a reload that tells the truth: a circuit-breaker run
 * at a high load rate records more than 20,000 events, with a fault set and then
 * cleared early on. A page opened afterwards must learn the present — the fault is
 * cleared, the circuit closed — from the run's current state and the newest events,
 * not from the oldest 10,000. Every event carries its `seq`, the same in the store,
 * the API and the live stream, and the API pages both ways by it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryBatch, TelemetryEvent } from '../../patterns/kit/index.ts';
import type { EventsPage, RunDetail } from '../../server/protocol/api.ts';
import { is, SLOW, startTestWorkbench, waitUntil, type TestWorkbench } from './helpers.ts';

let tw: TestWorkbench;
let runId: string;

beforeAll(async () => {
  tw = await startTestWorkbench();
  runId = await tw.startRun();
}, SLOW);

afterAll(async () => {
  await tw?.close();
}, SLOW);

const page = async (query: string): Promise<EventsPage> => {
  const res = await tw.api<EventsPage>('GET', `/api/runs/${runId}/events?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const detail = async (): Promise<RunDetail> => (await tw.api<RunDetail>('GET', `/api/runs/${runId}`)).body;
/** The newest event matching, found by paging back from the newest. */
const newest = async (predicate: (event: TelemetryEvent) => boolean, stopBefore = -1): Promise<TelemetryEvent | undefined> => {
  let before: number | undefined;
  for (;;) {
    const p = await page(`order=desc&limit=10000${before === undefined ? '' : `&before=${before}`}`);
    const found = p.events.find(predicate);
    if (found) return found;
    if (!p.more || p.firstSeq === null || p.firstSeq <= stopBefore) return undefined;
    before = p.firstSeq;
  }
};
const storedCount = async () => (await page('order=desc&limit=1')).lastSeq + 1;

describe('event history of a long run', () => {
  it(
    'after >20,000 events the newest-first page and the run state say the fault is cleared and the circuit closed',
    async () => {
      const live = tw.openLive(runId);
      const streamed: TelemetryEvent[] = [];
      live.on('message', (data) => streamed.push(...(JSON.parse(String(data)) as TelemetryBatch).events));

      // A busy machine may answer a healthy call late: only the injected 503s may count as failures here,
      // so the call timeout is the longest the lab allows (the history is what is under test, not the timing).
      expect((await tw.api('PUT', `/api/runs/${runId}/params`, { callTimeoutMs: 10_000 })).status).toBe(200);
      expect((await tw.api('PUT', `/api/runs/${runId}/load`, { model: 'open', rate: 400 })).status).toBe(200);
      const broken = await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { errorRate: 1, error: { kind: 'status', status: 503 } });
      expect(broken.status).toBe(200);
      await waitUntil(() => newest(is('circuit.state', (e) => e.to === 'open')), { timeoutMs: 30_000, what: 'the circuit to open' });
      // (400 requests/s: a loaded 2-core machine still serves them in time, so a healthy
      // downstream keeps the circuit closed.) The fault holds past the first 10,000 events: the oldest page ends while it is on.
      await waitUntil(async () => (await storedCount()) > 10_200, { timeoutMs: 75_000, intervalMs: 250, what: '10,200 events' });

      expect((await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { enabled: false, errorRate: 0 })).status).toBe(200);
      const closed = await waitUntil(() => newest(is('circuit.state', (e) => e.to === 'closed')), {
        timeoutMs: 30_000,
        what: 'the circuit to close again',
      });
      // Well past the point where the oldest 10,000 events end, and 10,000 more after the fix.
      await waitUntil(async () => (await storedCount()) > Math.max(20_500, closed.seq + 10_500), {
        timeoutMs: 75_000,
        intervalMs: 500,
        what: 'more than 20,000 events recorded',
      });

      // The run's current state: healthy again, whatever the history holds.
      const run = await detail();
      expect(run.faults?.payments).toMatchObject({ enabled: false, errorRate: 0 });
      expect(run.load).toMatchObject({ model: 'open', rate: 400 });

      // The oldest page (what the web used to load) still shows the fault, and nothing after it.
      const oldest = await page('limit=10000');
      expect(oldest.events.some(is('fault.changed', (e) => e.spec.errorRate === 1))).toBe(true);
      expect(oldest.events.some(is('fault.changed', (e) => e.point === 'payments' && !e.spec.enabled && e.t > 1000))).toBe(false);
      expect(oldest.events.some((e) => e.seq >= closed.seq)).toBe(false);

      // The newest page: newest first, numbered without gaps, up to what is stored now.
      const latest = await page('order=desc&limit=10000');
      expect(latest.events).toHaveLength(10_000);
      expect(latest.more).toBe(true);
      const seqs = latest.events.map((e) => e.seq);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! - 1);
      expect(latest.lastSeq).toBe(seqs[0]);
      expect(latest.firstSeq).toBe(seqs.at(-1));
      expect(latest.stored?.last).toBeGreaterThanOrEqual(latest.lastSeq);
      expect(latest.lastSeq).toBeGreaterThan(20_000);
      // It is all after the fault was cleared: no circuit opening, requests going through.
      expect(latest.events.some(is('circuit.state', (e) => e.to === 'open'))).toBe(false);
      expect(latest.events.filter(is('request', (e) => e.direction === 'outbound' && e.outcome === 'ok')).length).toBeGreaterThan(100);

      // Paging back from there reaches the clearing, the closing, and the opening before them, in order.
      const cleared = await newest(is('fault.changed', (e) => e.point === 'payments'));
      expect(cleared).toMatchObject({ spec: { enabled: false } });
      const lastTransition = await newest(is('circuit.state'));
      expect(lastTransition).toMatchObject({ to: 'closed', seq: closed.seq });
      expect(cleared!.seq).toBeLessThan(closed.seq);

      // What the web loads before its window: the state changes alone, newest first.
      const prelude = await page(`order=desc&before=${latest.firstSeq}&types=circuit.state,fault.changed&limit=1000`);
      expect(prelude.events.every((e) => e.type === 'circuit.state' || e.type === 'fault.changed')).toBe(true);
      expect(prelude.events[0]).toEqual(closed);
      expect(prelude.events.find((e) => e.type === 'fault.changed')).toEqual(cleared);

      // Paging forward and back meet: `after` and `before` bound a slice exactly.
      const slice = await page(`after=${closed.seq - 3}&before=${closed.seq + 3}`);
      expect(slice.events.map((e) => e.seq)).toEqual([-2, -1, 0, 1, 2].map((d) => closed.seq + d));
      expect(slice.events[2]).toEqual(closed);
      expect(slice.more).toBe(false);

      // The live stream carries the same numbers for the same events.
      await waitUntil(() => streamed.length > 1000, { timeoutMs: 10_000, what: 'live batches' });
      live.close();
      const sample = streamed.filter((e) => e.type !== 'request').slice(-5);
      expect(sample.length).toBeGreaterThan(0);
      for (const event of sample) {
        expect(Number.isInteger(event.seq)).toBe(true);
        const stored = await page(`after=${event.seq - 1}&limit=1`);
        expect(stored.events[0]).toEqual(event);
      }
    },
    SLOW + 60_000,
  );

  it('validates the paging query', async () => {
    for (const [query, field] of [
      ['before=-1', 'before'],
      ['after=10&before=5', 'before'],
      ['order=sideways', 'order'],
      ['limit=10001', 'limit'],
      ['types=circuit.state,bad%20type', 'types'],
    ] as const) {
      const res = await tw.api('GET', `/api/runs/${runId}/events?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message, query).toContain(field);
    }
  });
});
