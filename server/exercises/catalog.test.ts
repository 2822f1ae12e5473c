import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadExercises, sections, splitFrontMatter } from './catalog.ts';
import { makeStarterPatch } from './starter-patch.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const writeExercise = (root: string, path: string, files: Record<string, string>) => {
  const dir = join(root, path);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
};

const reference = 'export const x = 2;\n';
const complete = {
  'exercise.md': '---\ntitle: Add jitter\ndifficulty: easy\nfile: backoff.ts\n---\nA story.\n\n## 1. Cap the delay\nText one.\n\n## 2. Add full jitter\nText two.\n',
  'hints.md': '## General\nLook at the delay.\n\n## 1. Cap\nFirst hint.\n\nSecond hint.\n\n## 2. Jitter\nA hint.\n',
  'starter.patch': makeStarterPatch('patterns/retry-backoff/backoff.ts', reference, 'export const x = 1;\n'),
  'checks.ts': 'export default [];\n',
};

/** A project root with `exercises/` and the reference file `patterns/retry-backoff/backoff.ts`. */
const makeRoot = (referenceText = reference) => {
  const root = mkdtempSync(join(tmpdir(), 'wb-ex-'));
  dirs.push(root);
  mkdirSync(join(root, 'patterns', 'retry-backoff'), { recursive: true });
  writeFileSync(join(root, 'patterns', 'retry-backoff', 'backoff.ts'), referenceText);
  return { root, exercises: join(root, 'exercises') };
};

describe('exercise catalog', () => {
  it('reads front matter, the story, numbered tasks and hints paragraph by paragraph', () => {
    const { exercises: root } = makeRoot();
    writeExercise(root, 'retry-backoff/01-add-jitter', complete);
    const { exercises, problems } = loadExercises(root);
    expect(problems).toEqual([]);
    const [exercise] = exercises;
    expect(exercise).toMatchObject({ id: 'retry-backoff.01-add-jitter', title: 'Add jitter', difficulty: 'easy', file: 'backoff.ts', intro: 'A story.' });
    expect(exercise!.tasks.map((t) => [t.number, t.title])).toEqual([
      [1, 'Cap the delay'],
      [2, 'Add full jitter'],
    ]);
    expect(exercise!.hints.general).toEqual(['Look at the delay.']);
    expect(exercise!.hints.byTask[1]).toEqual(['First hint.', 'Second hint.']);
  });

  it('leaves out a half-written exercise and says why, keeping the others', () => {
    const { exercises: root } = makeRoot();
    writeExercise(root, 'retry-backoff/01-add-jitter', complete);
    writeExercise(root, 'retry-backoff/02-unfinished', { 'exercise.md': complete['exercise.md'] });
    writeExercise(root, 'retry-backoff/03-bad-difficulty', { ...complete, 'exercise.md': complete['exercise.md'].replace('easy', 'trivial') });
    const { exercises, problems } = loadExercises(root);
    expect(exercises.map((e) => e.slug)).toEqual(['01-add-jitter']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/02-unfinished: .* is missing/);
    expect(problems[1]).toMatch(/difficulty must be one of/);
  });

  it('takes the solution from the reference file and the starter from the patch, unless the exercise has its own solution', () => {
    const { exercises: root } = makeRoot();
    writeExercise(root, 'retry-backoff/01-add-jitter', complete);
    writeExercise(root, 'retry-backoff/02-own-solution', { ...complete, 'solution.ts': 'export const x = 3;\n' });
    const { exercises, problems } = loadExercises(root);
    expect(problems).toEqual([]);
    expect(exercises.map((e) => [e.slug, e.starter, e.solution])).toEqual([
      ['01-add-jitter', 'export const x = 1;\n', reference],
      ['02-own-solution', 'export const x = 1;\n', 'export const x = 3;\n'],
    ]);
  });

  it('applies a starter patch after the reference grew elsewhere, and leaves out one it no longer applies to', () => {
    const longer = Array.from({ length: 20 }, (_, i) => `export const line${i} = ${i};\n`).join('');
    const starter = longer.replace('line10 = 10', 'line10 = -10');
    const patch = makeStarterPatch('patterns/retry-backoff/backoff.ts', longer, starter);

    const grown = makeRoot(`// a new header comment\n\n${longer}export const more = true;\n`);
    writeExercise(grown.exercises, 'retry-backoff/01-add-jitter', { ...complete, 'starter.patch': patch });
    const applied = loadExercises(grown.exercises);
    expect(applied.problems).toEqual([]);
    expect(applied.exercises[0]!.starter).toBe(`// a new header comment\n\n${starter}export const more = true;\n`);

    const moved = makeRoot(longer.replace('line10 = 10', 'line10 = 100'));
    writeExercise(moved.exercises, 'retry-backoff/01-add-jitter', { ...complete, 'starter.patch': patch });
    writeExercise(moved.exercises, 'retry-backoff/02-other', complete);
    const broken = loadExercises(moved.exercises);
    expect(broken.exercises.map((e) => e.slug)).toEqual([]);
    expect(broken.problems).toHaveLength(2);
    expect(broken.problems[0]).toMatch(
      /^exercises\/retry-backoff\/01-add-jitter\/starter\.patch no longer applies to patterns\/retry-backoff\/backoff\.ts: hunk 1 of 1 \(@@ -8,7 \+8,7 @@\)/,
    );
  });

  it('says which file is wrong when the patch or the file to edit is', () => {
    const { exercises: root } = makeRoot();
    writeExercise(root, 'retry-backoff/01-no-such-file', { ...complete, 'exercise.md': complete['exercise.md'].replace('backoff.ts', 'nope.ts') });
    writeExercise(root, 'retry-backoff/02-other-file', {
      ...complete,
      'starter.patch': makeStarterPatch('patterns/retry-backoff/retry.ts', reference, 'export const x = 1;\n'),
    });
    writeExercise(root, 'retry-backoff/03-not-a-patch', { ...complete, 'starter.patch': 'export const x = 1;\n' });
    const { exercises, problems } = loadExercises(root);
    expect(exercises).toEqual([]);
    expect(problems[0]).toMatch(/01-no-such-file: the file to edit, patterns\/retry-backoff\/nope\.ts, does not exist/);
    expect(problems[1]).toMatch(/02-other-file\/starter\.patch: patches patterns\/retry-backoff\/retry\.ts, but the exercise edits patterns\/retry-backoff\/backoff\.ts/);
    expect(problems[2]).toMatch(/03-not-a-patch\/starter\.patch changes nothing/);
  });

  it('splits front matter and level-2 sections', () => {
    expect(splitFrontMatter('no front matter')).toEqual({ data: {}, body: 'no front matter' });
    expect(sections('intro\n## A\nbody a\n## B\n').sections).toEqual([
      { heading: 'A', body: 'body a' },
      { heading: 'B', body: '' },
    ]);
  });
});
