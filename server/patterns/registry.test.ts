/**
 * The registry's checks at load: a pattern's telemetry declaration (its own
 * types, each with a delivery, none of the kit's), every event type its views
 * and tour name being declared, and `delivery()`, which the live hub asks.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabManifest, PatternManifest, TelemetryDelivery, Tour, ViewSpec } from '../../patterns/kit/index.ts';
import { logsView, metricsCharts, requestLogView } from '../../patterns/kit/index.ts';
import { checkDeclaredEvents, checkGuide, checkTelemetry, checkViews, eventTypesOfView, PatternRegistry } from './registry.ts';

const PATTERNS_DIR = join(import.meta.dirname, '..', '..', 'patterns');

const lab = (views: ViewSpec[]): LabManifest => ({
  id: 'y',
  title: 'Lab y',
  summary: 's',
  module: 'lab.ts',
  faultPoints: [],
  params: [],
  views,
  guide: { watch: 'Watch the request log.', tryFirst: { label: 'Send more', load: { model: 'open', rate: 2 } } },
  defaultLoad: { model: 'open', rate: 1 },
  invariants: [{ id: 'holds', description: 'It holds.' }],
});

const pattern = (telemetry: TelemetryDelivery, views: ViewSpec[] = [requestLogView()]): PatternManifest => ({
  id: 'x',
  title: 'X',
  category: 'resilience',
  summary: 's',
  editableFiles: [],
  telemetry,
  labs: [lab(views)],
});

const stateMachine = (event: string): ViewSpec => ({
  kind: 'state-machine',
  title: 'Circuit',
  event,
  initial: 'closed',
  states: [{ id: 'closed', label: 'Closed', tone: 'ok', at: [0, 0] }],
  transitions: [],
});

describe('checkTelemetry', () => {
  it('accepts a pattern with its own types, or none', () => {
    expect(() => checkTelemetry('x', pattern({ 'circuit.state': 'always', 'retry.attempt': 'droppable' }))).not.toThrow();
    expect(() => checkTelemetry('x', pattern({}))).not.toThrow();
  });

  it('asks for the declaration when the manifest has none', () => {
    const { telemetry: _, ...without } = pattern({});
    expect(() => checkTelemetry('x', without as PatternManifest)).toThrow(
      "patterns/x/pattern.ts: declare the pattern's own event types (`telemetry`, exported by patterns/x/telemetry.ts; `{}` when it has none)",
    );
  });

  it("refuses a type that is one of the kit's core types", () => {
    expect(() => checkTelemetry('x', pattern({ request: 'always' }))).toThrow(
      "patterns/x/telemetry.ts: 'request' is one of the kit's core event types (patterns/kit/telemetry.ts, delivered 'droppable'); a pattern declares only its own",
    );
  });

  it('refuses a type without a valid delivery', () => {
    const telemetry = { 'circuit.state': 'sometimes' } as unknown as TelemetryDelivery;
    expect(() => checkTelemetry('x', pattern(telemetry))).toThrow(
      `patterns/x/telemetry.ts: event 'circuit.state' needs a delivery, 'always' or 'droppable' (it has "sometimes")`,
    );
  });
});

describe('eventTypesOfView', () => {
  it('finds the types each kind of view names, at any depth', () => {
    expect(eventTypesOfView(stateMachine('circuit.state'))).toEqual(['circuit.state']);
    expect(eventTypesOfView(requestLogView())).toEqual(['request', 'request']);
    expect(eventTypesOfView(logsView())).toEqual(['log']);
    expect(eventTypesOfView(metricsCharts())).toEqual([]);
    expect(
      eventTypesOfView({
        kind: 'attempts',
        title: 'Attempts',
        wait: { event: 'retry.attempt', requestField: 'requestId', delayField: 'delayMs' },
        giveUp: { event: 'retry.giveup', requestField: 'requestId' },
        summary: { event: 'retry.summary', title: 'Herds', fields: [] },
      }),
    ).toEqual(['retry.attempt', 'retry.giveup', 'retry.summary']);
    expect(
      eventTypesOfView({
        kind: 'flow',
        title: 'Flow',
        stages: [
          { label: 'Events', event: 'event.published', nodeField: 'name' },
          { label: 'Handlers', event: 'event.handled', nodeField: 'handler', counts: [{ event: 'event.deadletter', nodeField: 'handler', label: 'dead letters' }] },
        ],
      }),
    ).toEqual(['event.published', 'event.handled', 'event.deadletter']);
    expect(
      eventTypesOfView({ kind: 'charts', title: 'Rates', metrics: [], rates: [{ event: 'sql', label: 'statements/s' }] }),
    ).toEqual(['sql']);
  });

  it("skips `where` filters: their keys are an event's fields, whatever they are called", () => {
    expect(eventTypesOfView({ ...logsView(), where: { event: 'user.created' } })).toEqual(['log']);
  });
});

describe('checkDeclaredEvents', () => {
  it('accepts core types and the pattern’s own', () => {
    expect(() => checkDeclaredEvents('x', pattern({ 'circuit.state': 'always' }, [stateMachine('circuit.state'), requestLogView()]))).not.toThrow();
  });

  it('names the file, the lab and the view of an undeclared type', () => {
    expect(() => checkDeclaredEvents('x', pattern({ 'circuit.state': 'always' }, [stateMachine('circuit.stat')]))).toThrow(
      "patterns/x/pattern.ts, lab 'y', view 'Circuit': event 'circuit.stat' is not declared in patterns/x/telemetry.ts or the kit's core types",
    );
  });

  it("refuses another pattern's type: a pattern declares what it uses", () => {
    expect(() => checkDeclaredEvents('x', pattern({}, [stateMachine('circuit.state')]))).toThrow(/event 'circuit.state' is not declared in patterns\/x\/telemetry.ts/);
  });

  it('names the tour step of an undeclared type', () => {
    const tour: Tour = {
      lab: 'y',
      title: 'T',
      intro: 'i',
      steps: [
        { title: 'Break it', instruction: 'i', explanation: 'e', until: [{ type: 'request' }] },
        // A typo, as a tour written against an older kit might have.
        { title: 'See it open', instruction: 'i', explanation: 'e', until: [{ type: 'circuit.opened' as 'request' }] },
      ],
    };
    expect(() => checkDeclaredEvents('x', pattern({ 'circuit.state': 'always' }), tour)).toThrow(
      "patterns/x/tour.ts, step 'See it open': event 'circuit.opened' is not declared in patterns/x/telemetry.ts or the kit's core types",
    );
  });
});

const shipped = await PatternRegistry.load(PATTERNS_DIR);

describe('checkViews', () => {
  const dir = mkdtempSync(join(tmpdir(), 'views-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'heatmap.view.tsx'), 'export default () => null;\n');

  it('passes the generic views, and a custom one whose file is in the folder', () => {
    expect(() => checkViews('x', dir, pattern({}, [requestLogView(), metricsCharts(), { kind: 'custom', title: 'Heat', component: 'heatmap.view.tsx' }]))).not.toThrow();
  });

  it('names the lab and what is wrong: an unknown kind, no title, no views, a missing custom file', () => {
    expect(() => checkViews('x', dir, pattern({}, [{ kind: 'circuit', title: 'Circuit' } as unknown as ViewSpec]))).toThrow(
      /patterns\/x\/pattern.ts, lab 'y': view kind "circuit" is not one of state-machine, attempts/,
    );
    expect(() => checkViews('x', dir, pattern({}, [{ ...metricsCharts(), title: ' ' }]))).toThrow(/a charts view needs a title/);
    expect(() => checkViews('x', dir, pattern({}, []))).toThrow(/list the views the lab draws/);
    expect(() => checkViews('x', dir, pattern({}, [{ kind: 'custom', title: 'Heat', component: 'other.view.tsx' }]))).toThrow(
      /view 'Heat': its component must be a file like 'heatmap.view.tsx' in patterns\/x\/ \(found no other.view.tsx\)/,
    );
    expect(() => checkViews('x', dir, pattern({}, [{ kind: 'custom', title: 'Heat', component: '../heatmap.view.tsx' }]))).toThrow(/its component must be/);
  });
});

describe('checkGuide', () => {
  const withGuide = (guide: unknown): LabManifest => ({
    ...lab([requestLogView()]),
    faultPoints: [{ id: 'payments', kind: 'http', title: 'Payments', description: 'd' }],
    params: [{ id: 'resetTimeoutMs', type: 'integer', label: 'Reset timeout', default: 5000, min: 1000, max: 60_000, unit: 'ms' }],
    guide: guide as LabManifest['guide'],
  });
  const watch = 'Watch the **Circuit** view.';

  it('accepts a first action that is a preset at a fault point, params the lab accepts, or a load', () => {
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'Fail payments', fault: { point: 'payments', preset: 'fail' } } }))).not.toThrow();
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'Reset sooner', params: { resetTimeoutMs: 1000 } } }))).not.toThrow();
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'More', load: { model: 'open', rate: 50 } } }))).not.toThrow();
  });

  it('names the lab and what is wrong', () => {
    const where = "patterns/x/pattern.ts, lab 'y'";
    expect(() => checkGuide('x', withGuide(undefined))).toThrow(`${where}: say what to watch once a run starts`);
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { fault: { point: 'payments', preset: 'fail' } } }))).toThrow(`${where}: guide.tryFirst needs a label`);
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'l', fault: { point: 'inventory', preset: 'fail' } } }))).toThrow(
      `${where}: guide.tryFirst names fault point 'inventory', which the lab does not have`,
    );
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'l', fault: { point: 'payments', preset: 'boom' } } }))).toThrow('is not one of outage, flapping, slow, fail');
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'l', params: { resetTimeoutMs: 10 } } }))).toThrow('Reset timeout must be from 1000 to 60000 ms');
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'l', params: { nope: 1 } } }))).toThrow("guide.tryFirst params must be some of the lab's params");
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'l', params: {} } }))).toThrow("guide.tryFirst params must be some of the lab's params");
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'l', load: { model: 'open', rate: -1 } } }))).toThrow('guide.tryFirst load is not a load profile');
    expect(() => checkGuide('x', withGuide({ watch, tryFirst: { label: 'l' } }))).toThrow('guide.tryFirst must apply a fault preset');
  });
});

describe('PatternRegistry', () => {
  it('loads the shipped patterns: each declares its telemetry', () => {
    expect(shipped.list().length).toBeGreaterThan(0);
    for (const { manifest } of shipped.list()) expect(typeof manifest.telemetry).toBe('object');
  });

  it("answers delivery from the kit for core types and from the pattern for its own; anything else is droppable", () => {
    expect(shipped.delivery('circuit-breaker', 'request')).toBe('droppable');
    expect(shipped.delivery('circuit-breaker', 'metrics')).toBe('always');
    expect(shipped.delivery('circuit-breaker', 'invariant.violated')).toBe('always');
    expect(shipped.delivery('circuit-breaker', 'circuit.state')).toBe('always');
    expect(shipped.delivery('retry-backoff', 'retry.attempt')).toBe('droppable');
    expect(shipped.delivery('retry-backoff', 'retry.giveup')).toBe('always');
    expect(shipped.delivery('event-bus', 'event.published')).toBe('always');
    // Another pattern's type, an unknown one, one that only looks like a key of any object, an unknown pattern.
    expect(shipped.delivery('circuit-breaker', 'event.published')).toBe('droppable');
    expect(shipped.delivery('circuit-breaker', 'circuit.stat')).toBe('droppable');
    expect(shipped.delivery('circuit-breaker', 'constructor')).toBe('droppable');
    expect(shipped.delivery('no-such-pattern', 'log')).toBe('droppable');
    expect(shipped.delivery('no-such-pattern', 'run.stopped')).toBe('always');
  });

  describe('load', () => {
    const dirs: string[] = [];
    afterAll(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    /** A patterns folder holding one pattern `x`, whose manifest is `manifest` as plain data. */
    const patternsWith = (manifest: PatternManifest): string => {
      const dir = mkdtempSync(join(tmpdir(), 'registry-'));
      dirs.push(dir);
      mkdirSync(join(dir, 'x'));
      writeFileSync(join(dir, 'x', 'pattern.ts'), `export const pattern = ${JSON.stringify(manifest)};\n`);
      return dir;
    };

    it('fails at start on a view naming an undeclared type, naming the file to fix', async () => {
      await expect(PatternRegistry.load(patternsWith(pattern({ 'circuit.state': 'always' }, [stateMachine('circuit.stat')])))).rejects.toThrow(
        "patterns/x/pattern.ts, lab 'y', view 'Circuit': event 'circuit.stat' is not declared in patterns/x/telemetry.ts or the kit's core types",
      );
    });

    it('fails at start on a pattern redeclaring a core type', async () => {
      await expect(PatternRegistry.load(patternsWith(pattern({ log: 'always' })))).rejects.toThrow(/^patterns\/x\/telemetry.ts: 'log' is one of the kit's core event types/);
    });

    it('loads a pattern whose telemetry is in order', async () => {
      const registry = await PatternRegistry.load(patternsWith(pattern({ 'circuit.state': 'always' }, [stateMachine('circuit.state')])));
      expect(registry.delivery('x', 'circuit.state')).toBe('always');
    });
  });
});
