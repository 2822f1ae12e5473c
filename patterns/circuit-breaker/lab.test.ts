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

/**
 * A hand-made LabContext on a VirtualClock: telemetry and logs are recorded
 * with their virtual time, and the one downstream service is wrapped in a
 * fake fault point whose 503s we switch on and off.
 */
const makeLabContext = (params: Params) => {
  const clock = new VirtualClock();
  const events: Recorded[] = [];
  let failing = false;
  const emit = (event: TelemetryInput) => events.push({ ...event, t: clock.now() });
  const logAt =
    (level: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      emit({ type: 'log', level, msg, fields });
  const service = (_point: string, definition: ServiceDefinition): HttpClient => ({
    async request(request) {
      if (failing) {
        await clock.sleep(1, request.signal);
        return { status: 503, headers: {}, body: { error: 'unavailable' } };
      }
      const { method = 'GET', path, headers = {}, body } = request;
      return definition.handle({ method, path, headers, body });
    },
  });
  const ctx: LabContext = {
    runId: 'test-run',
    clock,
    random: new SeededRandom(7),
    params,
    onParamsChanged: new Emitter<Params>().event,
    emit,
    service,
    server: () => {
      throw new Error('this lab starts no server of its own');
    },
    fault: () => {
      throw new Error('this lab has no in-process fault points');
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

/** Open-model load: `rate` requests per second until virtual time reaches `untilMs`. */
const drive = async (lab: LabInstance, clock: VirtualClock, rate: number, untilMs: number) => {
  const results: Array<Promise<LabResult>> = [];
  while (clock.now() < untilMs) {
    results.push(lab.handle({ id: `req-${clock.now()}`, clientKey: 'client-0' }));
    await clock.advance(1_000 / rate);
  }
  return Promise.all(results);
};

const circuitStory = (events: Recorded[]) =>
  events.flatMap((e) => (e.type === 'circuit.state' ? [{ t: e.t, from: e.from, to: e.to, reason: e.reason }] : []));

describe.each(['consecutive', 'failure-rate'])('payments lab, %s policy', (policy) => {
  const RESET_MS = 5_000;

  it('opens within a second of a full outage, then probes and closes once payments is back', async () => {
    const { ctx, clock, events, setFailing } = makeLabContext({ policy, resetTimeoutMs: RESET_MS, callTimeoutMs: 1_000 });
    const lab = await start(ctx);

    setFailing(true);
    const outage = await drive(lab, clock, 20, 1_000);
    const [opened] = circuitStory(events);
    expect(opened).toMatchObject({ from: 'closed', to: 'open', reason: 'failure-threshold' });
    expect(opened!.t).toBeLessThan(1_000);
    expect(outage.some((r) => r.outcome === 'rejected')).toBe(true);
    expect(outage.filter((r) => r.outcome === 'ok')).toEqual([]);

    setFailing(false);
    const recovery = await drive(lab, clock, 20, opened!.t + RESET_MS + 1_000);
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
    const { ctx, clock, events, setFailing } = makeLabContext({ policy: 'consecutive', resetTimeoutMs: 2_000, callTimeoutMs: 1_000 });
    const lab = await start(ctx);
    setFailing(true);
    await drive(lab, clock, 20, 2_500);
    setFailing(false);
    await drive(lab, clock, 20, 6_000);
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
