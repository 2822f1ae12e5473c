import { describe, expect, it } from 'vitest';
import type { LabInstance, LabResult, Params } from '../kit/index.ts';
import { makeTestLabContext, type Recorded } from '../kit/testing.ts';
import { start } from './lab.ts';
import { apiParams } from './params.ts';
import { pattern } from './pattern.ts';

const DEFAULT_PARAMS: Params = { ...apiParams.defaults };

/**
 * The kit's virtual-time LabContext: the lab's server is its definition
 * called directly, and the `handler` fault point throws while we say it fails.
 */
const makeLabContext = (params: Params = {}) => {
  const harness = makeTestLabContext({ params: { ...DEFAULT_PARAMS, ...params }, lab: pattern.labs[0] });
  return {
    ...harness,
    ctx: {
      ...harness.ctx,
      fault: (point: string) => {
        expect(point).toBe('handler');
        return harness.ctx.fault(point);
      },
    },
    setFailing: (value: boolean) => harness.setFault('handler', value ? 'exception' : undefined),
    /** Open-model load: `rate` requests per second, round-robin over `clients` keys, until `untilMs`. */
    drive: (lab: LabInstance, rate: number, untilMs: number, clients = 1) =>
      // settleMs: let the last requests finish.
      harness.drive(lab, { rate, untilMs, clients, id: (n) => `load-${n}`, settleMs: 100 }),
  };
};

const outcomes = (results: LabResult[]) =>
  results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [r.outcome]: (counts[r.outcome] ?? 0) + 1 }), {});

const logsOf = (events: Recorded[]) => events.flatMap((e) => (e.type === 'log' ? [e] : []));

describe('api lab', () => {
  it('serves the default load (20/s over 4 clients) without a single 429', async () => {
    const { ctx, clock, events, drive } = makeLabContext();
    const lab = await start(ctx);
    const results = await drive(lab, 20, 3_000, 4);
    expect(outcomes(results)).toEqual({ ok: 60 });
    expect(results.every((r) => r.route === 'GET /products' || r.route === 'GET /products/:id')).toBe(true);
    const decisions = events.filter((e) => e.type === 'ratelimit');
    expect(decisions).toHaveLength(60);
    expect(decisions[0]).toMatchObject({ key: 'client-0', allowed: true, remaining: 9, limit: 10, algorithm: 'fixed-window' });
    await lab.dispose();
    expect(clock.pending).toBe(0);
  });

  // One client at 30/s for 3 s against a limit of 10 per second: the windows
  // let 10 per second through; the bucket its 10 tokens plus 10 per second.
  it.each([
    ['fixed-window', 30],
    ['sliding-window', 30],
    ['token-bucket', 39],
  ] as const)(
    'answers 429 to a client over its limit, and logs every request (%s)',
    async (algorithm, allowed) => {
      const { ctx, clock, events, drive } = makeLabContext({ algorithm });
      const lab = await start(ctx);
      const results = await drive(lab, 30, 3_000);
      const counts = outcomes(results);
      expect(counts).toEqual({ ok: allowed, rejected: 90 - allowed });
      const rejected = results.find((r) => r.outcome === 'rejected')!;
      expect(rejected).toMatchObject({ status: 429, error: 'rate limited: retry after 1 s' });
      // The logging middleware wraps the limiter: every request is logged, the refused ones at warn with 429.
      const requestLines = logsOf(events).filter((e) => e.msg === 'request completed');
      expect(requestLines).toHaveLength(90);
      const refusedLines = requestLines.filter((e) => e.fields.status === 429);
      expect(refusedLines).toHaveLength(counts.rejected!);
      expect(refusedLines.every((e) => e.level === 'warn')).toBe(true);
      expect(refusedLines[0]!.fields).toMatchObject({ requestId: expect.stringMatching(/^load-\d+$/), method: 'GET' });
      const denied = events.filter((e) => e.type === 'ratelimit' && !e.allowed);
      expect(denied).toHaveLength(counts.rejected!);
      await lab.dispose();
      expect(clock.pending).toBe(0);
    },
  );

  it('turns a failing handler into 500s, still logged', async () => {
    const { ctx, events, setFailing, drive } = makeLabContext();
    const lab = await start(ctx);
    setFailing(true);
    const results = await drive(lab, 20, 500, 4);
    expect(outcomes(results)).toEqual({ error: 10 });
    expect(results[0]).toMatchObject({ status: 500, error: 'Internal Server Error' });
    const lines = logsOf(events).filter((e) => e.fields.status === 500);
    expect(lines).toHaveLength(10);
    expect(logsOf(events).filter((e) => e.msg === 'unhandled error')[0]!.fields.error).toBe('injected fault at handler (exception)');
    await lab.dispose();
  });

  it('switches the algorithm live, with fresh counters', async () => {
    const { ctx, clock, events, drive } = makeLabContext();
    const lab = await start(ctx);
    await drive(lab, 30, 1_000);
    lab.updateParams!({ ...DEFAULT_PARAMS, algorithm: 'token-bucket', limit: 5 });
    const results = await drive(lab, 30, 2_000);
    expect(results[0]).toMatchObject({ outcome: 'ok' });
    const last = events.filter((e) => e.type === 'ratelimit').at(-1);
    expect(last).toMatchObject({ algorithm: 'token-bucket', limit: 5 });
    expect(logsOf(events).some((e) => e.msg.startsWith('rate limiter: token-bucket, 5 requests per 1000 ms'))).toBe(true);
    await lab.dispose();
    expect(clock.pending).toBe(0);
  });

  it.each([
    ['fixed-window', 20, 'warn'],
    ['sliding-window', 10, 'info'],
    ['token-bucket', 11, 'info'],
  ] as const)('shows the boundary burst client getting %s: %i of 20 through', async (algorithm, allowed, level) => {
    const { ctx, clock, events } = makeLabContext({ algorithm, boundaryBurst: true });
    const lab = await start(ctx);
    await clock.advance(7_000);
    const bursts = logsOf(events).filter((e) => e.msg.startsWith('boundary burst'));
    expect(bursts).toHaveLength(2);
    expect(bursts[0]).toMatchObject({ level, msg: `boundary burst: ${allowed} of 20 allowed within 101 ms (limit 10 per 1000 ms)` });
    expect(events.some((e) => e.type === 'ratelimit' && e.key === 'burst-client')).toBe(true);
    await lab.dispose();
    expect(clock.pending).toBe(0);
  });
});

describe('api lab invariants (pattern.ts)', () => {
  it.each(['fixed-window', 'sliding-window', 'token-bucket'])(
    'the reference breaks none with %s under overload, a boundary burst and a failing handler',
    async (algorithm) => {
      const { ctx, events, violations, setFault, drive } = makeLabContext({ algorithm, boundaryBurst: true });
      const lab = await start(ctx);
      let n = 0;
      // Three requests in ten fail in the handler: 500s must carry their request id too.
      setFault('handler', () => (++n % 10 < 3 ? 'exception' : undefined));
      const results = await drive(lab, 200, 5_000, 4);
      const counts = outcomes(results);
      expect(counts.rejected).toBeGreaterThan(100);
      expect(counts.error).toBeGreaterThan(10);
      expect(logsOf(events).some((l) => l.msg.startsWith('boundary burst'))).toBe(true);
      expect(violations).toEqual([]);
      await lab.dispose();
    },
  );
});
