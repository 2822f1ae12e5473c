/**
 * A redeploy no learner can see in the numbers: new requests go to the new
 * code at once, the old instance finishes the requests it holds and is only
 * then disposed, so no request fails because of the swap.
 *
 * Two levels: the engine on virtual time (deterministic, with the drain bound),
 * and a real workbench under load getting 20 saves in a row.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabContext, LabModule, TelemetryEvent, TelemetryOf } from '../../patterns/kit/index.ts';
import { VirtualClock } from '../../patterns/kit/index.ts';
import { PatternRegistry } from '../../server/patterns/registry.ts';
import { bareLab, virtualRun } from '../../server/runs/testing.ts';
import { loadLabModule, PATTERNS_DIR, startVirtualLab } from '../contract/lab-harness.ts';
import {
  BREAKER_FILE,
  breakerWithThreshold,
  insertAfterLine,
  is,
  PATTERN,
  SLOW,
  startTestWorkbench,
  waitUntil,
  type TestWorkbench,
} from './helpers.ts';

type RequestEvent = TelemetryEvent & TelemetryOf<'request'>;
const inbound = (events: readonly TelemetryEvent[]): RequestEvent[] =>
  events.filter((e): e is RequestEvent => e.type === 'request' && (e as RequestEvent).direction === 'inbound');
/** What a swap that cuts requests off looks like in the request log. */
const SWAP_DAMAGE = /dispos|no code is deployed/i;

/** A lab whose requests take `holdMs` (or never end), counting its starts and disposals. */
const holdingLab = (holdMs: number | 'forever', log: string[]): LabModule => {
  let instances = 0;
  return {
    start(ctx: LabContext) {
      const name = `#${++instances}`;
      log.push(`start ${name}`);
      let disposed = false;
      return {
        async handle() {
          if (holdMs === 'forever') await new Promise(() => undefined);
          else await ctx.clock.sleep(holdMs);
          return disposed ? { outcome: 'error', error: `${name} was disposed` } : { outcome: 'ok', route: name };
        },
        dispose() {
          disposed = true;
          log.push(`dispose ${name}`);
        },
      };
    },
  };
};

