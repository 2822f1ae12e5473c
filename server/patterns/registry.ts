/**
 * The catalog of patterns: every folder under `patterns/` with a
 * `pattern.ts` manifest (the kit is not a pattern). Manifests are plain data,
 * so loading them runs no pattern code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LabManifest, PatternManifest, Tour } from '../../patterns/kit/index.ts';

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

export class PatternRegistry {
  private constructor(
    readonly patternsDir: string,
    private readonly entries: Map<string, PatternEntry>,
  ) {}

  static async load(patternsDir: string): Promise<PatternRegistry> {
    const entries = new Map<string, PatternEntry>();
    const ids = readdirSync(patternsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(patternsDir, d.name, 'pattern.ts')))
      .map((d) => d.name)
      .sort();
    for (const id of ids) {
      const dir = join(patternsDir, id);
      const module = (await import(pathToFileURL(join(dir, 'pattern.ts')).href)) as { pattern?: PatternManifest };
      const manifest = module.pattern;
      if (!manifest || manifest.id !== id) {
        throw new Error(`patterns/${id}/pattern.ts must export \`pattern\` with id '${id}'`);
      }
      for (const lab of manifest.labs) checkInvariants(id, lab);
      const tourFile = join(dir, 'tour.ts');
      const tour = existsSync(tourFile)
        ? ((await import(pathToFileURL(tourFile).href)) as { tour?: Tour }).tour
        : undefined;
      if (tour && !manifest.labs.some((lab) => lab.id === tour.lab)) {
        throw new Error(`patterns/${id}/tour.ts names lab '${tour.lab}', which the pattern does not have`);
      }
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
