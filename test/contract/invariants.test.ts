/**
 * Invariants across the platform: the engine's `ctx.invariant`, the live
 * hub's promise never to drop a break, and, for every pattern, an exercise
 * starter's flaw caught by one of its lab's invariants — the reference and
 * the starter run on the same seed, load and faults, on virtual time, and
 * only the starter breaks it.
 */
import { readdirSync } from 'node:fs';
import type { WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabManifest, LabModule, PatternManifest, TelemetryBatch, TelemetryEvent } from '../../patterns/kit/index.ts';
import { CORE_TELEMETRY, requestLogView, UndeclaredInvariantError, VirtualClock } from '../../patterns/kit/index.ts';
import { LiveHub } from '../../server/live/hub.ts';
import { checkInvariants, PatternRegistry } from '../../server/patterns/registry.ts';
import { LabRun } from '../../server/runs/engine.ts';
import { simulatedServices } from '../../server/runs/simulated-services.ts';
import { PATTERNS_DIR, startVirtualLab } from './lab-harness.ts';
import { loadStarterVariant, type StarterVariant } from './starter-variants.ts';
import type { Scenario } from './scenarios/scenario.ts';

/** Every pattern's scenarios: `scenarios/<pattern>.ts` (a new pattern adds its own file, and edits nothing here). */
const SCENARIOS_DIR = new URL('./scenarios/', import.meta.url);
const SCENARIOS: Scenario[] = [];
for (const file of readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.ts') && f !== 'scenario.ts').sort()) {
  const { scenarios } = (await import(new URL(file, SCENARIOS_DIR).href)) as { scenarios: Scenario[] };
  SCENARIOS.push(...scenarios);
}

const registry = await PatternRegistry.load(PATTERNS_DIR);
const patternOf = (id: string): PatternManifest => registry.get(id)!.manifest;

const violations = (events: TelemetryEvent[]) =>
  events.flatMap((e) => (e.type === 'invariant.violated' ? [{ invariant: e.invariant, detail: e.detail, t: e.t }] : []));

/** Runs `scenario` with `module` (the reference when undefined) on virtual time; returns every event. */
const play = async (scenario: Scenario, module?: LabModule): Promise<TelemetryEvent[]> => {
  const pattern = patternOf(scenario.pattern);
  const lab = pattern.labs.find((l) => l.id === scenario.lab)!;
  const { run, clock, events } = await startVirtualLab(pattern, lab, {
    seed: 2024,
    ...(scenario.params && { params: scenario.params }),
    ...(module && { module }),
  });
  run.setLoad(scenario.load);
  for (const step of scenario.faults) {
    await clock.advance(step.atMs - clock.now());
    run.setFault(step.point, step.spec);
  }
  await clock.advance(scenario.untilMs - clock.now());
  await run.stop();
  return events;
};

describe.each(SCENARIOS.map((s) => [`${s.pattern}/${s.exercise}`, s] as const))('the starter of %s', (_name, scenario) => {
  const variants: StarterVariant[] = [];
  afterAll(() => variants.forEach((v) => v.dispose()));

  it(`breaks '${scenario.invariant}' where the reference, on the same seed, load and faults, breaks nothing`, async () => {
    const lab = patternOf(scenario.pattern).labs.find((l) => l.id === scenario.lab)!;
    expect(lab.invariants.map((i) => i.id)).toContain(scenario.invariant);

    const reference = await play(scenario);
    expect(violations(reference)).toEqual([]);

    const starter = await loadStarterVariant(scenario.pattern, scenario.exercise, lab.module);
    variants.push(starter);
    const flawed = await play(scenario, starter.module);
    const broken = violations(flawed);
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.filter((v) => v.invariant === scenario.invariant).length).toBeGreaterThan(0);
    expect(broken.every((v) => v.detail.length > 0)).toBe(true);
  });
});

