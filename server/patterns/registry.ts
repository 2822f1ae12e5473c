/**
 * The catalog of patterns: every folder under `patterns/` with a
 * `pattern.ts` manifest (the kit is not a pattern). Manifests are plain data,
 * so loading them runs no pattern code. Loading checks them, so a mistake in
 * one (an undeclared invariant, an event type a view names but nobody
 * declares) stops the workbench at start with the file to fix, not a view
 * that silently stays empty.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Delivery, FaultPreset, LabGuide, LabManifest, PatternManifest, Tour, ViewSpec, WorkbenchFacility } from '../../patterns/kit/index.ts';
import { CORE_TELEMETRY, isCoreTelemetryType, VIEW_KINDS } from '../../patterns/kit/index.ts';
import { describeZodError } from '../http/errors.ts';
import { loadProfileSchema, paramsSchema } from '../http/schemas.ts';

export interface PatternEntry {
  manifest: PatternManifest;
  /** The guided tour, from the pattern's optional `tour.ts`. */
  tour?: Tour;
  /** Absolute path of the pattern's folder. */
  dir: string;
}

const INVARIANT_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * A lab declares the invariants it watches: at least one, each with a
 * kebab-case id unique in the lab and a sentence to show the learner.
 */
export const checkInvariants = (patternId: string, lab: LabManifest): void => {
  const where = `patterns/${patternId}/pattern.ts, lab '${lab.id}'`;
  const invariants: unknown = (lab as { invariants?: unknown }).invariants;
  if (!Array.isArray(invariants) || invariants.length === 0) {
    throw new Error(`${where}: declare the invariants the lab watches (\`invariants: [{ id, description }]\`, at least one)`);
  }
  const seen = new Set<string>();
  for (const invariant of invariants as Array<{ id?: unknown; description?: unknown }>) {
    const { id, description } = invariant ?? {};
    if (typeof id !== 'string' || !INVARIANT_ID.test(id)) {
      throw new Error(`${where}: invariant id ${JSON.stringify(id)} must be kebab-case (like 'open-circuit-blocks-calls')`);
    }
    if (seen.has(id)) throw new Error(`${where}: invariant '${id}' is declared twice`);
    seen.add(id);
    if (typeof description !== 'string' || description.trim() === '') {
      throw new Error(`${where}: invariant '${id}' needs a description (one sentence the learner reads)`);
    }
  }
};

const FAULT_PRESETS: readonly FaultPreset[] = ['outage', 'flapping', 'slow', 'fail'];

/**
 * A lab says where to look and what to try first (its `guide`): a line to
 * read, and a first action the Lab tab can apply, at a fault point the lab
 * has or with parameters it declares and accepts.
 */
export const checkGuide = (patternId: string, lab: LabManifest): void => {
  const where = `patterns/${patternId}/pattern.ts, lab '${lab.id}'`;
  const guide: unknown = (lab as { guide?: unknown }).guide;
  const { watch, tryFirst } = (guide ?? {}) as Partial<LabGuide>;
  if (typeof watch !== 'string' || watch.trim() === '') {
    throw new Error(`${where}: say what to watch once a run starts (\`guide: { watch, tryFirst }\`, watch: one line naming the main view)`);
  }
  if (typeof tryFirst?.label !== 'string' || tryFirst.label.trim() === '') {
    throw new Error(`${where}: guide.tryFirst needs a label that says what it does ("Fail every call to payments")`);
  }
  if ('fault' in tryFirst) {
    const { point, preset } = tryFirst.fault;
    if (!lab.faultPoints.some((p) => p.id === point)) throw new Error(`${where}: guide.tryFirst names fault point '${point}', which the lab does not have`);
    if (!FAULT_PRESETS.includes(preset)) throw new Error(`${where}: guide.tryFirst preset ${JSON.stringify(preset)} is not one of ${FAULT_PRESETS.join(', ')}`);
  } else if ('params' in tryFirst) {
    const parsed = paramsSchema(lab.params).safeParse(tryFirst.params);
    if (!parsed.success || Object.keys(tryFirst.params).length === 0) {
      throw new Error(`${where}: guide.tryFirst params must be some of the lab's params, each with a value it accepts${parsed.success ? '' : ` (${describeZodError(parsed.error)})`}`);
    }
  } else if ('load' in tryFirst) {
    const parsed = loadProfileSchema.safeParse(tryFirst.load);
    if (!parsed.success) throw new Error(`${where}: guide.tryFirst load is not a load profile (${describeZodError(parsed.error)})`);
  } else {
    throw new Error(`${where}: guide.tryFirst must apply a fault preset (\`fault: { point, preset }\`), parameters (\`params\`) or a load (\`load\`)`);
  }
};

const DELIVERIES: readonly Delivery[] = ['always', 'droppable'];

/**
 * A pattern declares its own event types, each with a delivery, and none of
 * the kit's core types: redeclaring `request` would let a pattern change how
 * every lab's requests reach a browser, and its meaning would depend on which
 * pattern you read.
 */
