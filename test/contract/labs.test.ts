/**
 * The lab contract: every lab of every pattern must pass this suite. A lab
 * starts, emits the core events, reacts to its fault points, stops cleanly
 * leaving no timers or sockets behind, and is deterministic on virtual time
 * with a fixed seed.
 */
import { describe, expect, it } from 'vitest';
import type { FaultError, FaultPointInfo, TelemetryEvent } from '../../patterns/kit/index.ts';
import { RealClock } from '../../patterns/kit/index.ts';
import { createLiveService } from '../../server/faults/live.ts';
import { PatternRegistry } from '../../server/patterns/registry.ts';
import { LabRun } from '../../server/runs/engine.ts';
import { loadLabModule, PATTERNS_DIR, startVirtualLab } from './lab-harness.ts';

const registry = await PatternRegistry.load(PATTERNS_DIR);
const labs = registry.list().flatMap(({ manifest }) => manifest.labs.map((lab) => ({ pattern: manifest, lab })));

/** The error a fault point of each kind fails with: an HTTP 503, a database busy, an exception in-process. */
const errorFor = (kind: FaultPointInfo['kind'], message?: string): FaultError =>
  kind === 'http' ? { kind: 'status', status: 503 } : kind === 'database' ? { kind: 'busy' } : { kind: 'exception', ...(message && { message }) };

const ofType = (events: TelemetryEvent[], type: TelemetryEvent['type']) => events.filter((e) => e.type === type);

/** A script of faults applied on virtual time: the same script must give the same story. */
const scriptedRun = async (pattern: (typeof labs)[number]['pattern'], lab: (typeof labs)[number]['lab'], seed: number) => {
  const { run, clock, events } = await startVirtualLab(pattern, lab, { seed });
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

describe.each(labs.map(({ pattern, lab }) => [`${pattern.id}/${lab.id}`, pattern, lab] as const))(
  'lab %s',
  (_name, pattern, lab) => {
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
      const events = await scriptedRun(pattern, lab, 99);
      expect(ofType(events, 'fault.injected').length).toBeGreaterThan(0);
      expect(ofType(events, 'run.error')).toEqual([]);
      expect(ofType(events, 'invariant.violated')).toEqual([]);
    });

    it('serves its default load and emits request, metrics and progress events', async () => {
      const { run, clock, events } = await startVirtualLab(pattern, lab);
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
      const { run, clock, events } = await startVirtualLab(pattern, lab);
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
      const { run, clock, events } = await startVirtualLab(pattern, lab);
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
      const first = await scriptedRun(pattern, lab, 1234);
      const second = await scriptedRun(pattern, lab, 1234);
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
      });
      await run.deploy(await loadLabModule(pattern, lab));
      run.setLoad({ model: 'closed', concurrency: 4, amount: 40 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await run.stop();
      await new Promise((resolve) => setImmediate(resolve));
      expect(handles()).toBe(before);
    });
  },
);

it('finds at least one lab', () => {
  expect(labs.length).toBeGreaterThan(0);
});
