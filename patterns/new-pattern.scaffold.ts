/**
 * What `npm run new-pattern -- <id>` does (patterns/new-pattern.ts is its
 * command line): checks the id, title and category, renders the templates in
 * patterns/new-pattern.template/ into a new pattern folder `patterns/<id>/`
 * and its first exercise `exercises/<id>/01-…/`, and writes them.
 *
 * A pattern is one folder: nothing else of the project is touched, because
 * nothing else lists the patterns (the registry, the exercise catalog and the
 * tests discover them). Everything is checked and rendered in memory before
 * the first file is written, so a bad id or title leaves the project as it was.
 *
 * This is an author's tool, not a pattern: it lives beside the patterns it
 * makes, and makes the exercise's starter.patch with the same code as
 * `npm run exercise:starter-patch`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { applyStarterPatch, makeStarterPatch } from '../server/exercises/starter-patch.ts';
import type { PatternManifest } from './kit/index.ts';

export type Category = PatternManifest['category'];

/**
 * The catalog's categories, each with what belongs in it. A Record over the
 * manifest's type, so a category added to the kit fails the type check here
 * until it is described.
 */
export const CATEGORIES: Readonly<Record<Category, string>> = {
  data: 'storing and reading data',
  structure: 'how the code is put together',
  messaging: 'events, commands and jobs between parts of a system',
  resilience: 'staying up while what you call fails',
  operations: 'configuring, running and observing a service',
  api: 'the HTTP surface and what runs around each request',
};

export const DEFAULT_CATEGORY: Category = 'resilience';

/** The scaffold's one exercise: the flaw of its working example. */
export const EXERCISE_SLUG = '01-give-a-failed-calls-slot-back';

/** Where the templates are: beside this file, whatever project the pattern is written into. */
export const TEMPLATE_DIR = join(import.meta.dirname, 'new-pattern.template');

const ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 40;
const MAX_TITLE_LENGTH = 60;

/** A bad id, title, category or project root: the message says what to do, and nothing was written. */
export class NewPatternError extends Error {
  override readonly name = 'NewPatternError';
}

export interface NewPatternOptions {
  /** The project to write into (the one holding `patterns/kit`). */
  root: string;
  id: string;
  /** Default: the id in words, `cache-aside` → `Cache aside`. */
  title?: string;
  /** Default: DEFAULT_CATEGORY. */
  category?: string;
}

export interface PlannedFile {
  /** Relative to the project root, with `/` separators: `patterns/cache-aside/lab.ts`. */
  path: string;
  content: string;
}

export interface PatternPlan {
  root: string;
  id: string;
  title: string;
  category: Category;
  /** `patterns/<id>` and `exercises/<id>`, relative to the root: the only folders written. */
  patternDir: string;
  exercisesDir: string;
  files: PlannedFile[];
}

