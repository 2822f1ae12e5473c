/**
 * Exercise content, read from `exercises/<pattern-id>/<nn-slug>/`:
 * `exercise.md` (front matter: title, difficulty, file; body: a story and
 * numbered tasks `## 1. …`), `starter.ts`, `solution.ts`, `checks.ts` and
 * `hints.md` (`## General`, then one section per task).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

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
  starter: string;
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

export const parseExercise = (dir: string, patternId: string, slug: string): Exercise => {
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
    starter: read('starter.ts'),
    solution: read('solution.ts'),
    dir,
  };
};

/**
 * Every exercise, by pattern, in folder order (`01-…`, `02-…`). A folder that
 * is not a valid exercise is left out and reported in `problems`, so one
 * half-written exercise never stops the workbench.
 */
export const loadExercises = (exercisesDir: string): { exercises: Exercise[]; problems: string[] } => {
  const problems: string[] = [];
  if (!existsSync(exercisesDir)) return { exercises: [], problems };
  const all: Exercise[] = [];
  const patternIds = readdirSync(exercisesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  for (const patternId of patternIds.sort()) {
    const patternDir = join(exercisesDir, patternId);
    for (const entry of readdirSync(patternDir, { withFileTypes: true }).filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      try {
        all.push(parseExercise(join(patternDir, entry.name), patternId, entry.name));
      } catch (error) {
        if (!(error instanceof ExerciseFormatError)) throw error;
        problems.push(error.message);
      }
    }
  }
  return { exercises: all, problems };
};
