import { describe, expect, it } from 'vitest';
import {
  Emitter,
  SeededRandom,
  VirtualClock,
  type HttpClient,
  type LabContext,
  type LabInstance,
  type LabResult,
  type LogLevel,
  type Params,
  type ServiceDefinition,
  type TelemetryInput,
} from '../kit/index.ts';
import { start } from './lab.ts';

type Recorded = TelemetryInput & { t: number };

const DEFAULT_PARAMS: Params = { algorithm: 'fixed-window', limit: 10, windowMs: 1_000, boundaryBurst: false };

/**
 * A hand-made LabContext on a VirtualClock: telemetry and logs are recorded
 * with their virtual time, the lab's server is its definition called
 * directly, and the `handler` fault point throws while we say it fails.
 */
const makeLabContext = (params: Params = {}) => {
  const clock = new VirtualClock();
  const events: Recorded[] = [];
  let failing = false;
  const emit = (event: TelemetryInput) => events.push({ ...event, t: clock.now() });
  const logAt =
    (level: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      emit({ type: 'log', level, msg, fields });
  const server = (_name: string, definition: ServiceDefinition): HttpClient => ({
    async request({ method = 'GET', path, headers = {}, body }) {
      return definition.handle({ method, path, headers, body });
    },
  });
  const ctx: LabContext = {
    runId: 'test-run',
    clock,
    random: new SeededRandom(7),
    params: { ...DEFAULT_PARAMS, ...params },
    onParamsChanged: new Emitter<Params>().event,
    emit,
    service: () => {
      throw new Error('this lab calls no downstream service');
    },
    server,
    fault: (point) => {
      expect(point).toBe('handler');
      return {
        async hit() {
          if (failing) throw new Error('injected fault at handler (exception)');
        },
      };
    },
    currentRequestId: () => undefined,
    log: { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
  };
  return {
    ctx,
    clock,
    events,
    setFailing: (value: boolean) => {
      failing = value;
    },
  };
};

/** Open-model load: `rate` requests per second, round-robin over `clients` keys, until `untilMs`. */
const drive = async (lab: LabInstance, clock: VirtualClock, rate: number, untilMs: number, clients = 1) => {
  const results: Array<Promise<LabResult & { clientKey: string }>> = [];
  let n = 0;
  while (clock.now() < untilMs) {
    const clientKey = `client-${n % clients}`;
    results.push(lab.handle({ id: `load-${n++}`, clientKey }).then((r) => ({ ...r, clientKey })));
    await clock.advance(1_000 / rate);
  }
  await clock.advance(100); // let the last requests finish
  return Promise.all(results);
};

const outcomes = (results: LabResult[]) =>
  results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [r.outcome]: (counts[r.outcome] ?? 0) + 1 }), {});

const logsOf = (events: Recorded[]) => events.flatMap((e) => (e.type === 'log' ? [e] : []));

describe('api lab', () => {
  it('serves the default load (20/s over 4 clients) without a single 429', async () => {
    const { ctx, clock, events } = makeLabContext();
    const lab = await start(ctx);
    const results = await drive(lab, clock, 20, 3_000, 4);
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
      const { ctx, clock, events } = makeLabContext({ algorithm });
      const lab = await start(ctx);
      const results = await drive(lab, clock, 30, 3_000);
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
    const { ctx, clock, events, setFailing } = makeLabContext();
    const lab = await start(ctx);
    setFailing(true);
    const results = await drive(lab, clock, 20, 500, 4);
    expect(outcomes(results)).toEqual({ error: 10 });
    expect(results[0]).toMatchObject({ status: 500, error: 'Internal Server Error' });
    const lines = logsOf(events).filter((e) => e.fields.status === 500);
    expect(lines).toHaveLength(10);
    expect(logsOf(events).filter((e) => e.msg === 'unhandled error')[0]!.fields.error).toBe('injected fault at handler (exception)');
    await lab.dispose();
  });

  it('switches the algorithm live, with fresh counters', async () => {
    const { ctx, clock, events } = makeLabContext();
    const lab = await start(ctx);
    await drive(lab, clock, 30, 1_000);
    lab.updateParams!({ ...DEFAULT_PARAMS, algorithm: 'token-bucket', limit: 5 });
    const results = await drive(lab, clock, 30, 2_000);
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
