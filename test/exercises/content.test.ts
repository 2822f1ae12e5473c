/**
 * Every exercise proves itself: its solution passes every check, its starter
 * fails at least one, every task has a check, and the hints have a section
 * for every task. Checks run exactly as a learner's would: compiled with the
 * code in place of the pattern's file, in the sandbox, on virtual time.
 * The starter is the exercise's `starter.patch` applied to the pattern's
 * reference file: a reference change the patch no longer applies to fails
 * this suite, naming the exercise and the file.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parsePatch } from 'diff';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../patterns/kit/index.ts';
import { ROOT_DIR } from '../../server/app.ts';
import { loadExercises, splitFrontMatter } from '../../server/exercises/catalog.ts';
import { ExerciseRunner } from '../../server/exercises/runner.ts';
import { PatternRegistry } from '../../server/patterns/registry.ts';

const registry = await PatternRegistry.load(join(ROOT_DIR, 'patterns'));
const { exercises, problems } = loadExercises(join(ROOT_DIR, 'exercises'));
const runner = new ExerciseRunner({ rootDir: ROOT_DIR, registry, watchdogMs: 5_000 });

describe.each(exercises.map((e) => [e.id, e] as const))('exercise %s', (_id, exercise) => {
  it('edits an editable file of its pattern, and its hints cover every task', async () => {
    expect(registry.isEditable(exercise.patternId, exercise.file)).toBe(true);
    const checks = ((await import(pathToFileURL(join(exercise.dir, 'checks.ts')).href)) as { default: Check[] }).default;
    for (const task of exercise.tasks) {
      expect(checks.filter((c) => c.task === task.number).length, `checks for task ${task.number}`).toBeGreaterThan(0);
      expect(exercise.hints.byTask[task.number]?.length ?? 0, `hints for task ${task.number}`).toBeGreaterThan(0);
    }
    expect(checks.every((c) => exercise.tasks.some((t) => t.number === c.task)), 'every check names a task').toBe(true);
    expect(exercise.hints.general.length).toBeGreaterThan(0);
  });

  it('its solution is the reference file, unless it has its own solution.ts', () => {
    const reference = readFileSync(join(ROOT_DIR, 'patterns', exercise.patternId, exercise.file), 'utf8');
    if (!existsSync(join(exercise.dir, 'solution.ts'))) expect(exercise.solution).toBe(reference);
    expect(exercise.starter).not.toBe(exercise.solution);
  });

  it('its solution passes every check', async () => {
    const results = await runner.check(exercise, exercise.solution);
    const failures = results.tests.filter((t) => t.status !== 'pass').map((t) => `${t.name}: ${t.message}`);
    expect({ status: results.status, message: results.message, failures }).toEqual({ status: 'pass', message: undefined, failures: [] });
  });

  it('its starter fails at least one check', async () => {
    const results = await runner.check(exercise, exercise.starter);
    expect(results.status, results.message).toBe('fail');
    expect(results.tests.some((t) => t.status !== 'pass')).toBe(true);
  });
});

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

it('has at least three exercises for each of the first four patterns', () => {
  for (const patternId of ['circuit-breaker', 'retry-backoff', 'event-bus', 'middleware']) {
    expect(exercises.filter((e) => e.patternId === patternId).length, patternId).toBeGreaterThanOrEqual(3);
  }
});
