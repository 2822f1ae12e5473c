/**
 * What a lab instance starts ends with it: timers on its clock and the global
 * ones, self-rescheduling immediates, fetches (and their sockets), sleeps and
 * requests it still holds, and what its module's import started once no
 * instance of that module runs. The engine on virtual time; the global timers
 * on vitest's fake timers, so nothing here waits on the real clock.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Disposable, LabContext, LabModule, TelemetryEvent } from '../../patterns/kit/index.ts';
import { VirtualClock } from '../../patterns/kit/index.ts';
import { InstanceResources, installResourceTracking } from './instance-resources.ts';
import { bareLab, virtualRun } from './testing.ts';

const lab = bareLab('leaky');

const makeRun = (clock: VirtualClock, events: TelemetryEvent[] = [], drainTimeoutMs?: number) =>
  virtualRun(lab, clock, events, drainTimeoutMs === undefined ? {} : { drainTimeoutMs });

/** A lab whose instances (#1, #2, …) run `leak` at start and never clean anything up. */
const leakyLab = (leak: (ctx: LabContext, name: string) => void): LabModule => {
  let instances = 0;
  return {
    start(ctx) {
      const name = `#${++instances}`;
      leak(ctx, name);
      return { handle: async () => ({ outcome: 'ok', route: name }), dispose: () => undefined };
    },
  };
};

const count = (ticks: string[], name: string) => ticks.filter((t) => t === name).length;