describe('ctx.invariant in the run engine', () => {
  const lab: LabManifest = {
    id: 'probe',
    title: 'Probe',
    summary: 'checks invariants',
    module: 'none.ts',
    faultPoints: [],
    params: [],
    views: [requestLogView()],
    guide: { watch: 'Watch the request log.', tryFirst: { label: 'Send more', load: { model: 'open', rate: 20 } } },
    defaultLoad: { model: 'open', rate: 10 },
    invariants: [{ id: 'even', description: 'Every request number is even.' }],
  };
  const module: LabModule = {
    start: (ctx) => {
      let n = 0;
      return {
        async handle() {
          n++;
          ctx.invariant('even', n % 2 === 0, () => `request ${n} is odd`);
          if (n === 5) ctx.invariant('odd', true);
          return { outcome: 'ok' };
        },
        dispose: () => undefined,
      };
    },
  };

  it('records a break as invariant.violated { invariant, detail }, returns holds, and names the lab when an id is undeclared', async () => {
    const clock = new VirtualClock();
    const events: TelemetryEvent[] = [];
    const run = new LabRun({
      runId: 'inv',
      patternId: 'demo',
      lab,
      seed: 1,
      clock,
      services: simulatedServices,
      emit: (event) => events.push({ ...event, seq: events.length }),
    });
    await run.deploy(module);
    for (let i = 0; i < 6; i++) await run.serve({ clientKey: 'c' });
    await run.stop();
    expect(violations(events).map((v) => v.detail)).toEqual(['request 1 is odd', 'request 3 is odd', 'request 5 is odd']);
    const errors = events.filter((e) => e.type === 'run.error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: expect.stringContaining("lab 'demo/probe' checks invariant 'odd'") });
    // The call threw: that request failed, with the same message.
    const failed = events.filter((e) => e.type === 'request' && e.outcome === 'error');
    expect(failed).toHaveLength(1);
  });

  it('throws UndeclaredInvariantError at the call', () => {
    expect(() => new UndeclaredInvariantError('demo/probe', 'odd', ['even']).message).not.toThrow();
    expect(new UndeclaredInvariantError('demo/probe', 'odd', ['even']).message).toMatch(/declared: 'even'/);
  });
});

describe('manifest validation', () => {
  const base = patternOf('circuit-breaker').labs[0]!;
  it('refuses a lab without invariants, with a bad id, a duplicate or no description', () => {
    expect(() => checkInvariants('x', { ...base, invariants: [] })).toThrow(/declare the invariants/);
    expect(() => checkInvariants('x', { ...base, invariants: [{ id: 'Bad Id', description: 'd' }] })).toThrow(/kebab-case/);
    expect(() =>
      checkInvariants('x', {
        ...base,
        invariants: [
          { id: 'a', description: 'd' },
          { id: 'a', description: 'd' },
        ],
      }),
    ).toThrow(/declared twice/);
    expect(() => checkInvariants('x', { ...base, invariants: [{ id: 'a', description: ' ' }] })).toThrow(/needs a description/);
    expect(() => checkInvariants('x', base)).not.toThrow();
  });
});

describe('the live hub', () => {
  it('never drops invariant.violated, even when a slow client has more undroppable events than fit', () => {
    expect(CORE_TELEMETRY['invariant.violated']).toBe('always');
    let listener: ((events: readonly TelemetryEvent[]) => void) | undefined;
    const hub = new LiveHub(
      { subscribe: (_runId, l) => ((listener = l), { dispose: () => (listener = undefined) }) },
      // A circuit-breaker run: its `circuit.state` events are `always`, so they alone overflow the queue.
      () => (type) => registry.delivery('circuit-breaker', type),
      { flushEveryMs: 60_000, maxQueuedEvents: 50, maxBufferedBytes: 1024 },
    );
    const sent: TelemetryBatch[] = [];
    const socket = {
      OPEN: 1,
      readyState: 1,
      bufferedAmount: 10_000,
      send: (data: string) => sent.push(JSON.parse(data) as TelemetryBatch),
      on: () => socket,
    };
    expect(hub.attach(socket as unknown as WebSocket, 'run-1')).toBe(true);
    let seq = 0;
    const stamp = { runId: 'run-1' };
    const events: TelemetryEvent[] = [];
    for (let i = 0; i < 500; i++) {
      events.push({ ...stamp, seq: seq, t: seq++, type: 'circuit.state', name: 'p', from: 'a', to: 'b' });
      if (i % 25 === 0) events.push({ ...stamp, seq: seq, t: seq++, type: 'invariant.violated', invariant: 'x', detail: `break ${i}` });
    }
    listener!(events);
    socket.bufferedAmount = 0;
    hub.flushAll();
    hub.close();
    const [batch] = sent;
    expect(batch!.events.filter((e) => e.type === 'invariant.violated')).toHaveLength(20);
    expect(batch!.events.length).toBeLessThanOrEqual(50);
    expect(batch!.events.length + batch!.dropped).toBe(events.length);
  });
});

describe('GET /api/patterns/:id', () => {
  it("hands the web app every lab's invariants, as the manifest declares them", async () => {
    const { startTestWorkbench } = await import('../integration/helpers.ts');
    const tw = await startTestWorkbench();
    try {
      for (const { manifest } of registry.list()) {
        const { status, body } = await tw.api<PatternManifest>('GET', `/api/patterns/${manifest.id}`);
        expect(status).toBe(200);
        expect(body.labs.map((l) => [l.id, l.invariants])).toEqual(manifest.labs.map((l) => [l.id, l.invariants]));
      }
    } finally {
      await tw.close();
    }
  });
});
