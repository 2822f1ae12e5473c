/**
 * Learner-facing words. Lessons (patterns/<id>/README.md), tours
 * (patterns/<id>/tour.ts, as the learner reads them), the comments of the
 * pattern's code (read in the editor) and exercises
 * (exercise.md, hints.md and the messages in checks.ts) never call the Python
 * code they critique "the seed": that is this project's name for the document
 * it started from, meaningless to a learner. They show the snippet and call it
 * the widely copied Python version.
 *
 * The rule: "the seed" (or "the seed's"), unless it is followed by "value",
 * "number" or "of the run", and "seed document / seed's Python / seed
 * version / seed code". A random seed ("the same seed", "a seeded run",
 * `SeededRandom`, "the seed value") is a different meaning and stays.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/app.ts';

const SEED_AS_SOURCE = [
  /\bthe seed(?:'s|\u2019s)?\b(?!\s+(?:value|number|of the run)\b)/i,
  /\bseed(?:'s|\u2019s)?\s+(?:document|python|version|code)\b/i,
];

/** The lines of `text` that call the Python code "the seed", as `line N: …`. */
export const seedWordings = (text: string): string[] =>
  text.split('\n').flatMap((line, i) => (SEED_AS_SOURCE.some((rule) => rule.test(line)) ? [`line ${i + 1}: ${line.trim()}`] : []));

/** Every string in a value (a tour object), joined one a line. */
const strings = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(strings)
      : typeof value === 'object' && value !== null
        ? Object.values(value).flatMap(strings)
        : [];

const dirs = (path: string) =>
  readdirSync(path, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

const patternsDir = join(ROOT_DIR, 'patterns');
const exercisesDir = join(ROOT_DIR, 'exercises');
const patternIds = dirs(patternsDir).filter((id) => id !== 'kit');

/** [where, text] for every learner-facing text. */
const texts = async (): Promise<Array<[string, string]>> => {
  const found: Array<[string, string]> = [];
  for (const id of patternIds) {
    const readme = join(patternsDir, id, 'README.md');
    if (existsSync(readme)) found.push([relative(ROOT_DIR, readme), readFileSync(readme, 'utf8')]);
    // The pattern's code: learners read its comments in the editor.
    for (const name of readdirSync(join(patternsDir, id)).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts') && n !== 'tour.ts')) {
      const file = join(patternsDir, id, name);
      found.push([relative(ROOT_DIR, file), readFileSync(file, 'utf8')]);
    }
    const tourFile = join(patternsDir, id, 'tour.ts');
    if (existsSync(tourFile)) {
      const { tour } = (await import(pathToFileURL(tourFile).href)) as { tour?: unknown };
      found.push([relative(ROOT_DIR, tourFile), strings(tour).join('\n')]);
    }
  }
  for (const id of existsSync(exercisesDir) ? dirs(exercisesDir) : []) {
    for (const slug of dirs(join(exercisesDir, id))) {
      for (const name of ['exercise.md', 'hints.md', 'checks.ts']) {
        const file = join(exercisesDir, id, slug, name);
        if (existsSync(file)) found.push([relative(ROOT_DIR, file), readFileSync(file, 'utf8')]);
      }
    }
  }
  return found;
};

describe('learner-facing words', () => {
  it('never call the Python version "the seed" in a lesson, a tour or an exercise', async () => {
    const all = await texts();
    expect(all.filter(([where]) => where.endsWith('README.md')).length).toBeGreaterThanOrEqual(4);
    expect(all.filter(([where]) => where.endsWith('tour.ts')).length).toBeGreaterThanOrEqual(4);
    expect(all.filter(([where]) => where.endsWith('exercise.md')).length).toBeGreaterThanOrEqual(12);
    const offending = all.flatMap(([where, text]) => seedWordings(text).map((hit) => `${where} ${hit}`));
    expect(offending, 'say "the widely copied Python version" instead').toEqual([]);
  });

  it('flags the document sense and leaves the random-seed sense alone', () => {
    for (const text of [
      "## The seed's Python version, and where it goes wrong",
      'The seed shows the retry decorator most tutorials show.',
      'In the seed the limiter wraps the logger.',
      'the way the seed\u2019s per-minute counters can be gamed',
      'That is better than the seed, whose bus has no retries',
      'as the seed document does',
    ]) {
      expect(seedWordings(text), text).toHaveLength(1);
    }
    for (const text of [
      'a run with the same seed gets the same waits',
      'a seeded run (and these checks) gets the same waits every time',
      'draws from an injected, seeded `Random`',
      'new SeededRandom(7)',
      'reproducibly for a given seed',
      'the seed value is stored with the run',
      'replay it with the seed of the run',
      'two runs seeded alike should draw the same waits',
    ]) {
      expect(seedWordings(text), text).toEqual([]);
    }
  });
});