describe('a redeploy ends what the previous instance started', () => {
  let tracking: Disposable | undefined;
  afterEach(() => {
    tracking?.dispose();
    tracking = undefined;
    vi.useRealTimers();
  });

  it("an interval on the lab's clock that the old code never cleared stops at its dispose, and the log says so", async () => {
    const clock = new VirtualClock();
    const events: TelemetryEvent[] = [];
    const ticks: string[] = [];
    const run = makeRun(clock, events);
    const module = leakyLab((ctx, name) => void ctx.clock.setInterval(() => ticks.push(name), 100));
    await run.deploy(module);
    await clock.advance(350);
    expect(count(ticks, '#1')).toBe(3);
    await run.deploy(module);
    await clock.advance(1_000);
    // #1 was idle, so it was disposed at once: not one tick more.
    expect(count(ticks, '#1')).toBe(3);
    expect(count(ticks, '#2')).toBe(10);
    const left = events.find((e) => e.type === 'log' && /left 1 timer\(s\) going/.test(e.msg));
    expect(left).toBeDefined();
    await run.stop();
    await clock.advance(1_000);
    expect(count(ticks, '#2')).toBe(10);
    expect(clock.pending).toBe(0);
  });

  it("the lab's clock is still the run's clock to it: same class, same time", async () => {
    const clock = new VirtualClock({ start: 5 });
    const run = makeRun(clock);
    let seen: LabContext['clock'] | undefined;
    await run.deploy(leakyLab((ctx) => void (seen = ctx.clock)));
    expect(seen).toBeInstanceOf(VirtualClock);
    await clock.advance(10);
    expect(seen!.now()).toBe(15);
    expect(seen!.wallNow()).toBe(clock.wallNow());
    await run.stop();
  });

  it('global setInterval / setTimeout, even one set from inside another timer, stop with the instance that set them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    tracking = installResourceTracking();
    const clock = new VirtualClock();
    const ticks: string[] = [];
    const run = makeRun(clock);
    const module = leakyLab((_ctx, name) => {
      setInterval(() => ticks.push(name), 100);
      // Nested: the inner interval belongs to the instance too.
      setTimeout(() => setInterval(() => ticks.push(`${name} nested`), 100), 50);
    });
    await run.deploy(module);
    vi.advanceTimersByTime(1_000);
    expect(count(ticks, '#1')).toBe(10);
    expect(count(ticks, '#1 nested')).toBe(9);
    await run.deploy(module);
    // The idle #1 is disposed as soon as pending callbacks have run.
    await clock.advance(0);
    vi.advanceTimersByTime(1_000);
    expect(count(ticks, '#1')).toBe(10);
    expect(count(ticks, '#1 nested')).toBe(9);
    expect(count(ticks, '#2')).toBe(10);
    expect(count(ticks, '#2 nested')).toBe(9);
    await run.stop();
    vi.advanceTimersByTime(1_000);
    expect(count(ticks, '#2')).toBe(10);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a setImmediate loop stops with its instance', async () => {
    tracking = installResourceTracking();
    const clock = new VirtualClock();
    let spins = 0;
    const run = makeRun(clock);
    await run.deploy(
      leakyLab(() => {
        const again = () => {
          spins++;
          setImmediate(again);
        };
        setImmediate(again);
      }),
    );
    await clock.advance(0);
    expect(spins).toBeGreaterThan(0);
    await run.deploy({ start: () => ({ handle: async () => ({ outcome: 'ok' }), dispose: () => undefined }) });
    const after = spins;
    // Several turns of the event loop: a loop still going would have spun in each.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(spins).toBe(after);
    await run.stop();
  });

  it("a fetch the old code left waiting is aborted at its dispose, and its socket closed", async () => {
    tracking = installResourceTracking();
    const held: http.ServerResponse[] = [];
    const server = http.createServer((_req, res) => void held.push(res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const clock = new VirtualClock();
      const outcomes: string[] = [];
      const run = makeRun(clock);
      const arrived = once(server, 'request');
      await run.deploy(
        leakyLab(() => {
          fetch(url).then(
            () => outcomes.push('answered'),
            (error: Error) => outcomes.push(error.name),
          );
        }),
      );
      const [request] = (await arrived) as [http.IncomingMessage];
      const closed = once(request.socket, 'close');
      await run.deploy({ start: () => ({ handle: async () => ({ outcome: 'ok' }), dispose: () => undefined }) });
      await closed;
      await vi.waitFor(() => expect(outcomes).toEqual(['InstanceDisposedError']));
      await run.stop();
    } finally {
      for (const res of held) res.destroy();
      server.close();
    }
  });

  it('a request the old code still holds at the drain bound is answered then, and its pending sleep rejects', async () => {
    const clock = new VirtualClock();
    const events: TelemetryEvent[] = [];
    const sleeps: string[] = [];
    const run = makeRun(clock, events, 3_000);
    await run.deploy({
      start: (ctx) => ({
        async handle() {
          try {
            await ctx.clock.sleep(60_000);
            sleeps.push('woke');
          } catch (error) {
            sleeps.push((error as Error).name);
            throw error;
          }
          return { outcome: 'ok' };
        },
        dispose: () => undefined,
      }),
    });
    const held = run.serve({ clientKey: 'a' });
    await clock.advance(10);
    await run.deploy({ start: () => ({ handle: async () => ({ outcome: 'ok' }), dispose: () => undefined }) });
    await clock.advance(3_000);
    expect(await held).toMatchObject({ outcome: 'error' });
    expect(sleeps).toEqual(['InstanceDisposedError']);
    expect(events.filter((e) => e.type === 'request').map((e) => e.type === 'request' && e.outcome)).toEqual(['error']);
    await run.stop();
  });

  it("a transaction the old code never finishes is rolled back at its dispose: the run's database is not held for ever", async () => {
    const clock = new VirtualClock();
    const run = virtualRun({ ...lab, faultPoints: [{ id: 'database', kind: 'database', title: 'database', description: 'the run’s database' }] }, clock, [], {
      drainTimeoutMs: 3_000,
    });
    await run.deploy({
      start: async (ctx) => {
        await ctx.db.exec('CREATE TABLE t (v TEXT)');
        return {
          async handle() {
            await ctx.db.transaction(async (tx) => {
              await tx.run("INSERT INTO t VALUES ('old')");
              // Waits on a timer of its own that its dispose ends: it would never commit.
              await new Promise((resolve) => setTimeout(resolve, 3_600_000).unref());
            });
            return { outcome: 'ok' };
          },
          dispose: () => undefined,
        };
      },
    });
    const held = run.serve({ clientKey: 'a' });
    await clock.advance(10);
    let db!: LabContext['db'];
    await run.deploy({ start: (ctx) => ((db = ctx.db), { handle: async () => ({ outcome: 'ok' }), dispose: () => undefined }) });
    await clock.advance(3_000);
    expect(await held).toMatchObject({ outcome: 'error', error: expect.stringMatching(/rolled back|disposed/) });
    // The new code gets the database at once, without the old row.
    await db.transaction(async (tx) => void (await tx.run("INSERT INTO t VALUES ('new')")));
    expect(await db.all('SELECT v FROM t')).toEqual([{ v: 'new' }]);
    await run.stop();
  });

  it("what a module's import started ends once no instance of that module runs, not at a params restart", async () => {
    const clock = new VirtualClock();
    const ticks: string[] = [];
    const run = makeRun(clock);
    // As the live sandbox imports a bundle, within a scope of its own: here its top level sets an
    // interval going on the clock (a global one is tracked the same way, see the test above).
    const loaded = new InstanceResources('the module');
    loaded.clock(clock).setInterval(() => ticks.push('module'), 100);
    const module = leakyLab(() => undefined);
    await run.deploy(module, loaded);
    await clock.advance(200);
    // The same module again (a params restart): its module-level timer goes on.
    await run.deploy(module, loaded);
    await clock.advance(200);
    expect(count(ticks, 'module')).toBe(4);
    expect(loaded.isOver).toBe(false);
    // New code: the old module's last instance is disposed, and what its import started with it.
    await run.deploy(leakyLab(() => undefined));
    await clock.advance(500);
    expect(count(ticks, 'module')).toBe(4);
    expect(loaded.isOver).toBe(true);
    await run.stop();
  });
});