export const checkTelemetry = (patternId: string, manifest: PatternManifest): void => {
  const file = `patterns/${patternId}/telemetry.ts`;
  const telemetry: unknown = (manifest as { telemetry?: unknown }).telemetry;
  if (typeof telemetry !== 'object' || telemetry === null || Array.isArray(telemetry)) {
    throw new Error(
      `patterns/${patternId}/pattern.ts: declare the pattern's own event types (\`telemetry\`, exported by ${file}; \`{}\` when it has none)`,
    );
  }
  for (const [type, delivery] of Object.entries(telemetry)) {
    if (isCoreTelemetryType(type)) {
      throw new Error(
        `${file}: '${type}' is one of the kit's core event types (patterns/kit/telemetry.ts, delivered '${CORE_TELEMETRY[type]}'); a pattern declares only its own`,
      );
    }
    if (!DELIVERIES.includes(delivery as Delivery)) {
      throw new Error(`${file}: event '${type}' needs a delivery, 'always' or 'droppable' (it has ${JSON.stringify(delivery)})`);
    }
  }
};

/**
 * The event types a view spec names. By the kit's convention (patterns/kit/views)
 * a spec names an event type in a field called `event` (a string) or
 * `events` (strings), at any depth: `event`, `events`, `wait.event`,
 * `giveUp.event`, `summary.event`, `stages[].event`, `stages[].counts[].event`,
 * `rates[].event`, `relatedCounts[].event`. Walking the spec for them keeps
 * this check right as view kinds are added. `where` filters are skipped: their
 * keys are an event's fields, and one could be called `event`.
 */
export const eventTypesOfView = (view: ViewSpec): string[] => {
  const types: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, field] of Object.entries(value)) {
      if (key === 'where') continue;
      if (key === 'event' && typeof field === 'string') types.push(field);
      else if (key === 'events' && Array.isArray(field)) types.push(...field.filter((type): type is string => typeof type === 'string'));
      else walk(field);
    }
  };
  walk(view);
  return types;
};

/**
 * Every event type the pattern's views and tour name is declared, by the kit
 * or the pattern: a typo (`circuit.stat`) would otherwise leave a view empty,
 * or a tour step that can never be ticked, with nothing to say why.
 */
export const checkDeclaredEvents = (patternId: string, manifest: PatternManifest, tour?: Tour): void => {
  const undeclared = (type: string) => !isCoreTelemetryType(type) && !Object.hasOwn(manifest.telemetry, type);
  const notDeclared = (type: string) => `event '${type}' is not declared in patterns/${patternId}/telemetry.ts or the kit's core types`;
  for (const lab of manifest.labs) {
    for (const view of lab.views) {
      const type = eventTypesOfView(view).find(undeclared);
      if (type !== undefined) throw new Error(`patterns/${patternId}/pattern.ts, lab '${lab.id}', view '${view.title}': ${notDeclared(type)}`);
    }
  }
  for (const step of tour?.steps ?? []) {
    const matcher = step.until.find((m) => undeclared(m.type));
    if (matcher) throw new Error(`patterns/${patternId}/tour.ts, step '${step.title}': ${notDeclared(matcher.type)}`);
  }
};

/**
 * Each view of each lab is a kind the web workbench draws, with a title; a
 * `custom` view names a `*.view.tsx` file that is in the pattern's folder.
 */
export const checkViews = (patternId: string, dir: string, manifest: PatternManifest): void => {
  for (const lab of manifest.labs) {
    const where = `patterns/${patternId}/pattern.ts, lab '${lab.id}'`;
    if (!Array.isArray(lab.views) || lab.views.length === 0) throw new Error(`${where}: list the views the lab draws (\`views: [...]\`, see patterns/kit/views/)`);
    for (const view of lab.views) {
      const kind: unknown = (view as { kind?: unknown }).kind;
      if (!(VIEW_KINDS as readonly unknown[]).includes(kind)) {
        throw new Error(`${where}: view kind ${JSON.stringify(kind)} is not one of ${VIEW_KINDS.join(', ')}`);
      }
      if (typeof view.title !== 'string' || view.title.trim() === '') throw new Error(`${where}: a ${view.kind} view needs a title`);
      if (view.kind === 'custom' && (!/^[\w-]+\.view\.tsx$/.test(view.component) || !existsSync(join(dir, view.component)))) {
        throw new Error(`${where}, view '${view.title}': its component must be a file like 'heatmap.view.tsx' in patterns/${patternId}/ (found no ${view.component})`);
      }
    }
  }
};

/** What a workbench was started with, that some lab options need. */
export type Facilities = Partial<Record<WorkbenchFacility, boolean>>;

/** How to get what an option needs, for the learner who lacks it. */
const HOW_TO_GET: Record<WorkbenchFacility, string> = {
  redis: 'needs Redis: start the workbench with --redis redis://127.0.0.1:6379 (or set WORKBENCH_REDIS) to choose it',
};

