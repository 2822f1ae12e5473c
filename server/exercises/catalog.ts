/**
 * Exercise content, read from `exercises/<pattern-id>/<nn-slug>/`:
 * `exercise.md` (front matter: title, difficulty, file; body: a story and
 * numbered tasks `## 1. …`), `starter.patch` (the starter as its difference
 * from the pattern's reference file), `checks.ts`, `hints.md` (`## General`,
 * then one section per task) and, only where the solution is not the
 * reference file itself, `solution.ts`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { applyStarterPatch, patchedFileName } from './starter-patch.ts';

export type Difficulty = 'easy' | 'medium' | 'hard';

export interface ExerciseTask {
  number: number;
  title: string;
  /** The task's text, markdown. */
  body: string;
}

export interface ExerciseHints {
  general: string[];
  /** Hints per task number, each a markdown paragraph, revealed one at a time. */
  byTask: Record<number, string[]>;
}

export interface Exercise {
  /** `<pattern-id>.<nn-slug>`, e.g. `circuit-breaker.02-limit-probes`. */
  id: string;
  patternId: string;
  slug: string;
  title: string;
  difficulty: Difficulty;
  /** The pattern's editable file the learner's code replaces. */
  file: string;
  /** The story, markdown, before the first task. */
  intro: string;
  tasks: ExerciseTask[];
  hints: ExerciseHints;
  /** The code the learner starts from: the reference with `starter.patch` applied. */
  starter: string;
  /** The reference file `patterns/<pattern-id>/<file>`, or the exercise's own `solution.ts` if it has one. */
  solution: string;
  /** Absolute folder of the exercise. */
  dir: string;
}

export class ExerciseFormatError extends Error {}

const DIFFICULTIES: Difficulty[] = ['easy', 'medium', 'hard'];

/** Splits `---\nyaml\n---\nbody` into its parts. */
export const splitFrontMatter = (text: string): { data: Record<string, unknown>; body: string } => {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) return { data: {}, body: text };
  const data = parseYaml(match[1]!) as unknown;
  return { data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {}, body: match[2]! };
};

/** Level-2 sections: the text before the first one, then each heading with its body. */
export const sections = (markdown: string): { before: string; sections: Array<{ heading: string; body: string }> } => {
  const parts = markdown.split(/^## +/m);
  return {
    before: parts[0]!.trim(),
    sections: parts.slice(1).map((part) => {
      const newline = part.indexOf('\n');
      return {
        heading: (newline < 0 ? part : part.slice(0, newline)).trim(),
        body: newline < 0 ? '' : part.slice(newline + 1).trim(),
      };
    }),
  };
};

const TASK_HEADING = /^(\d+)\.\s+(.+)$/;

/** Paragraphs of a hint section: each is one hint. */
const paragraphs = (text: string): string[] =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

/**
 * Reads one exercise. `patternsDir` holds the reference files the starter patch
 * applies to and the solution defaults to.
 */
export const parseExercise = (dir: string, patternId: string, slug: string, patternsDir: string): Exercise => {
  const read = (name: string) => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new ExerciseFormatError(`exercises/${patternId}/${slug}: ${name} is missing`);
    return readFileSync(path, 'utf8');
  };
  const { data, body } = splitFrontMatter(read('exercise.md'));
  const where = `exercises/${patternId}/${slug}/exercise.md`;
  const title = data.title;
  const difficulty = data.difficulty;
  const file = data.file;
  if (typeof title !== 'string' || !title) throw new ExerciseFormatError(`${where}: front matter needs a title`);
  if (!DIFFICULTIES.includes(difficulty as Difficulty)) {
    throw new ExerciseFormatError(`${where}: difficulty must be one of ${DIFFICULTIES.join(', ')}`);
  }
  if (typeof file !== 'string' || !file) throw new ExerciseFormatError(`${where}: front matter needs the file to edit`);

  const parsed = sections(body);
  const tasks = parsed.sections.flatMap((section) => {
    const match = TASK_HEADING.exec(section.heading);
    return match ? [{ number: Number(match[1]), title: match[2]!.trim(), body: section.body }] : [];
  });
  if (tasks.length === 0) throw new ExerciseFormatError(`${where}: no numbered tasks ("## 1. …")`);

  const hintSections = sections(read('hints.md')).sections;
  const hints: ExerciseHints = { general: [], byTask: {} };
  for (const section of hintSections) {
    if (/^general$/i.test(section.heading)) hints.general = paragraphs(section.body);
    const match = TASK_HEADING.exec(section.heading) ?? /^(\d+)\b/.exec(section.heading);
    if (match) hints.byTask[Number(match[1])] = paragraphs(section.body);
  }

  const { starter, solution } = readCode(dir, patternId, slug, file, patternsDir, read);
  return {
    id: `${patternId}.${slug}`,
    patternId,
    slug,
    title,
    difficulty: difficulty as Difficulty,
    file,
    intro: parsed.before,
    tasks,
    hints,
    starter,
    solution,
    dir,
  };
};

