/**
 * Every exercise proves itself: its solution passes every check, its starter
 * fails at least one, every task has a check, and the hints have a section
 * for every task (exerciseContract, in exercise-contract.ts). Checks run
 * exactly as a learner's would: compiled with the code in place of the
 * pattern's file, in the sandbox, on virtual time.
 * The starter is the exercise's `starter.patch` applied to the pattern's
 * reference file: a reference change the patch no longer applies to fails
 * this suite, naming the exercise and the file.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app.ts';
import { loadExercises, splitFrontMatter } from '../../server/exercises/catalog.ts';
import { ExerciseRunner } from '../../server/exercises/runner.ts';
import { PatternRegistry } from '../../server/patterns/registry.ts';
import { exerciseContract } from './exercise-contract.ts';

const registry = await PatternRegistry.load(join(ROOT_DIR, 'patterns'));
const { exercises, problems } = loadExercises(join(ROOT_DIR, 'exercises'));
const runner = new ExerciseRunner({ rootDir: ROOT_DIR, registry, watchdogMs: 5_000 });

describe.each(exercises.map((e) => [e.id, e] as const))('exercise %s', (_id, exercise) => exerciseContract(exercise, { registry, runner }));

it('every exercise folder is complete and well formed, and every starter patch applies to its reference file', () => {
  expect(problems, problems.join('\n')).toEqual([]);
});

it('reports a starter patch the reference file no longer fits, naming the exercise and the file', () => {
  // A temp copy of a real exercise, and its reference file with a line the patch removes changed.
  const [patternId, slug] = ['retry-backoff', '01-add-jitter'];
  const root = mkdtempSync(join(tmpdir(), 'wb-content-'));
  try {
    const dir = join(root, 'exercises', patternId, slug);
    cpSync(join(ROOT_DIR, 'exercises', patternId, slug), dir, { recursive: true });
    const file = splitFrontMatter(readFileSync(join(dir, 'exercise.md'), 'utf8')).data.file as string;
    const reference = readFileSync(join(ROOT_DIR, 'patterns', patternId, file), 'utf8');
    const removed = parsePatch(readFileSync(join(dir, 'starter.patch'), 'utf8'))[0]!
      .hunks.flatMap((h) => h.lines)
      .find((line) => line.startsWith('-') && line.trim().length > 8)!
      .slice(1);
    expect(reference).toContain(removed);
    mkdirSync(join(root, 'patterns', patternId), { recursive: true });
    writeFileSync(join(root, 'patterns', patternId, file), reference.replace(removed, `${removed} // changed since`));

    const { exercises: loaded, problems: found } = loadExercises(join(root, 'exercises'));
    expect(loaded).toEqual([]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`exercises/${patternId}/${slug}/starter.patch no longer applies to patterns/${patternId}/${file}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

it('gives every pattern exercises, and every exercise a pattern', () => {
  // Both sides discovered from their folders: a new pattern is checked without being listed here.
  const patternIds = registry.list().map(({ manifest }) => manifest.id);
  for (const patternId of patternIds) {
    expect(exercises.filter((e) => e.patternId === patternId).length, `exercises of ${patternId} (exercises/${patternId}/)`).toBeGreaterThan(0);
  }
  expect(exercises.filter((e) => !patternIds.includes(e.patternId)).map((e) => e.id), 'exercises whose folder names no pattern').toEqual([]);
  // A floor, so exercises are not lost unnoticed: the patterns that ship have three each.
  expect(exercises.length).toBeGreaterThanOrEqual(12);
});