/** `cache-aside` → `Cache aside`. */
export const titleFromId = (id: string): string => {
  const words = id.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** A TypeScript string literal in the project's style (single quotes). */
const tsString = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const checkId = (root: string, id: string): void => {
  const example = "like 'cache-aside' or 'outbox'";
  if (id === '') throw new NewPatternError(`give the new pattern's id: npm run new-pattern -- <id> (${example})`);
  if (!ID.test(id)) {
    throw new NewPatternError(
      `'${id}' is not a pattern id: use lower-case words of letters and digits joined by single dashes, starting with a letter (${example})`,
    );
  }
  if (id.length > MAX_ID_LENGTH) throw new NewPatternError(`'${id}' is ${id.length} characters long: a pattern id has at most ${MAX_ID_LENGTH}`);
  if (id === 'kit') throw new NewPatternError("'kit' is the folder of the kit every pattern imports, not a pattern: choose another id");
  for (const folder of ['patterns', 'exercises']) {
    if (existsSync(join(root, folder, id))) {
      throw new NewPatternError(`${folder}/${id} already exists: choose another id (or edit that pattern, if it is the one you mean)`);
    }
  }
};

const checkTitle = (title: string): string => {
  const trimmed = title.trim();
  if (trimmed === '') throw new NewPatternError('the title is empty: give the pattern\'s name as the catalog shows it (--title "Cache aside")');
  if (trimmed.length > MAX_TITLE_LENGTH) {
    throw new NewPatternError(`the title is ${trimmed.length} characters long: the catalog shows at most ${MAX_TITLE_LENGTH}`);
  }
  // The title lands in code comments, string literals and a markdown heading: one plain line.
  if (/[\u0000-\u001f\u007f`]|\*\//.test(trimmed)) {
    throw new NewPatternError(`the title ${JSON.stringify(trimmed)} has a line break, a control character, a backtick or '*/': write it as one plain line`);
  }
  return trimmed;
};

const checkCategory = (category: string): Category => {
  if (!Object.hasOwn(CATEGORIES, category)) {
    throw new NewPatternError(`'${category}' is not a category: use one of ${Object.keys(CATEGORIES).join(', ')}`);
  }
  return category as Category;
};

/** Every template file, relative to `dir`, with `/` separators. */
const templateFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.tpl'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();

/**
 * Fills a template's placeholders: `__id__`, `__title__` and `__category__`;
 * in TypeScript, `'__title__'` (the quotes included) becomes a string literal,
 * so any title is valid code. One pass, so a title is never read for
 * placeholders itself; a placeholder this does not know is an error, not text.
 */
const render = (template: string, file: string, values: { id: string; title: string; category: string }): string => {
  const placeholder = file.endsWith('.ts.tpl') ? /'__title__'|__([a-z]+)__/g : /__([a-z]+)__/g;
  return template.replace(placeholder, (match, name: string | undefined) => {
    if (name === undefined) return tsString(values.title);
    if (name === 'id' || name === 'title' || name === 'category') return values[name];
    throw new Error(`${relative(process.cwd(), join(TEMPLATE_DIR, file))}: unknown placeholder ${match}`);
  });
};

/**
 * The flaw the exercise is about, and what the starter has instead: a slot
 * given back only when the call succeeds. Kept here, not as a second copy of
 * the implementation, so the starter is always the reference with this one change.
 */
const RELEASE_ON_ANY_END = `    try {
      return await fn();
    } finally {
      // However the call ended (an answer, an error, a timeout), its slot is free again.
      this.running--;
    }
`;
const RELEASE_ON_SUCCESS_ONLY = `    const result = await fn();
    this.running--;
    return result;
`;

/** The exercise's starter.patch, made and checked as `npm run exercise:starter-patch` makes and checks one. */
const starterPatch = (referenceName: string, reference: string): string => {
  const at = reference.indexOf(RELEASE_ON_ANY_END);
  if (at < 0 || reference.indexOf(RELEASE_ON_ANY_END, at + 1) >= 0) {
    throw new Error(`the template of ${referenceName} no longer has the try/finally the exercise's starter takes out (exactly once)`);
  }
  const starter = reference.slice(0, at) + RELEASE_ON_SUCCESS_ONLY + reference.slice(at + RELEASE_ON_ANY_END.length);
  const patch = makeStarterPatch(referenceName, reference, starter);
  const check = applyStarterPatch(reference, patch, referenceName);
  if (!check.ok || check.starter !== starter) throw new Error(`the starter patch of ${referenceName} does not give the starter back byte for byte`);
  return patch;
};

/**
 * Checks the options and renders every file in memory; writes nothing.
 * Throws NewPatternError with a message for the author when an option is wrong.
 */
export const planPattern = (options: NewPatternOptions): PatternPlan => {
  const { root, id } = options;
  if (!existsSync(join(root, 'patterns', 'kit', 'index.ts'))) {
    throw new NewPatternError(`${root} is not a Patterns Workbench project: it has no patterns/kit/index.ts`);
  }
  checkId(root, id);
  const title = checkTitle(options.title ?? titleFromId(id));
  const category = checkCategory(options.category ?? DEFAULT_CATEGORY);

  const patternDir = `patterns/${id}`;
  const exercisesDir = `exercises/${id}`;
  const values = { id, title, category };
  const files: PlannedFile[] = templateFiles(TEMPLATE_DIR).map((file) => {
    const [part, ...rest] = file.split('/');
    const name = render(rest.join('/'), file, values).replace(/\.tpl$/, '');
    const folder = part === 'pattern' ? patternDir : part === 'exercise' ? `${exercisesDir}/${EXERCISE_SLUG}` : undefined;
    if (folder === undefined) throw new Error(`${file}: a template belongs in pattern/ or exercise/`);
    return { path: `${folder}/${name}`, content: render(readFileSync(join(TEMPLATE_DIR, file), 'utf8'), file, values) };
  });

  const referenceName = `${patternDir}/${id}.ts`;
  const reference = files.find((f) => f.path === referenceName);
  if (!reference) throw new Error(`the templates have no pattern/__id__.ts.tpl for ${referenceName}`);
  files.push({ path: `${exercisesDir}/${EXERCISE_SLUG}/starter.patch`, content: starterPatch(referenceName, reference.content) });
  return { root, id, title, category, patternDir, exercisesDir, files };
};

/**
 * Writes a plan. The two folders are made first, each refusing to exist
 * already (so a folder made since the plan was checked is never written
 * into); if any write fails, every folder made here goes again.
 */
export const writePattern = (plan: PatternPlan): void => {
  const made: string[] = [];
  try {
    for (const dir of [plan.patternDir, plan.exercisesDir]) {
      const abs = join(plan.root, dir);
      // A project without an exercises folder yet gets one, and loses it again on failure.
      const parent = mkdirSync(dirname(abs), { recursive: true });
      if (parent !== undefined) made.push(parent);
      mkdirSync(abs);
      made.push(abs);
    }
    for (const file of plan.files) {
      const abs = join(plan.root, file.path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, file.content, { flag: 'wx' });
    }
  } catch (error) {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new NewPatternError(`${relative(plan.root, (error as NodeJS.ErrnoException).path ?? '')} appeared while the pattern was being written: nothing was kept`);
    }
    throw error;
  }
};

/** Plans and writes a new pattern; see planPattern and writePattern. */
export const scaffoldPattern = (options: NewPatternOptions): PatternPlan => {
  const plan = planPattern(options);
  writePattern(plan);
  return plan;
};

/** What the author reads once the pattern is written: what was made, and the steps to make it theirs. */
export const nextSteps = (plan: PatternPlan): string => {
  const { id, patternDir } = plan;
  const exerciseDir = `${plan.exercisesDir}/${EXERCISE_SLUG}`;
  const names = (dir: string) =>
    plan.files
      .filter((f) => f.path.startsWith(`${dir}/`))
      .map((f) => f.path.slice(dir.length + 1))
      .join(', ');
  return `Created the pattern '${id}' (${plan.title}, ${plan.category}):
  ${patternDir}/  ${names(patternDir)}
  ${exerciseDir}/  ${names(exerciseDir)}

It works as it is: the catalog lists it, its lab runs a small concurrency limit (a working
example to replace), and its exercise's checks pass on that example and fail on the starter.

Next (patterns/README.md says more about each step):
  1. npm start, open "${plan.title}", run its lab, its tour and its exercise.
  2. Write the lesson: ${patternDir}/README.md, one section at a time.
  3. Replace the example in ${patternDir}/${id}.ts with the pattern: plain code that
     exposes typed events (onStateChange, onRetry, ...) instead of emitting telemetry.
  4. Rewrite ${patternDir}/lab.ts around it (its entry, downstreams and fault points),
     then pattern.ts (the manifest) and params.ts.
  5. Declare the lab's event types in telemetry.ts and draw them in views.ts.
  6. Name the invariants in pattern.ts and check them in lab.ts (ctx.invariant).
  7. Write the tour (tour.ts) and the lab's tests on virtual time (lab.test.ts).
  8. Replace ${exerciseDir}/ with exercises on the flaws
     the lesson names (exercises/README.md; npm run exercise:starter-patch makes each starter.patch).
  9. npm test.
`;
};
