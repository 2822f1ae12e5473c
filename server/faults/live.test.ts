import { afterEach, describe, expect, it } from 'vitest';
import { RealClock, VirtualClock, type Clock } from '../../patterns/kit/clock.ts';
import type { Disposable } from '../../patterns/kit/events.ts';
import { healthySpec, type FaultSpec } from '../../patterns/kit/faults.ts';
import { DownstreamError, type ServiceDefinition } from '../../patterns/kit/http.ts';
import { createLiveService, type LiveService } from './live.ts';
import type { FaultInjection } from './types.ts';

const makeSpec = (overrides: Partial<FaultSpec> = {}): FaultSpec => ({
  ...healthySpec(),
  enabled: true,
  latency: { baseMs: 0, jitterMs: 0, rate: 0 },
  ...overrides,
});

const echo: ServiceDefinition = {
  handle: (request) => ({ status: 200, headers: {}, body: { method: request.method, path: request.path, got: request.body } }),
};

/** The real clock, counting the timers set on it that have neither fired nor been cancelled. */
class CountingClock extends RealClock {
  readonly live = new Set<object>();

  override setTimeout(callback: () => void, ms: number): Disposable {
    const token = {};
    this.live.add(token);
    const timer = super.setTimeout(() => {
      this.live.delete(token);
      callback();
    }, ms);
    return {
      dispose: () => {
        this.live.delete(token);
        timer.dispose();
      },
    };
  }
}

const started: LiveService[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((service) => service.close()));
});

/** A live service on the real clock, with a spec the test can swap. */
const setUp = async <C extends Clock = CountingClock>(spec: FaultSpec, clock: C = new CountingClock() as Clock as C) => {
  const faults: FaultInjection[] = [];
  let current = spec;
  const service = createLiveService({
    point: 'inventory',
    definition: echo,
    clock,
    getSpec: () => current,
    onFault: (injection) => faults.push(injection),
  });
  started.push(service);
  await service.ready;
  const apply = (next: FaultSpec) => {
    current = next;
  };
  return { service, client: service.client, clock, faults, apply };
};

const codeOf = (call: Promise<unknown>) =>
  call.then(
    () => 'answered',
    (error: unknown) => (error instanceof DownstreamError ? error.code : error),
  );

/**
 * Sockets and listening servers the process holds. (Timers are counted on the
 * clock instead: vitest keeps transient timers of its own.)
 */
const openHandles = () =>
  process
    .getActiveResourcesInfo()
    .filter((name) => name.startsWith('TCP'))
    .sort();