/** A copy of `manifest` whose options that need what this workbench lacks say so (the module's own stays as it is). */
const withFacilities = (manifest: PatternManifest, facilities: Facilities): PatternManifest => {
  for (const lab of manifest.labs) {
    for (const param of lab.params) {
      const needs = param.type === 'enum' ? param.options.find((o) => o.value === param.default)?.needs : undefined;
      // `npm start` with nothing else must run every lab as declared.
      if (needs) throw new Error(`patterns/${manifest.id}, lab '${lab.id}': param '${param.id}' defaults to an option that needs ${needs}; default to one that needs nothing`);
    }
  }
  return annotated(manifest, facilities);
};

const annotated = (manifest: PatternManifest, facilities: Facilities): PatternManifest => ({
  ...manifest,
  labs: manifest.labs.map((lab) => ({
    ...lab,
    params: lab.params.map((param) =>
      param.type !== 'enum'
        ? param
        : {
            ...param,
            options: param.options.map(({ unavailable: _, ...option }) =>
              option.needs !== undefined && !facilities[option.needs] ? { ...option, unavailable: HOW_TO_GET[option.needs] } : option,
            ),
          },
    ),
  })),
});

export class PatternRegistry {
  private constructor(
    readonly patternsDir: string,
    private readonly entries: Map<string, PatternEntry>,
  ) {}

  /**
   * Loads every pattern under `patternsDir`. `facilities`: what this workbench was started
   * with; a param option that needs one it lacks is served marked `unavailable`, saying how to
   * get it (the web app shows it greyed, and the API refuses it).
   */
  static async load(patternsDir: string, facilities: Facilities = {}): Promise<PatternRegistry> {
    const entries = new Map<string, PatternEntry>();
    const ids = readdirSync(patternsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(patternsDir, d.name, 'pattern.ts')))
      .map((d) => d.name)
      .sort();
    for (const id of ids) {
      const dir = join(patternsDir, id);
      const module = (await import(pathToFileURL(join(dir, 'pattern.ts')).href)) as { pattern?: PatternManifest };
      if (!module.pattern || module.pattern.id !== id) {
        throw new Error(`patterns/${id}/pattern.ts must export \`pattern\` with id '${id}'`);
      }
      const manifest = withFacilities(module.pattern, facilities);
      for (const lab of manifest.labs) {
        checkInvariants(id, lab);
        checkGuide(id, lab);
      }
      checkTelemetry(id, manifest);
      checkViews(id, dir, manifest);
      const tourFile = join(dir, 'tour.ts');
      const tour = existsSync(tourFile)
        ? ((await import(pathToFileURL(tourFile).href)) as { tour?: Tour }).tour
        : undefined;
      if (tour && !manifest.labs.some((lab) => lab.id === tour.lab)) {
        throw new Error(`patterns/${id}/tour.ts names lab '${tour.lab}', which the pattern does not have`);
      }
      checkDeclaredEvents(id, manifest, tour);
      entries.set(id, { manifest, dir, ...(tour && { tour }) });
    }
    return new PatternRegistry(patternsDir, entries);
  }

  list(): PatternEntry[] {
    return [...this.entries.values()];
  }

  get(id: string): PatternEntry | undefined {
    return this.entries.get(id);
  }

  lab(id: string, labId?: string): LabManifest | undefined {
    const labs = this.entries.get(id)?.manifest.labs ?? [];
    return labId === undefined ? labs[0] : labs.find((lab) => lab.id === labId);
  }

  /**
   * How events of `type` in a run of pattern `patternId` reach a browser that
   * falls behind (the live hub asks): the kit's delivery for a core type, the
   * pattern's for its own. A type neither declares is `droppable`: loading and
   * the contract suite keep shipped labs from emitting one, but a lab being
   * written can still send one (through a cast), and a type nobody vouched
   * for must not be able to fill a slow browser's queue; its drops are still
   * counted and shown by type.
   */
  delivery(patternId: string, type: string): Delivery {
    if (isCoreTelemetryType(type)) return CORE_TELEMETRY[type];
    const own = this.entries.get(patternId)?.manifest.telemetry;
    return own && Object.hasOwn(own, type) ? own[type]! : 'droppable';
  }

  isEditable(id: string, file: string): boolean {
    return this.entries.get(id)?.manifest.editableFiles.includes(file) ?? false;
  }

  /** The reference implementation of an editable file, as shipped. */
  readReference(id: string, file: string): string {
    const entry = this.entries.get(id);
    if (!entry || !this.isEditable(id, file)) throw new Error(`${id}/${file} is not an editable file`);
    return readFileSync(join(entry.dir, file), 'utf8');
  }

  readme(id: string): string {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`unknown pattern ${id}`);
    const path = join(entry.dir, 'README.md');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }
}
