import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Params, ServiceDefinition } from '../kit/index.ts';
import { makeTestLabContext, type Recorded } from '../kit/testing.ts';
import { start } from './lab.ts';
import { pattern } from './pattern.ts';

/** The payments service failing: a 503 after 1 ms. */
const UNAVAILABLE = { status: 503, body: { error: 'unavailable' }, latencyMs: 1 } as const;

/** The kit's virtual-time LabContext, with a switch for the payments outage. */
const makeLabContext = (params: Params) => {
  const harness = makeTestLabContext({ params, lab: pattern.labs[0] });
  return {
    ...harness,
    setFailing: (value: boolean) => harness.setFault('payments', value ? UNAVAILABLE : undefined),
    /** Open-model load: `rate` requests per second until virtual time reaches `untilMs`. */
    drive: (lab: Parameters<typeof harness.drive>[0], rate: number, untilMs: number) => harness.drive(lab, { rate, untilMs }),
  };
};

const circuitStory = (events: Recorded[]) =>
  events.flatMap((e) => (e.type === 'circuit.state' ? [{ t: e.t, from: e.from, to: e.to, reason: e.reason }] : []));

describe.each(['consecutive', 'failure-rate'])('payments lab, %s policy', (policy) => {
  const RESET_MS = 5_000;

  it('opens within a second of a full outage, then probes and closes once payments is back', async () => {
    const { ctx, clock, events, setFailing, drive } = makeLabContext({ policy, resetTimeoutMs: RESET_MS, callTimeoutMs: 1_000 });
    const lab = await start(ctx);

    setFailing(true);
    const outage = await drive(lab, 20, 1_000);
    const [opened] = circuitStory(events);
    expect(opened).toMatchObject({ from: 'closed', to: 'open', reason: 'failure-threshold' });
    expect(opened!.t).toBeLessThan(1_000);
    expect(outage.some((r) => r.outcome === 'rejected')).toBe(true);
    expect(outage.filter((r) => r.outcome === 'ok')).toEqual([]);

    setFailing(false);
    const recovery = await drive(lab, 20, opened!.t + RESET_MS + 1_000);
    const story = circuitStory(events);
    expect(story.map(({ from, to }) => `${from}→${to}`)).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
    expect(story[1]!.t).toBe(opened!.t + RESET_MS);
    expect(story[2]!.t - story[1]!.t).toBeLessThan(100); // the next request is the probe
    expect(recovery.filter((r) => r.outcome === 'error')).toEqual([]);
    expect(recovery.at(-1)).toMatchObject({ outcome: 'ok', status: 200 });
    expect(events.filter((e) => e.type === 'circuit.state').every((e) => e.type === 'circuit.state' && e.name === 'payments')).toBe(true);

    await lab.dispose();
    expect(clock.pending).toBe(0);
  });
});

describe('payments lab', () => {
  it('reopens when the probe finds payments still down', async () => {
    const { ctx, events, setFailing, drive } = makeLabContext({ policy: 'consecutive', resetTimeoutMs: 2_000, callTimeoutMs: 1_000 });
    const lab = await start(ctx);
    setFailing(true);
    await drive(lab, 20, 2_500);
    setFailing(false);
    await drive(lab, 20, 6_000);
    expect(circuitStory(events).map((s) => `${s.to}:${s.reason}`)).toEqual([
      'open:failure-threshold',
      'half-open:reset-timeout',
      'open:probe-failed',
      'half-open:reset-timeout',
      'closed:probes-succeeded',
    ]);
    const warnings = events.filter((e) => e.type === 'log' && e.level === 'warn');
    expect(warnings).toHaveLength(2);
    await lab.dispose();
  });

  it('maps a hung payments call to a timeout result', async () => {
    const { ctx, clock } = makeLabContext({ policy: 'consecutive', resetTimeoutMs: 5_000, callTimeoutMs: 300 });
    const hanging: ServiceDefinition = { handle: () => new Promise(() => {}) };
    const lab = await start({ ...ctx, service: (point) => ctx.service(point, hanging) });
    const result = lab.handle({ id: 'req-1', clientKey: 'client-0' });
    await clock.advance(300);
    expect(await result).toMatchObject({ outcome: 'timeout', status: 504 });
    await lab.dispose();
    expect(clock.pending).toBe(0);
  });
});

