/**
 * What every exercise proves about itself, registered as tests in the calling
 * `describe`: it edits an editable file of its pattern, every task has a check
 * and hints, its solution is the pattern's file (unless it has its own
 * solution.ts) and passes every check, and its starter fails at least one.
 * Checks run exactly as a learner's would: compiled with the code in place of
 * the pattern's file, in the sandbox, on virtual time.
 *
 * The exercise suite (content.test.ts) runs it on every exercise of the
 * project; the scaffold test on the exercise of a new pattern written to a
 * temporary folder, with a registry and a runner of that folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import type { Check } from '../../patterns/kit/index.ts';
import type { Exercise } from '../../server/exercises/catalog.ts';
import type { ExerciseRunner } from '../../server/exercises/runner.ts';
import type { PatternRegistry } from '../../server/patterns/registry.ts';

export const exerciseContract = (exercise: Exercise, { registry, runner }: { registry: PatternRegistry; runner: ExerciseRunner }): void => {
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
    const reference = readFileSync(join(registry.patternsDir, exercise.patternId, exercise.file), 'utf8');
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
};
