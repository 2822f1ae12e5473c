/**
 * Runs a pattern's lab in-process on a VirtualClock with simulated
 * downstreams: the set-up the contract suite and exercise checks share. A lab
 * that declares a `database` fault point gets its `ctx.db` in memory (a SQL
 * host in this process, as `server/runs/testing.ts` makes one), kept across redeploys and closed by `run.stop()`.
 * Also the lab contract itself (`labContract`), so every suite that checks a
 * lab checks it the same way.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import type { FaultError, FaultPointInfo, LabManifest, LabModule, Params, PatternManifest, TelemetryEvent } from '../../patterns/kit/index.ts';
import { isCoreTelemetryType, RealClock, VirtualClock } from '../../patterns/kit/index.ts';
import { createLiveService } from '../../server/faults/live.ts';
import { LabRun, type ServiceFactory } from '../../server/runs/engine.ts';
import { simulatedServices } from '../../server/runs/simulated-services.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';

export const PATTERNS_DIR = join(import.meta.dirname, '..', '..', 'patterns');

export interface VirtualLab {
  run: LabRun;
  clock: VirtualClock;
  events: TelemetryEvent[];
}

/** The lab's module, from the pattern's folder in `patternsDir` (default: the project's patterns). */
export const loadLabModule = async (pattern: PatternManifest, lab: LabManifest, patternsDir = PATTERNS_DIR): Promise<LabModule> =>
  (await import(pathToFileURL(join(patternsDir, pattern.id, lab.module)).href)) as LabModule;

/** Starts `lab` on virtual time with its default load; the caller advances the clock. */
export const startVirtualLab = async (
  pattern: PatternManifest,
  lab: LabManifest,
  options: { seed?: number; services?: ServiceFactory; clock?: VirtualClock; params?: Params; module?: LabModule; patternsDir?: string } = {},
): Promise<VirtualLab> => {
  const clock = options.clock ?? new VirtualClock();
  const events: TelemetryEvent[] = [];
  const run = new LabRun({
    runId: 'contract',
    patternId: pattern.id,
    lab,
    seed: options.seed ?? 42,
    ...(options.params && { params: options.params }),
    clock,
    services: options.services ?? simulatedServices,
    // Numbered as the run host numbers them, in the order emitted.
    emit: (event) => events.push({ ...event, seq: events.length }),
    openDatabase: memoryDatabase,
  });
  await run.deploy(options.module ?? (await loadLabModule(pattern, lab, options.patternsDir)));
  run.setLoad(lab.defaultLoad);
  return { run, clock, events };
};

/** The error a fault point of each kind fails with: an HTTP 503, a database busy, an exception in-process. */
const errorFor = (kind: FaultPointInfo['kind'], message?: string): FaultError =>
  kind === 'http' ? { kind: 'status', status: 503 } : kind === 'database' ? { kind: 'busy' } : { kind: 'exception', ...(message && { message }) };

const ofType = (events: TelemetryEvent[], type: TelemetryEvent['type']) => events.filter((e) => e.type === type);

/** A script of faults applied on virtual time: the same script must give the same story. */
const scriptedRun = async (pattern: PatternManifest, lab: LabManifest, seed: number, patternsDir: string) => {
  const { run, clock, events } = await startVirtualLab(pattern, lab, { seed, patternsDir });
  await clock.advance(2_000);
  for (const point of lab.faultPoints) {
    run.setFault(point.id, {
      enabled: true,
      errorRate: 0.5,
      error: errorFor(point.kind),
      latency: { baseMs: 20, jitterMs: 10, rate: 0.5 },
      failFirst: 0,
      schedule: [],
      seed: 7,
    });
  }
  await clock.advance(5_000);
  await run.stop();
  return events;
};

/**
 * The lab contract, registered as tests in the calling `describe`: the lab
 * declares itself completely, breaks none of its invariants and emits only
 * declared event types under its default load and a standard fault at every
 * point, serves its load, reacts to faults, stops cleanly on virtual time and
 * with live services, and is deterministic with a fixed seed. The contract
 * suite (labs.test.ts) runs it on every lab of every pattern; the scaffold
 * test on the lab of a new pattern written to a temporary `patternsDir`.
 */
