import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LabResult, Params } from '../kit/index.ts';
import { start } from './flaky-lab.ts';
import { eventsOf, makeTestLabContext } from '../kit/testing.ts';
import { pattern } from './pattern.ts';

const labOf = (id: string) => pattern.labs.find((lab) => lab.id === id)!;

const defaults: Params = {
  jitter: 'full',
  delayStrategy: 'exponential',
  maxAttempts: 5,
  baseDelayMs: 100,
  capDelayMs: 2_000,
  deadlineMs: 3_000,
  flakiness: 0.2,
};

const setUp = async (params: Params = {}) => {
  const harness = makeTestLabContext({ params: { ...defaults, ...params }, lab: labOf('flaky') });
  const lab = await start(harness.ctx);
  /** `count` requests at 10 per second, then every one of them to its end. */
  const drive = async (count: number): Promise<LabResult[]> => {
    const results: Array<Promise<LabResult>> = [];
    for (let i = 0; i < count; i++) {
      results.push(harness.send(lab, `req-${i}`));
      await harness.clock.advance(100);
    }
    await harness.clock.runUntilIdle(60_000);
    return Promise.all(results);
  };
  return { ...harness, lab, drive };
};

describe('flaky lab', () => {
  it('calls inventory once per request when it is healthy', async () => {
    const { lab, drive, events, calls } = await setUp({ flakiness: 0 });
    const results = await drive(20);
    expect(results.every((r) => r.outcome === 'ok' && r.status === 200)).toBe(true);
    expect(calls).toHaveLength(20);
    expect(eventsOf(events, 'retry.attempt')).toEqual([]);
    await lab.dispose();
  });

  it('rides out its own flakiness, reporting each retry for the request that made it', async () => {
    const { lab, drive, events, calls } = await setUp();
    const results = await drive(50);
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    const retries = eventsOf(events, 'retry.attempt');
    expect(retries.length).toBeGreaterThan(5);
    expect(calls.length).toBe(50 + retries.length); // one more call per retry, none lost
    for (const retry of retries) {
      expect(retry.requestId).toMatch(/^req-\d+$/);
      expect(retry.error).toBe('inventory answered 503');
      // Full jitter from 100 ms: the first wait is under 100 ms, the second under 200.
      expect(retry.delayMs).toBeLessThanOrEqual(100 * 2 ** (retry.attempt - 1));
      // The next call of that request comes after exactly that wait.
      const next = calls.filter((c) => c.requestId === retry.requestId)[retry.attempt]!;
      expect(next.t - retry.t).toBeCloseTo(retry.delayMs, 0);
    }
    await lab.dispose();
  });

  it('never retries a 400: one call, then the give-up says why', async () => {
    const { lab, drive, events, calls, setDefaultFault: setFault } = await setUp();
    setFault(() => ({ status: 400 }));
    const results = await drive(5);
    expect(results.every((r) => r.outcome === 'error' && r.status === 502)).toBe(true);
    expect(calls).toHaveLength(5);
    const giveUps = eventsOf(events, 'retry.giveup');
    expect(giveUps.map((g) => [g.attempts, g.error])).toEqual(Array(5).fill([1, 'not-retryable: inventory answered 400']));
    await lab.dispose();
  });

  it('waits as long as a 429 asks with Retry-After', async () => {
    const { lab, clock, events, calls, setDefaultFault: setFault, send } = await setUp({ flakiness: 0 });
    let first = true;
    setFault(() => {
      if (!first) return undefined;
      first = false;
      return { status: 429, headers: { 'retry-after': '2' } };
    });
    const result = send(lab, 'req-1');
    await clock.runUntilIdle();
    expect(await result).toMatchObject({ outcome: 'ok' });
    expect(eventsOf(events, 'retry.attempt')).toMatchObject([{ requestId: 'req-1', attempt: 1, delayMs: 2_000 }]);
    expect(calls.map((c) => c.t)).toEqual([0, 2_000]);
    await lab.dispose();
  });

  it('ends hung calls at the attempt timeout, and the request at the deadline', async () => {
    const { lab, drive, events, calls, setDefaultFault: setFault } = await setUp();
    setFault(() => 'hang');
    const [result] = await drive(1);
    expect(result).toMatchObject({ outcome: 'timeout', status: 504 });
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(eventsOf(events, 'retry.attempt').every((r) => r.error === 'inventory: ETIMEDOUT')).toBe(true);
    const [giveUp] = eventsOf(events, 'retry.giveup');
    expect(giveUp!.error).toMatch(/^deadline: gave up after \d attempt/);
    expect(giveUp!.t).toBeLessThanOrEqual(3_000);
    await lab.dispose();
  });

  it('answers every request in flight when it stops, and leaves no timer', async () => {
    const { lab, clock, send, setDefaultFault: setFault } = await setUp();
    setFault(() => ({ status: 503 }));
    const results = [send(lab, 'req-1'), send(lab, 'req-2')];
    await clock.advance(20); // both are waiting to retry
    await lab.dispose();
    expect((await Promise.all(results)).map((r) => r.error)).toEqual(['The retry policy was disposed', 'The retry policy was disposed']);
    expect(clock.pending).toBe(0);
  });
});

