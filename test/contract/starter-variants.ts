/**
 * A pattern's lab running an exercise's starter instead of the reference:
 * the flawed code a learner starts from, as the exercise's `starter.patch`
 * makes it. The pattern folder is copied to a temporary directory (beside
 * a link to the kit), the patch is applied there, and the copy's lab is
 * imported, so nothing in the project changes. Used to show that an invariant catches
 * the flaw the exercise is about.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LabModule } from '../../patterns/kit/index.ts';
import { splitFrontMatter } from '../../server/exercises/catalog.ts';
import { applyStarterPatch } from '../../server/exercises/starter-patch.ts';
import { PATTERNS_DIR } from './lab-harness.ts';

const EXERCISES_DIR = join(PATTERNS_DIR, '..', 'exercises');

export interface StarterVariant {
  module: LabModule;
  /** Removes the temporary copy. */
  dispose(): void;
}

/** The lab module `labModule` of `patternId`, with exercise `slug`'s starter in place of its file. */
export const loadStarterVariant = async (patternId: string, slug: string, labModule: string): Promise<StarterVariant> => {
  const exerciseDir = join(EXERCISES_DIR, patternId, slug);
  const file = splitFrontMatter(readFileSync(join(exerciseDir, 'exercise.md'), 'utf8')).data.file as string;
  const root = mkdtempSync(join(tmpdir(), `starter-${patternId}-`));
  try {
    // The kit is linked, not copied: one kit module, so its classes (DownstreamError, …) are the run's own.
    symlinkSync(join(PATTERNS_DIR, 'kit'), join(root, 'kit'), 'dir');
    cpSync(join(PATTERNS_DIR, patternId), join(root, patternId), { recursive: true });
    const target = join(root, patternId, file);
    const applied = applyStarterPatch(readFileSync(target, 'utf8'), readFileSync(join(exerciseDir, 'starter.patch'), 'utf8'), `patterns/${patternId}/${file}`);
    if (!applied.ok) throw new Error(`exercises/${patternId}/${slug}/starter.patch ${applied.reason}`);
    writeFileSync(target, applied.starter);
    const module = (await import(pathToFileURL(join(root, patternId, labModule)).href)) as LabModule;
    return { module, dispose: () => rmSync(root, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
};