/** Polls (briefly) until `check` holds: socket handles close a tick after `destroy()`. */
const eventually = async (check: () => boolean, withinMs = 1000) => {
  const deadline = Date.now() + withinMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('live service behind the fault proxy', () => {
  it('forwards to the real service, JSON both ways', async () => {
    const { client, faults } = await setUp(healthySpec());
    const response = await client.request({ method: 'POST', path: '/orders?x=1', body: { sku: 'A1' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ method: 'POST', path: '/orders?x=1', got: { sku: 'A1' } });
    expect(response.headers['content-type']).toContain('application/json');
    expect(faults).toEqual([]);
  });

  it('answers an injected 503 with Retry-After', async () => {
    const { client, faults } = await setUp(makeSpec({ errorRate: 1, error: { kind: 'status', status: 503, retryAfterSeconds: 2 } }));
    const response = await client.request({ path: '/' });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.body).toMatchObject({ injected: true });
    expect(faults).toEqual([{ point: 'inventory', kind: 'status', status: 503 }]);
  });

  it('resets the connection: ECONNRESET', async () => {
    const { client, faults } = await setUp(makeSpec({ errorRate: 1, error: { kind: 'reset' } }));
    expect(await codeOf(client.request({ path: '/' }))).toBe('ECONNRESET');
    expect(faults).toEqual([{ point: 'inventory', kind: 'reset' }]);
  });

  it('resets at once when only some calls are refused', async () => {
    const { client } = await setUp(makeSpec({ errorRate: 0.999, error: { kind: 'down' }, seed: 5 }));
    expect(await codeOf(client.request({ path: '/' }))).toBe('ECONNRESET');
  });

  it('refuses connections while down, on the same port, and recovers when the spec clears', async () => {
    const { service, client, faults, apply } = await setUp(healthySpec());
    const url = service.url;
    expect((await client.request({ path: '/' })).status).toBe(200);

    apply(makeSpec({ errorRate: 1, error: { kind: 'down' } }));
    expect(await codeOf(client.request({ path: '/' }))).toBe('ECONNREFUSED');
    expect(faults).toEqual([{ point: 'inventory', kind: 'down' }]);

    apply(healthySpec());
    expect((await client.request({ path: '/' })).status).toBe(200);
    expect(service.url).toBe(url);
  });

  it('closes and reopens its listener on time for an outage window', async () => {
    const { client } = await setUp(makeSpec({ schedule: [{ startMs: 0, durationMs: 150, error: { kind: 'down' } }] }));
    expect(await codeOf(client.request({ path: '/' }))).toBe('ECONNREFUSED');
    let recovered = false;
    // Keep calling until the window's end timer has reopened the listener.
    const deadline = Date.now() + 2000;
    while (!recovered && Date.now() < deadline) {
      recovered = (await codeOf(client.request({ path: '/' }))) === 'answered';
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(recovered).toBe(true);
  });

  it('closes and reopens on window boundaries of the run clock, however far off', async () => {
    const tenHours = 10 * 3_600_000;
    const { client, clock } = await setUp(
      makeSpec({ schedule: [{ startMs: 100, durationMs: 100, error: { kind: 'down' } }, { startMs: tenHours, durationMs: 50, error: { kind: 'down' } }] }),
      new VirtualClock(),
    );
    const outcome = () => codeOf(client.request({ path: '/' }));
    expect(await outcome()).toBe('answered');
    await clock.advance(100);
    expect(await outcome()).toBe('ECONNREFUSED');
    await clock.advance(100);
    expect(await outcome()).toBe('answered');
    // Far boundaries are re-checked every hour on the way, never acted on early.
    await clock.advance(tenHours - 201);
    expect(await outcome()).toBe('answered');
    await clock.advance(1);
    expect(await outcome()).toBe('ECONNREFUSED');
    await clock.advance(50);
    expect(await outcome()).toBe('answered');
  });

  it('hangs until the client gives up: ETIMEDOUT', async () => {
    const { client, faults } = await setUp(makeSpec({ errorRate: 1, error: { kind: 'hang' } }));
    const start = performance.now();
    expect(await codeOf(client.request({ path: '/', timeoutMs: 80 }))).toBe('ETIMEDOUT');
    expect(performance.now() - start).toBeGreaterThanOrEqual(75);
    expect(faults).toEqual([{ point: 'inventory', kind: 'hang' }]);
  });

  it('gives up a hung call when the caller aborts: ABORTED', async () => {
    const { client } = await setUp(makeSpec({ errorRate: 1, error: { kind: 'hang' } }));
    const controller = new AbortController();
    const call = codeOf(client.request({ path: '/', signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    expect(await call).toBe('ABORTED');
  });

  it('adds latency before forwarding', async () => {
    const { client, faults } = await setUp(makeSpec({ latency: { baseMs: 60, jitterMs: 0, rate: 1 } }));
    const start = performance.now();
    expect((await client.request({ path: '/' })).status).toBe(200);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(55);
    expect(elapsed).toBeLessThan(1000);
    expect(faults).toEqual([{ point: 'inventory', kind: 'latency', latencyMs: 60 }]);
  });

  it('leaves no socket or timer open after close, even with calls hung or delayed', async () => {
    // Client sockets of earlier tests close a moment after their calls settle.
    await eventually(() => openHandles().length === 0);
    const baseline = openHandles();
    const { service, client, clock, faults, apply } = await setUp(makeSpec({ errorRate: 1, error: { kind: 'hang' } }));
    const reported = (kind: FaultInjection['kind']) => eventually(() => faults.some((f) => f.kind === kind));
    // Each spec must reach the proxy with its call before the next one is applied.
    const hung = codeOf(client.request({ path: '/' }));
    await reported('hang');
    apply(makeSpec({ latency: { baseMs: 5_000, jitterMs: 0, rate: 1 } }));
    const slow = codeOf(client.request({ path: '/' }));
    await reported('latency');
    apply(makeSpec({ schedule: [{ startMs: 60_000, durationMs: 1000, error: { kind: 'down' } }] }));
    expect((await client.request({ path: '/' })).status).toBe(200);
    expect(openHandles().length).toBeGreaterThan(baseline.length);
    // The 5-second delay and the timer for the window at t=60 s.
    expect(clock.live.size).toBe(2);

    await service.close();
    // Both servers are gone the moment close() resolves; only client-side sockets may still be closing.
    expect(openHandles().filter((name) => name === 'TCPServerWrap')).toEqual([]);
    expect(clock.live.size).toBe(0);
    // The proxy dropped both callers' connections.
    expect(await hung).toBe('ECONNRESET');
    expect(await slow).toBe('ECONNRESET');
    await eventually(() => openHandles().join() === baseline.join());
    expect(openHandles()).toEqual(baseline);
  });
});