/**
 * The solution (the reference file, unless the exercise has its own
 * `solution.ts`) and the starter (`starter.patch` applied to the reference).
 * A patch that no longer applies makes the exercise a problem, never a crash.
 */
const readCode = (
  dir: string,
  patternId: string,
  slug: string,
  file: string,
  patternsDir: string,
  read: (name: string) => string,
): { starter: string; solution: string } => {
  const referenceName = `patterns/${patternId}/${file}`;
  const referencePath = join(patternsDir, patternId, file);
  if (!existsSync(referencePath) || !statSync(referencePath).isFile()) {
    throw new ExerciseFormatError(`exercises/${patternId}/${slug}: the file to edit, ${referenceName}, does not exist`);
  }
  const reference = readFileSync(referencePath, 'utf8');
  const patchText = read('starter.patch');
  const where = `exercises/${patternId}/${slug}/starter.patch`;
  const named = patchedFileName(patchText);
  if (named !== undefined && named !== referenceName && !named.endsWith(`/${referenceName}`)) {
    throw new ExerciseFormatError(`${where}: patches ${named}, but the exercise edits ${referenceName}`);
  }
  const applied = applyStarterPatch(reference, patchText, referenceName);
  if (!applied.ok) {
    throw new ExerciseFormatError(
      `${where} ${applied.reason}; rewrite the starter and regenerate the patch ` +
        `(npm run exercise:starter-patch -- exercises/${patternId}/${slug} <starter file>)`,
    );
  }
  const solution = existsSync(join(dir, 'solution.ts')) ? read('solution.ts') : reference;
  return { starter: applied.starter, solution };
};

/**
 * Every exercise, by pattern, in folder order (`01-…`, `02-…`). A folder that
 * is not a valid exercise (half written, or a starter patch the reference has
 * moved away from) is left out and reported in `problems`, so one broken
 * exercise never stops the workbench. The reference files are read from
 * `patternsDir`, by default the `patterns` folder beside `exercisesDir`.
 */
export const loadExercises = (
  exercisesDir: string,
  patternsDir: string = join(dirname(exercisesDir), 'patterns'),
): { exercises: Exercise[]; problems: string[] } => {
  const problems: string[] = [];
  if (!existsSync(exercisesDir)) return { exercises: [], problems };
  const all: Exercise[] = [];
  const patternIds = readdirSync(exercisesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  for (const patternId of patternIds.sort()) {
    const patternDir = join(exercisesDir, patternId);
    for (const entry of readdirSync(patternDir, { withFileTypes: true }).filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      try {
        all.push(parseExercise(join(patternDir, entry.name), patternId, entry.name, patternsDir));
      } catch (error) {
        if (!(error instanceof ExerciseFormatError)) throw error;
        problems.push(error.message);
      }
    }
  }
  return { exercises: all, problems };
};