export const labContract = (pattern: PatternManifest, lab: LabManifest, { patternsDir = PATTERNS_DIR }: { patternsDir?: string } = {}): void => {
  it('declares itself completely', () => {
    expect(lab.title).not.toBe('');
    expect(lab.views.length).toBeGreaterThan(0);
    expect(lab.defaultLoad.model).not.toBe('none');
    for (const param of lab.params) {
      if (param.type === 'number' || param.type === 'integer') {
        expect(param.default).toBeGreaterThanOrEqual(param.min);
        expect(param.default).toBeLessThanOrEqual(param.max);
      }
      if (param.type === 'enum') expect(param.options.map((o) => o.value)).toContain(param.default);
    }
    // What must never go wrong, in sentences a learner reads.
    expect(lab.invariants.length).toBeGreaterThan(0);
    for (const invariant of lab.invariants) {
      expect(invariant.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(invariant.description.length).toBeGreaterThan(20);
    }
  });

  it('breaks none of its invariants under its default load and a standard fault at every point', async () => {
    const events = await scriptedRun(pattern, lab, 99, patternsDir);
    expect(ofType(events, 'fault.injected').length).toBeGreaterThan(0);
    expect(ofType(events, 'run.error')).toEqual([]);
    expect(ofType(events, 'invariant.violated')).toEqual([]);
  });

  it("emits only event types that are declared: the kit's core ones or its pattern's own (telemetry.ts)", async () => {
    // An undeclared type would reach a slow browser as droppable whatever it means, and no
    // view or tour could name it: the pattern must declare it, with its delivery.
    const events = await scriptedRun(pattern, lab, 99, patternsDir);
    const emitted = new Set(events.map((e) => e.type as string));
    const undeclared = [...emitted].filter((type) => !isCoreTelemetryType(type) && !Object.hasOwn(pattern.telemetry, type));
    expect(undeclared, `declare these in patterns/${pattern.id}/telemetry.ts`).toEqual([]);
  });

  it('serves its default load and emits request, metrics and progress events', async () => {
    const { run, clock, events } = await startVirtualLab(pattern, lab, { patternsDir });
    await clock.advance(3_000);
    await run.stop();
    const inbound = ofType(events, 'request').filter((e) => e.type === 'request' && e.direction === 'inbound');
    expect(inbound.length).toBeGreaterThan(10);
    expect(inbound.every((e) => e.type === 'request' && e.outcome === 'ok')).toBe(true);
    expect(ofType(events, 'metrics').length).toBeGreaterThanOrEqual(2);
    expect(ofType(events, 'load.progress').length).toBeGreaterThan(0);
    // Every event is stamped on the run's clock, in order.
    const times = events.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(events.every((e) => e.runId === 'contract')).toBe(true);
  });

  it.each(lab.faultPoints.map((p) => [p.id, p] as const))('reacts to faults injected at %s', async (_id, point) => {
    const { run, clock, events } = await startVirtualLab(pattern, lab, { patternsDir });
    await clock.advance(1_000);
    run.setFault(point.id, {
      enabled: true,
      errorRate: 1,
      error: errorFor(point.kind, 'injected'),
      latency: { baseMs: 0, jitterMs: 0, rate: 0 },
      failFirst: 0,
      schedule: [],
      seed: 1,
    });
    await clock.advance(3_000);
    await run.stop();
    expect(ofType(events, 'fault.changed')).toHaveLength(1);
    const injected = ofType(events, 'fault.injected');
    expect(injected.length).toBeGreaterThan(0);
    expect(injected.every((e) => e.type === 'fault.injected' && e.point === point.id)).toBe(true);
  });

  it('stops cleanly on virtual time: no timers left, no events after the stop', async () => {
    const { run, clock, events } = await startVirtualLab(pattern, lab, { patternsDir });
    await clock.advance(2_500);
    await run.stop();
    // In-flight work may finish; give it time, then nothing may remain.
    await clock.runUntilIdle(60_000);
    expect(clock.pending).toBe(0);
    const count = events.length;
    await clock.advance(10_000);
    expect(events.length).toBe(count);
  });

  it('is deterministic on virtual time with a fixed seed', async () => {
    const first = await scriptedRun(pattern, lab, 1234, patternsDir);
    const second = await scriptedRun(pattern, lab, 1234, patternsDir);
    expect(first.length).toBeGreaterThan(50);
    expect(second).toEqual(first);
  });

  it('stops cleanly with live services: no sockets or servers left behind', async () => {
    const handles = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap').length;
    const before = handles();
    const clock = new RealClock();
    const run = new LabRun({
      runId: 'contract-live',
      patternId: pattern.id,
      lab,
      seed: 1,
      clock,
      services: (options) => createLiveService(options),
      emit: () => undefined,
      openDatabase: memoryDatabase,
    });
    await run.deploy(await loadLabModule(pattern, lab, patternsDir));
    run.setLoad({ model: 'closed', concurrency: 4, amount: 40 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await run.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(handles()).toBe(before);
  });
};
