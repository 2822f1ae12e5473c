import { describe, expect, it } from 'vitest';
import { DownstreamError } from './http.ts';
import type { LabInstance } from './lab.ts';
import { eventsOf, makeTestLabContext, peakPerBucket } from './testing.ts';

const ok = { handle: () => ({ status: 200, headers: {}, body: { ok: true } }) };

const codeOf = (call: Promise<unknown>) =>
  call.then(
    (response) => (response as { status: number }).status,
    (error: unknown) => (error instanceof DownstreamError ? error.code : String(error)),
  );

describe('makeTestLabContext', () => {
  it('answers through the definition, records each call, and applies faults per point', async () => {
    const harness = makeTestLabContext();
    const client = harness.ctx.service('inventory', ok);
    expect(await client.request({ path: '/a' })).toMatchObject({ status: 200 });
    harness.setFault('inventory', { status: 503, latencyMs: 5, headers: { 'retry-after': '1' } });
    const slow = client.request({ path: '/b' });
    await harness.clock.advance(5);
    expect(await slow).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    harness.setFault('inventory', 'reset');
    expect(await codeOf(client.request({ path: '/c' }))).toBe('ECONNRESET');
    harness.setFault('inventory', undefined);
    expect(await codeOf(client.request({ path: '/d' }))).toBe(200);
    expect(harness.calls.map((c) => [c.t, c.point, c.request.path])).toEqual([
      [0, 'inventory', '/a'],
      [0, 'inventory', '/b'],
      [5, 'inventory', '/c'],
      [5, 'inventory', '/d'],
    ]);
  });

  it('honours timeoutMs and signal as the real client does, on virtual time', async () => {
    const harness = makeTestLabContext();
    const client = harness.ctx.service('inventory', ok);
    harness.setDefaultFault('hang');
    const timedOut = codeOf(client.request({ path: '/', timeoutMs: 300 }));
    const caller = new AbortController();
    const aborted = codeOf(client.request({ path: '/', signal: caller.signal }));
    await harness.clock.advance(100);
    caller.abort();
    await harness.clock.advance(200);
    expect(await timedOut).toBe('ETIMEDOUT');
    expect(await aborted).toBe('ABORTED');
    expect(harness.clock.pending).toBe(0);
  });

  it('runs in-process fault points, the lab’s server, telemetry with its time, and request scopes', async () => {
    const harness = makeTestLabContext({ params: { limit: 3 } });
    const { ctx } = harness;
    const fault = ctx.fault('handler');
    await expect(fault.hit()).resolves.toBeUndefined();
    harness.setFault('handler', 'exception');
    await expect(fault.hit()).rejects.toThrow('injected fault at handler (exception)');
    expect(harness.faultPoints).toEqual(['handler']);
    expect(await ctx.server('api', ok).request({ path: '/' })).toMatchObject({ status: 200 });

    const lab: LabInstance = {
      async handle() {
        await ctx.clock.sleep(10);
        ctx.log.info('served', { requestId: ctx.currentRequestId() });
        return { outcome: 'ok' };
      },
      dispose() {},
    };
    const results = await harness.drive(lab, { rate: 10, untilMs: 300, clients: 2, settleMs: 10 });
    expect(results.map((r) => [r.id, r.clientKey, r.outcome])).toEqual([
      ['req-0', 'client-0', 'ok'],
      ['req-1', 'client-1', 'ok'],
      ['req-2', 'client-0', 'ok'],
    ]);
    expect(eventsOf(harness.events, 'log').map((e) => [e.t, e.fields.requestId])).toEqual([
      [10, 'req-0'],
      [110, 'req-1'],
      [210, 'req-2'],
    ]);
    expect(ctx.params).toEqual({ limit: 3 });
    expect(peakPerBucket([{ t: 0 }, { t: 50 }, { t: 120 }], 100)).toBe(2);
  });

  it('checks declared invariants: a break is recorded with its time, a hold costs nothing, an undeclared id throws', async () => {
    const { ctx, clock, events, violations } = makeTestLabContext({
      lab: { id: 'demo', invariants: [{ id: 'positive', description: 'Every amount is positive.' }] },
    });
    let built = 0;
    const detail = () => `built ${++built}`;
    expect(ctx.invariant('positive', true, detail)).toBe(true);
    await clock.advance(25);
    expect(ctx.invariant('positive', false, detail)).toBe(false);
    expect(built).toBe(1); // the detail is built only for a break
    expect(violations).toEqual([{ type: 'invariant.violated', invariant: 'positive', detail: 'built 1', t: 25 }]);
    expect(eventsOf(events, 'invariant.violated')).toEqual(violations);
    expect(() => ctx.invariant('negative', true)).toThrow("lab 'demo' checks invariant 'negative', which its manifest does not declare (declared: 'positive')");
  });
});