describe('the engine on virtual time', () => {
  const lab = bareLab('hold');
  const makeRun = (clock: VirtualClock, events: TelemetryEvent[], drainTimeoutMs?: number) =>
    virtualRun(lab, clock, events, drainTimeoutMs === undefined ? {} : { drainTimeoutMs });

  it('a redeploy sends new requests to the new code and disposes the old only once its requests are answered', async () => {
    const clock = new VirtualClock();
    const events: TelemetryEvent[] = [];
    const log: string[] = [];
    const run = makeRun(clock, events);
    const module = holdingLab(100, log);
    await run.deploy(module);
    const first = run.serve({ clientKey: 'a' });
    await clock.advance(50);
    await run.deploy(module);
    expect(log).toEqual(['start #1', 'start #2']);
    expect(run.retiringInstances).toBe(1);
    const second = run.serve({ clientKey: 'b' });
    await clock.advance(49);
    expect(log).toEqual(['start #1', 'start #2']);
    await clock.advance(1);
    expect(await first).toEqual({ outcome: 'ok', route: '#1' });
    await clock.advance(0);
    expect(log).toEqual(['start #1', 'start #2', 'dispose #1']);
    expect(run.retiringInstances).toBe(0);
    await clock.advance(50);
    expect(await second).toEqual({ outcome: 'ok', route: '#2' });
    await run.stop();
    expect(log.at(-1)).toBe('dispose #2');
    expect(events.filter((e) => e.type === 'log')).toEqual([]);
  });

  it('an instance that holds a request past the drain bound is disposed anyway, and the log says so', async () => {
    const clock = new VirtualClock();
    const events: TelemetryEvent[] = [];
    const log: string[] = [];
    const run = makeRun(clock, events, 3_000);
    await run.deploy(holdingLab('forever', log));
    void run.serve({ clientKey: 'a' });
    void run.serve({ clientKey: 'b' });
    await clock.advance(10);
    await run.deploy(holdingLab(10, log));
    await clock.advance(2_999);
    expect(log).not.toContain('dispose #1');
    await clock.advance(1);
    expect(log).toContain('dispose #1');
    const warning = events.find(is('log', (e) => e.level === 'warn'));
    expect(warning?.msg).toMatch(/still held 2 request\(s\) 3000 ms after the redeploy/);
    expect(warning?.fields).toMatchObject({ inFlight: 2, drainTimeoutMs: 3_000 });
    expect(run.retiringInstances).toBe(0);
    await run.stop();
  });

  it("a start that never settles fails that deploy within the bound, the running code goes on serving, and a late start is disposed", async () => {
    const clock = new VirtualClock();
    const events: TelemetryEvent[] = [];
    const log: string[] = [];
    let giveUp!: () => void;
    const gaveUp = new Promise<void>((resolve) => (giveUp = resolve));
    let finishLate!: () => void;
    const run = virtualRun(lab, clock, events, {
      // As the live worker bounds it (on the real clock there); here the test says when.
      startWithin: (started) => Promise.race([started, gaveUp.then(() => Promise.reject(new Error('did not finish starting')))]),
    });
    await run.deploy(holdingLab(10, log));
    const stuck: LabModule = {
      start: () =>
        new Promise((resolve) => {
          finishLate = () => resolve({ handle: async () => ({ outcome: 'ok' }), dispose: () => void log.push('dispose late') });
        }),
    };
    const deploying = run.deploy(stuck);
    giveUp();
    await expect(deploying).rejects.toThrow('did not finish starting');
    const answer = run.serve({ clientKey: 'a' });
    await clock.advance(10);
    expect(await answer).toEqual({ outcome: 'ok', route: '#1' });
    finishLate();
    await clock.advance(0);
    expect(log).toContain('dispose late');
    await run.stop();
  });

  it('stopping the run disposes instances still draining', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const run = makeRun(clock, []);
    await run.deploy(holdingLab('forever', log));
    void run.serve({ clientKey: 'a' });
    await run.deploy(holdingLab('forever', log));
    await run.stop();
    // Each module names its instances from #1: both are gone.
    expect(log.filter((l) => l.startsWith('dispose'))).toHaveLength(2);
    expect(run.retiringInstances).toBe(0);
  });

  it('a module that throws while starting leaves the running instance serving, untouched', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const run = makeRun(clock, []);
    await run.deploy(holdingLab(10, log));
    const pending = run.serve({ clientKey: 'a' });
    await expect(
      run.deploy({
        start() {
          throw new Error('boom');
        },
      }),
    ).rejects.toThrow('boom');
    expect(run.retiringInstances).toBe(0);
    await clock.advance(10);
    expect(await pending).toEqual({ outcome: 'ok', route: '#1' });
    expect(log).toEqual(['start #1']);
    await run.stop();
  });

  it('the circuit-breaker lab at 200 req/s with slow payments takes 20 redeploys without one request failing', async () => {
    const registry = await PatternRegistry.load(PATTERNS_DIR);
    const pattern = registry.get(PATTERN)!.manifest;
    const payments = pattern.labs[0]!;
    const module = await loadLabModule(pattern, payments);
    const { run, clock, events } = await startVirtualLab(pattern, payments);
    run.setFault('payments', {
      enabled: true,
      errorRate: 0,
      error: { kind: 'status', status: 503 },
      latency: { baseMs: 150, jitterMs: 100, rate: 1 },
      failFirst: 0,
      schedule: [],
      seed: 3,
    });
    run.setLoad({ model: 'open', rate: 200 });
    await clock.advance(500);
    for (let i = 0; i < 20; i++) {
      await run.deploy(module);
      await clock.advance(37);
    }
    run.setLoad({ model: 'none' });
    await clock.advance(2_000);
    const requests = inbound(events);
    expect(requests.length).toBeGreaterThan(200);
    expect(requests.filter((e) => e.outcome !== 'ok')).toEqual([]);
    expect(requests.filter((e) => SWAP_DAMAGE.test(e.error ?? ''))).toEqual([]);
    // Every request sent was answered: the replaced load's final figures match the request log.
    const final = events.filter(is('load.progress', (e) => e.done)).at(-1)!;
    expect(final.sent).toBeGreaterThan(0);
    expect(requests.length).toBeGreaterThanOrEqual(final.sent);
    expect(run.retiringInstances).toBe(0);
    await run.stop();
  });
});

