import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../patterns/kit/clock.ts';
import { healthySpec, type FaultSpec } from '../../patterns/kit/faults.ts';
import { DownstreamError, type HttpResponse, type ServiceDefinition } from '../../patterns/kit/http.ts';
import { createSimulatedService } from './simulated.ts';
import type { FaultInjection } from './types.ts';

const makeSpec = (overrides: Partial<FaultSpec> = {}): FaultSpec => ({
  ...healthySpec(),
  enabled: true,
  latency: { baseMs: 0, jitterMs: 0, rate: 0 },
  ...overrides,
});

const echo: ServiceDefinition = {
  handle: (request) => ({ status: 200, headers: { 'X-Served': 'yes' }, body: { path: request.path, got: request.body } }),
};

/** A simulated service on a fresh virtual clock, with a spec the test can swap. */
const setUp = (spec: FaultSpec, definition: ServiceDefinition = echo) => {
  const clock = new VirtualClock();
  const faults: FaultInjection[] = [];
  let current = spec;
  const service = createSimulatedService({
    point: 'payments',
    definition,
    clock,
    getSpec: () => current,
    onFault: (injection) => faults.push(injection),
  });
  const apply = (next: FaultSpec) => {
    current = next;
  };
  return { clock, faults, service, apply };
};

/** Tracks a promise so the test can ask whether it settled yet. */
const track = <T>(promise: Promise<T>) => {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
};

const codeOf = (error: unknown) => (error instanceof DownstreamError ? error.code : error);

describe('simulated service', () => {
  it('answers with the service itself when no fault hits, copying bodies as the wire would', async () => {
    const { service, faults } = setUp(healthySpec());
    const body = { amount: 5 };
    const response = await service.request({ method: 'post', path: '/charge', body });
    expect(response).toEqual({ status: 200, headers: { 'x-served': 'yes' }, body: { path: '/charge', got: { amount: 5 } } });
    expect((response.body as { got: unknown }).got).not.toBe(body);
    expect(faults).toEqual([]);
  });

  it('waits the injected latency on virtual time', async () => {
    const { clock, service, faults } = setUp(makeSpec({ latency: { baseMs: 200, jitterMs: 0, rate: 1 } }));
    const call = track(service.request({ path: '/slow' }));
    await clock.advance(199);
    expect(call.settled).toBe(false);
    await clock.advance(1);
    expect(call.settled).toBe(true);
    expect((call.value as HttpResponse).status).toBe(200);
    expect(faults).toEqual([{ point: 'payments', kind: 'latency', latencyMs: 200 }]);
  });

  it('lets a hung call end only by the caller timing out, leaving no timer behind', async () => {
    const { clock, service, faults } = setUp(makeSpec({ errorRate: 1, error: { kind: 'hang' } }));
    const call = track(service.request({ path: '/', timeoutMs: 1000 }));
    await clock.advance(999);
    expect(call.settled).toBe(false);
    await clock.advance(1);
    expect(codeOf(call.error)).toBe('ETIMEDOUT');
    expect(clock.pending).toBe(0);
    expect(faults).toEqual([{ point: 'payments', kind: 'hang' }]);
  });

  it('lets a hung call end by its abort signal', async () => {
    const { clock, service } = setUp(makeSpec({ errorRate: 1, error: { kind: 'hang' } }));
    const controller = new AbortController();
    const call = track(service.request({ path: '/', signal: controller.signal }));
    await clock.advance(10_000);
    expect(call.settled).toBe(false);
    controller.abort();
    await clock.advance(0);
    expect(codeOf(call.error)).toBe('ABORTED');
  });

  it('times out a slow success too, and cancels its latency timer', async () => {
    const { clock, service } = setUp(makeSpec({ latency: { baseMs: 500, jitterMs: 0, rate: 1 } }));
    const call = track(service.request({ path: '/', timeoutMs: 100 }));
    await clock.advance(100);
    expect(codeOf(call.error)).toBe('ETIMEDOUT');
    expect(clock.pending).toBe(0);
  });

  it('refuses at once when the service is down, without waiting for latency', async () => {
    const { service, faults } = setUp(
      makeSpec({ errorRate: 1, error: { kind: 'down' }, latency: { baseMs: 500, jitterMs: 0, rate: 1 } }),
    );
    await expect(service.request({ path: '/' })).rejects.toMatchObject({ code: 'ECONNREFUSED', target: 'payments' });
    expect(faults).toEqual([{ point: 'payments', kind: 'down' }]);
  });

  it('resets the connection', async () => {
    const { service, faults } = setUp(makeSpec({ errorRate: 1, error: { kind: 'reset' } }));
    await expect(service.request({ path: '/' })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(faults).toEqual([{ point: 'payments', kind: 'reset' }]);
  });

  it('answers an injected status with Retry-After', async () => {
    const { service, faults } = setUp(makeSpec({ errorRate: 1, error: { kind: 'status', status: 429, retryAfterSeconds: 5 } }));
    const response = await service.request({ path: '/' });
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('5');
    expect(faults).toEqual([{ point: 'payments', kind: 'status', status: 429 }]);
  });

  it('turns an injected exception into a 500, as an HTTP service would', async () => {
    const { service } = setUp(makeSpec({ errorRate: 1, error: { kind: 'exception', message: 'boom' } }));
    expect(await service.request({ path: '/' })).toMatchObject({ status: 500, body: { error: 'boom' } });
  });

  it("answers 500 when the service's own handler throws", async () => {
    const { service } = setUp(healthySpec(), {
      handle: () => {
        throw new Error('bug in the service');
      },
    });
    expect(await service.request({ path: '/' })).toMatchObject({ status: 500, body: { error: 'bug in the service' } });
  });

  it('restarts failFirst when a new spec is applied', async () => {
    const spec = makeSpec({ failFirst: 2, error: { kind: 'status', status: 503 } });
    const { service, apply } = setUp(spec);
    const statuses = async (n: number) => {
      const result: number[] = [];
      for (let i = 0; i < n; i++) result.push((await service.request({ path: '/' })).status);
      return result;
    };
    expect(await statuses(3)).toEqual([503, 503, 200]);
    apply({ ...spec });
    expect(await statuses(3)).toEqual([503, 503, 200]);
    // The same spec object applied again needs saying so.
    service.specChanged();
    expect(await statuses(1)).toEqual([503]);
  });

  it('follows an outage window in run time', async () => {
    const { clock, service } = setUp(makeSpec({ schedule: [{ startMs: 1000, durationMs: 1000, error: { kind: 'down' } }] }));
    expect((await service.request({ path: '/' })).status).toBe(200);
    await clock.advance(1000);
    await expect(service.request({ path: '/' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await clock.advance(1000);
    expect((await service.request({ path: '/' })).status).toBe(200);
  });

  it('gives the same outcomes for the same seed', async () => {
    const spec = makeSpec({ errorRate: 0.5, error: { kind: 'reset' }, seed: 9 });
    const outcomes = async () => {
      const { service } = setUp(spec);
      const result: string[] = [];
      for (let i = 0; i < 50; i++) {
        result.push(await service.request({ path: '/' }).then((r) => String(r.status), (e: unknown) => String(codeOf(e))));
      }
      return result;
    };
    const first = await outcomes();
    expect(first).toContain('ECONNRESET');
    expect(first).toContain('200');
    expect(await outcomes()).toEqual(first);
  });
});
