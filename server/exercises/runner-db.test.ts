/** Exercise checks get a database of their own (in memory, on the check's virtual clock), in the sandbox. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { PatternRegistry } from '../patterns/registry.ts';
import type { Exercise } from './catalog.ts';
import { ExerciseRunner } from './runner.ts';

const rootDir = join(import.meta.dirname, '..', '..');
const registry = {
  get: () => ({ dir: join(rootDir, 'server', 'runs', '__fixtures__') }),
  patternsDir: join(rootDir, 'patterns'),
} as unknown as PatternRegistry;

const exercise = {
  id: 'fixtures.01-db',
  patternId: 'fixtures',
  file: 'db-limit.ts',
  dir: join(import.meta.dirname, '__fixtures__', 'db-checks'),
} as Exercise;

it('runs checks that use ctx.db, each on a fresh database', async () => {
  const runner = new ExerciseRunner({ rootDir, registry, watchdogMs: 5_000 });
  const passing = await runner.check(exercise, 'export const LIMIT = 10;\n');
  expect(passing).toMatchObject({ status: 'pass', tests: [{ status: 'pass' }, { status: 'pass' }] });
  const failing = await runner.check(exercise, 'export const LIMIT = 2;\n');
  expect(failing.tests[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('rows written') });
});