describe('a live run under load, 20 saves in a row', { timeout: SLOW * 2 }, () => {
  let tw: TestWorkbench;
  let reference: string;
  beforeAll(async () => {
    tw = await startTestWorkbench();
    reference = await tw.reference(BREAKER_FILE);
  }, SLOW);
  afterAll(async () => {
    await tw?.close();
  }, SLOW);

  it('no request fails because of a swap, every request is answered, every deploy is marked', async () => {
    const runId = await tw.startRun();
    const feed = tw.feed(runId);
    await feed.waitFor(is('run.started'));
    // Quiet first, so that every request counted below belongs to the load under test.
    expect((await tw.api('PUT', `/api/runs/${runId}/load`, { model: 'none' })).status).toBe(200);
    // A call timeout far above payments' latency: a machine too loaded to answer in time is not what this tests.
    const params = await tw.api('PUT', `/api/runs/${runId}/params`, { callTimeoutMs: 8_000 });
    expect(params.status, params.text).toBe(200);
    // Slow payments: a few dozen requests are in flight at any time.
    const fault = { errorRate: 0, latency: { baseMs: 150, jitterMs: 100, rate: 1 } };
    expect((await tw.api('PUT', `/api/runs/${runId}/faults/payments`, fault)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const quiet = await feed.mark();
    expect((await tw.api('PUT', `/api/runs/${runId}/load`, { model: 'open', rate: 200 })).status).toBe(200);
    await feed.waitFor(is('request', (e) => e.direction === 'inbound'), { after: quiet, what: 'the load going' });

    const versions: number[] = [];
    for (let i = 0; i < 20; i++) {
      // A real edit each time, so the code that answers really changes hands.
      const content = breakerWithThreshold(reference, 5 + (i % 3));
      const res = await tw.saveFile(BREAKER_FILE, `${content}\n// save ${i}\n`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.deployedTo).toEqual([runId]);
      versions.push(res.body.version);
    }
    expect((await tw.api('PUT', `/api/runs/${runId}/load`, { model: 'none' })).status).toBe(200);

    // The load's final figures: how many requests it sent.
    const { event: final } = await feed.waitFor(
      is('load.progress', (e) => e.done && e.sent > 0),
      { after: quiet, what: 'the final load.progress of the load under test' },
    );
    // Every one of them is answered and recorded (the last in flight finish within a few hundred ms).
    const answered = () => inbound(feed.seen.slice(quiet));
    await waitUntil(
      async () => {
        await feed.poll();
        return answered().length >= final.sent;
      },
      { timeoutMs: 20_000, what: () => `${final.sent} requests answered, ${answered().length} recorded` },
    );
    const requests = answered();
    expect(new Set(requests.map((e) => e.id)).size).toBe(requests.length);
    expect(requests.length).toBe(final.sent);
    expect(requests.filter((e) => SWAP_DAMAGE.test(e.error ?? ''))).toEqual([]);
    // Nothing else fails either: payments is slow but healthy, well within the call timeout.
    const failed = requests.filter((e) => e.outcome !== 'ok');
    expect(failed.length, JSON.stringify(failed.slice(0, 5))).toBe(0);

    const deployed = feed.seen.slice(quiet).filter(is('run.deployed'));
    expect(deployed.map((e) => e.version)).toEqual(versions);
    // The swaps really happened under requests in flight: most deploys fall inside some request.
    const straddled = deployed.filter((d) => requests.some((r) => r.t - r.durationMs < d.t && r.t > d.t));
    expect(straddled.length, `${straddled.length} of 20 deploys had requests in flight`).toBeGreaterThanOrEqual(15);
    expect(deployed.every((e) => e.file === BREAKER_FILE)).toBe(true);
    // No instance was cut off by the drain bound.
    expect(feed.seen.slice(quiet).filter(is('log', (e) => /disposed it anyway/.test(e.msg)))).toEqual([]);
    await tw.stopRun(runId);
  });
});

/** The last import line of `source`: what is inserted after it runs at the module's top level. */
const lastImport = (source: string): string => source.split('\n').filter((line) => line.startsWith('import ')).at(-1)!;

describe('what the previous code started ends with it', { timeout: SLOW }, () => {
  let tw: TestWorkbench;
  let server: http.Server;
  let url: string;
  /** Pings received, by who sent them (`module` or `instance`, and the version's tag). */
  const pings = new Map<string, number>();
  /** Requests the old code opened and never finished: the server holds them. */
  const held: http.IncomingMessage[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const from = new URL(req.url ?? '/', 'http://x').searchParams.get('from') ?? '?';
      if (req.url?.startsWith('/hold')) {
        held.push(req);
        return;
      }
      pings.set(from, (pings.get(from) ?? 0) + 1);
      res.end('pong');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    tw = await startTestWorkbench();
  }, SLOW);
  afterAll(async () => {
    await tw?.close();
    server.closeAllConnections();
    server.close();
  }, SLOW);

  it("timers and a fetch the old code set going and never ended stop once it is disposed after the redeploy", async () => {
    const reference = await tw.reference(BREAKER_FILE);
    // The leaks a learner writes: an interval at the module's top level and one per breaker
    // (started by the lab's start), each pinging our server, and a request never finished.
    let leaky = insertAfterLine(
      reference,
      lastImport(reference),
      `setInterval(() => void fetch('${url}/ping?from=module').catch(() => undefined), 50);\nvoid fetch('${url}/hold').catch(() => undefined);`,
    ).content;
    leaky = insertAfterLine(leaky, '} = options;', `    setInterval(() => void fetch('${url}/ping?from=instance').catch(() => undefined), 50);`).content;
    const saved = await tw.saveFile(BREAKER_FILE, leaky);
    expect(saved.status, saved.text).toBe(200);
    const runId = await tw.startRun();
    const feed = tw.feed(runId);
    await feed.waitFor(is('run.started'));
    // The trial load of that save ran the code too, in a sandbox that ended: count from here.
    await waitUntil(() => held.length > 0 && (pings.get('module') ?? 0) > 3 && (pings.get('instance') ?? 0) > 3, {
      what: 'the leaky code pinging',
    });
    const holding = held.at(-1)!;
    const closed = once(holding.socket, 'close');

    const after = await feed.mark();
    const clean = await tw.saveFile(BREAKER_FILE, breakerWithThreshold(reference, 4));
    expect(clean.status, clean.text).toBe(200);
    expect(clean.body.deployedTo).toEqual([runId]);
    // Disposed (once its requests were answered): the run's log says what it had left going,
    // once for the instance (its interval) and once for the module (its interval and request).
    const leftovers = () => feed.seen.slice(after).filter(is('log', (e) => /^the previous code left .* going after it was disposed/.test(e.msg)));
    await waitUntil(
      async () => {
        await feed.poll();
        return leftovers().length >= 2;
      },
      { what: () => `two logs of leftovers, got ${JSON.stringify(leftovers().map((e) => e.msg))}` },
    );
    expect(leftovers().some((e) => /\d+ fetch call\(s\)/.test(e.msg))).toBe(true);
    // The request it never finished is closed.
    await closed;
    // And nothing pings any more: over a second of metrics (an interval still going would ping ~20 times a second).
    const metricsAfter = async (n: number) => {
      const from = await feed.mark();
      for (let i = 0; i < n; i++) await feed.waitFor(is('metrics'), { after: from + i });
    };
    await metricsAfter(1);
    const before = { module: pings.get('module'), instance: pings.get('instance') };
    await metricsAfter(3);
    expect({ module: pings.get('module'), instance: pings.get('instance') }).toEqual(before);
    expect((await tw.api('GET', `/api/runs/${runId}`)).body).toMatchObject({ state: 'running' });
    await tw.stopRun(runId);
  });
});
