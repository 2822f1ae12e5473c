import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadExercises, sections, splitFrontMatter } from './catalog.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const writeExercise = (root: string, path: string, files: Record<string, string>) => {
  const dir = join(root, path);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
};

const complete = {
  'exercise.md': '---\ntitle: Add jitter\ndifficulty: easy\nfile: backoff.ts\n---\nA story.\n\n## 1. Cap the delay\nText one.\n\n## 2. Add full jitter\nText two.\n',
  'hints.md': '## General\nLook at the delay.\n\n## 1. Cap\nFirst hint.\n\nSecond hint.\n\n## 2. Jitter\nA hint.\n',
  'starter.ts': 'export const x = 1;\n',
  'solution.ts': 'export const x = 2;\n',
  'checks.ts': 'export default [];\n',
};

describe('exercise catalog', () => {
  it('reads front matter, the story, numbered tasks and hints paragraph by paragraph', () => {
    const root = mkdtempSync(join(tmpdir(), 'wb-ex-'));
    dirs.push(root);
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
    const root = mkdtempSync(join(tmpdir(), 'wb-ex-'));
    dirs.push(root);
    writeExercise(root, 'retry-backoff/01-add-jitter', complete);
    writeExercise(root, 'retry-backoff/02-unfinished', { 'exercise.md': complete['exercise.md'] });
    writeExercise(root, 'retry-backoff/03-bad-difficulty', { ...complete, 'exercise.md': complete['exercise.md'].replace('easy', 'trivial') });
    const { exercises, problems } = loadExercises(root);
    expect(exercises.map((e) => e.slug)).toEqual(['01-add-jitter']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/02-unfinished: .* is missing/);
    expect(problems[1]).toMatch(/difficulty must be one of/);
  });

  it('splits front matter and level-2 sections', () => {
    expect(splitFrontMatter('no front matter')).toEqual({ data: {}, body: 'no front matter' });
    expect(sections('intro\n## A\nbody a\n## B\n').sections).toEqual([
      { heading: 'A', body: 'body a' },
      { heading: 'B', body: '' },
    ]);
  });
});