describe('payments lab invariants (pattern.ts)', () => {
  it.each(['consecutive', 'failure-rate'])(
    'the reference breaks none under heavy load, an outage, flapping and a slow recovery (%s policy)',
    async (policy) => {
      const harness = makeTestLabContext({ params: { policy, resetTimeoutMs: 1_000, callTimeoutMs: 300 }, lab: pattern.labs[0] });
      const { ctx, clock, events, violations, setFault } = harness;
      const drive = (lab: Parameters<typeof harness.drive>[0], untilMs: number) => harness.drive(lab, { rate: 100, untilMs, clients: 10, settleMs: 400 });
      const lab = await start(ctx);
      let flip = 0;
      setFault('payments', UNAVAILABLE);
      await drive(lab, 2_000);
      // Flapping: every other call fails, some hang past the call timeout.
      setFault('payments', () => (++flip % 2 === 0 ? UNAVAILABLE : flip % 7 === 0 ? 'hang' : undefined));
      await drive(lab, 5_000);
      // A slow recovery: each probe takes 150 ms while callers keep coming.
      setFault('payments', { status: 200, body: { ok: true }, latencyMs: 150 });
      const last = await drive(lab, 9_000);
      const story = circuitStory(events).map((s) => s.to);
      // Every state was visited under load, so both checks ran.
      expect(story).toContain('open');
      expect(story).toContain('half-open');
      expect(story.at(-1)).toBe('closed');
      expect(last.some((r) => r.outcome === 'rejected')).toBe(true);
      expect(violations).toEqual([]);
      // Only declared invariants can be checked.
      expect(() => ctx.invariant('not-declared', true)).toThrow(/lab 'payments' checks invariant 'not-declared'/);
      await lab.dispose();
      expect(clock.pending).toBe(0);
    },
  );
});

describe('payments lab invariants catch a flawed breaker (same load and faults as the reference)', () => {
  afterEach(() => {
    vi.doUnmock('./circuit-breaker.ts');
    vi.resetModules();
  });

  it("a breaker that only reports its state (\"monitor mode\") lets calls through while open: 'open-circuit-blocks-calls' breaks", async () => {
    vi.resetModules();
    vi.doMock('./circuit-breaker.ts', async (importOriginal) => {
      const real = await importOriginal<typeof import('./circuit-breaker.ts')>();
      class MonitorOnly extends real.CircuitBreaker {
        override execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
          // Says "open", calls anyway.
          return this.state === 'open' ? fn(signal ?? new AbortController().signal) : super.execute(fn, signal);
        }
      }
      return { ...real, CircuitBreaker: MonitorOnly };
    });
    const flawed = await import('./lab.ts');
    const run = async (startLab: typeof start) => {
      const harness = makeTestLabContext({ params: { policy: 'consecutive', resetTimeoutMs: 2_000, callTimeoutMs: 300 }, lab: pattern.labs[0] });
      const lab = await startLab(harness.ctx);
      harness.setFault('payments', UNAVAILABLE);
      await harness.drive(lab, { rate: 20, untilMs: 1_000, settleMs: 10 });
      await lab.dispose();
      return harness.violations;
    };
    expect(await run(start)).toEqual([]);
    const broken = await run(flawed.start);
    expect(broken.length).toBeGreaterThan(5);
    expect(new Set(broken.map((v) => v.invariant))).toEqual(new Set(['open-circuit-blocks-calls']));
    expect(broken[0]!.detail).toMatch(/^req-\d+ reached payments while the circuit was open$/);
  });
});