describe('flaky lab invariants (pattern.ts)', () => {
  /** A 429 asking for `seconds`, after 2 ms. */
  const tooMany = (seconds: number) => ({ status: 429, headers: { 'retry-after': String(seconds) }, latencyMs: 2 });

  it.each(['none', 'full', 'equal', 'decorrelated'])(
    'the reference breaks none under flakiness, 429s with Retry-After (also past the cap), hangs and resets (%s jitter)',
    async (jitter) => {
      const { drive, setFault, violations, events, calls } = await setUp({ jitter, flakiness: 0.5, deadlineMs: 8_000, capDelayMs: 1_000 });
      let n = 0;
      setFault('inventory', () => {
        const k = ++n % 6;
        if (k === 0) return tooMany(3);
        if (k === 1) return tooMany(30); // honoured only up to 5 s
        if (k === 2) return 'hang';
        if (k === 3) return 'reset';
        return undefined;
      });
      const results = await drive(60);
      expect(results.some((r) => r.outcome === 'ok')).toBe(true);
      // The checks had work: retries, Retry-After waits past the delay cap, give-ups at the deadline or the attempts.
      expect(eventsOf(events, 'retry.attempt').some((e) => e.delayMs > 1_000)).toBe(true);
      expect(eventsOf(events, 'retry.giveup').length).toBeGreaterThan(0);
      expect(calls.length).toBeGreaterThan(120);
      expect(violations).toEqual([]);
    },
  );

  it('the reference keeps its attempts, waits and deadline under a full outage with a short deadline', async () => {
    const { drive, setFault, violations, events } = await setUp({ maxAttempts: 20, deadlineMs: 1_200 });
    setFault('inventory', 'hang');
    const results = await drive(30);
    expect(results.every((r) => r.outcome === 'timeout')).toBe(true);
    expect(eventsOf(events, 'retry.giveup').every((e) => e.error.startsWith('deadline'))).toBe(true);
    expect(violations).toEqual([]);
  });
});

describe('flaky lab invariants catch flawed policies (same seed, load and faults as the reference)', () => {
  afterEach(() => {
    vi.doUnmock('./retry.ts');
    vi.resetModules();
  });

  /** The lab, with RetryPolicy replaced by `flawed` (made from the real one). */
  const startWith = async (flawed: (real: typeof import('./retry.ts')) => unknown, params: Params) => {
    vi.resetModules();
    vi.doMock('./retry.ts', async (importOriginal) => {
      const real = await importOriginal<typeof import('./retry.ts')>();
      return { ...real, RetryPolicy: flawed(real) };
    });
    const flawedLab = await import('./flaky-lab.ts');
    const harness = makeTestLabContext({ params: { ...defaults, ...params }, lab: labOf('flaky') });
    return { ...harness, lab: await flawedLab.start(harness.ctx) };
  };

  const sendAll = async (harness: Awaited<ReturnType<typeof startWith>>, count: number) => {
    const results = [];
    for (let i = 0; i < count; i++) {
      results.push(harness.send(harness.lab, `req-${i}`));
      await harness.clock.advance(100);
    }
    await harness.clock.runUntilIdle(120_000);
    return Promise.all(results);
  };

  it("a policy that reads maxAttempts as retries (one attempt too many) breaks 'attempts-bounded'", async () => {
    const harness = await startWith(
      (real) =>
        class OffByOne extends real.RetryPolicy {
          constructor(options: ConstructorParameters<typeof real.RetryPolicy>[0] = {}) {
            super({ ...options, maxAttempts: (options.maxAttempts ?? real.DEFAULTS.maxAttempts) + 1 });
          }
        },
      { flakiness: 1, deadlineMs: 60_000, capDelayMs: 200 },
    );
    await sendAll(harness, 10);
    expect(harness.violations.map((v) => v.invariant)).toEqual(Array(10).fill('attempts-bounded'));
    expect(harness.violations[0]!.detail).toMatch(/^req-\d+ made attempt 6; maxAttempts is 5$/);
  });

  it("a policy that honours any Retry-After, uncapped, breaks 'wait-capped'", async () => {
    const harness = await startWith(
      (real) =>
        class Uncapped extends real.RetryPolicy {
          constructor(options: ConstructorParameters<typeof real.RetryPolicy>[0] = {}) {
            super({ ...options, maxRetryAfterMs: 3_600_000 });
          }
        },
      { flakiness: 0, deadlineMs: 60_000 },
    );
    let n = 0;
    // Every other call: a 429 asking for 30 s, where the lab honours at most 5.
    harness.setFault('inventory', () => (++n % 2 === 1 ? { status: 429, headers: { 'retry-after': '30' }, latencyMs: 2 } : undefined));
    await sendAll(harness, 4);
    expect(harness.violations.length).toBeGreaterThan(0);
    expect(harness.violations.every((v) => v.invariant === 'wait-capped')).toBe(true);
    expect(harness.violations[0]!.detail).toMatch(/waited 30000 ms before attempt 2; the cap is 5000 ms \(Retry-After\)/);
  });
});
