/**
 * The circuit-breaker lab end to end, on the real clock, through the API:
 * at the lab's 20 requests/s, payments failing 100% opens the circuit within
 * about a second and requests are then rejected without calling payments;
 * once payments recovers the circuit goes half-open after the reset timeout
 * (set to its minimum to keep this short) and a successful probe closes it.
 *
 * Times are compared on the run's own clock (each event's `t`), so a slow
 * test machine delays when we *see* things, not what we measure.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { is, PATTERN, SLOW, startTestWorkbench, type TestWorkbench } from './helpers.ts';

let tw: TestWorkbench;

beforeAll(async () => {
  tw = await startTestWorkbench();
}, SLOW);
afterAll(async () => {
  await tw?.close();
}, SLOW);

it('opens under failures, rejects, then half-opens after the reset timeout and closes once payments recovers', async () => {
  const lab = (await tw.api('GET', `/api/patterns/${PATTERN}`)).body.labs[0];
  expect(lab.defaultLoad).toEqual({ model: 'open', rate: 20 });
  const resetTimeoutMs: number = lab.params.find((p: { id: string }) => p.id === 'resetTimeoutMs').min;

  const runId = await tw.startRun();
  const feed = tw.feed(runId);
  const params = await tw.api('PUT', `/api/runs/${runId}/params`, { resetTimeoutMs });
  expect(params.status, params.text).toBe(200);
  const applied = await feed.waitFor(is('params.changed', (e) => e.params.resetTimeoutMs === resetTimeoutMs), { what: 'params.changed' });
  await feed.waitFor(is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), { after: applied.index, what: 'healthy traffic' });

  // Payments fails every call.
  const failing = await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { errorRate: 1, error: { kind: 'status', status: 503 } });
  expect(failing.status).toBe(200);
  const faulted = await feed.waitFor(is('fault.changed', (e) => e.spec.errorRate === 1), { after: applied.index, what: 'the fault applied' });
  const opened = await feed.waitFor(is('circuit.state', (e) => e.to === 'open'), { after: faulted.index, what: 'the circuit opening' });
  expect(opened.event).toMatchObject({ name: 'payments', from: 'closed', reason: 'failure-threshold' });
  expect(opened.event.t - faulted.event.t).toBeLessThan(1500);
  // Failures before it opened were real payments errors.
  const failedBefore = feed.seen
    .slice(faulted.index, opened.index)
    .filter((e) => e.type === 'request' && e.direction === 'inbound' && e.outcome === 'error');
  expect(failedBefore.length).toBeGreaterThanOrEqual(1);

  // Open: requests fail fast without calling payments.
  const rejected = await feed.waitFor(is('request', (e) => e.direction === 'inbound' && e.outcome === 'rejected'), {
    after: opened.index,
    what: 'a rejected request',
  });
  expect(rejected.event).toMatchObject({ status: 503, target: 'POST /checkout' });
  const rejectedId = rejected.event.type === 'request' ? rejected.event.id : '';
  expect(feed.seen.some((e) => e.type === 'request' && e.direction === 'outbound' && e.parentId === rejectedId)).toBe(false);
  await feed.waitFor(is('metrics', (e) => e.rejected > 0), { after: opened.index, what: 'metrics counting rejections' });

  // Payments recovers.
  const healthy = await tw.api('PUT', `/api/runs/${runId}/faults/payments`, { enabled: false });
  expect(healthy.status).toBe(200);
  const cleared = await feed.waitFor(is('fault.changed', (e) => !e.spec.enabled), { after: rejected.index, what: 'the fault cleared' });
  const closed = await feed.waitFor(is('circuit.state', (e) => e.to === 'closed'), { after: cleared.index, what: 'the circuit closing' });
  expect(closed.event).toMatchObject({ from: 'half-open', reason: 'probes-succeeded' });

  // Every half-open came a reset timeout after the open before it (on the run's clock).
  const states = feed.seen.slice(opened.index, closed.index + 1).filter(is('circuit.state'));
  expect(states.at(-2)).toMatchObject({ to: 'half-open', reason: 'reset-timeout' });
  for (let i = 1; i < states.length; i++) {
    if (states[i]!.to !== 'half-open') continue;
    expect(states[i - 1]!.to).toBe('open');
    const waited = states[i]!.t - states[i - 1]!.t;
    expect(waited).toBeGreaterThanOrEqual(resetTimeoutMs - 5);
    expect(waited).toBeLessThan(resetTimeoutMs + 1500);
  }

  // Closed again: requests go through to payments and succeed.
  await feed.waitFor(is('request', (e) => e.direction === 'inbound' && e.outcome === 'ok'), { after: closed.index, what: 'a request served after closing' });
  await tw.stopRun(runId);
}, SLOW);
