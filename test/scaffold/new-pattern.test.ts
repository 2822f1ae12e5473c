/**
 * `npm run new-pattern -- <id>` makes a pattern that works from the start, in
 * its own folders and nowhere else: the pattern is written into a temporary
 * project (the real kit linked in, nothing else), and there
 * - the registry loads it and a workbench on that project lists it, its
 *   exercise too, and runs its lab in the sandbox;
 * - its lab passes the lab contract, its exercise the exercise suite's checks
 *   (the same functions those suites run on the project's own patterns);
 * - its files type-check and its own lab test passes;
 * while the project's own files stay as they were. Bad ids, titles and
 * categories fail with a message that says what to do, and write nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { EXERCISE_SLUG, NewPatternError, scaffoldPattern } from '../../patterns/new-pattern.scaffold.ts';
import { ROOT_DIR, startWorkbench, type Workbench } from '../../server/app.ts';
import { loadExercises } from '../../server/exercises/catalog.ts';
import { ExerciseRunner } from '../../server/exercises/runner.ts';
import { PatternRegistry } from '../../server/patterns/registry.ts';
import { labContract } from '../contract/lab-harness.ts';
import { exerciseContract } from '../exercises/exercise-contract.ts';
import { EventFeed, httpRequest, TOKEN } from '../integration/helpers.ts';

const run = promisify(execFile);

/** What a child process printed, and its exit code: a failing command is an answer here, not a throw. */
const runChild = async (file: string, args: string[], cwd: string) => {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    // `code` is the exit code, or a string like ENOENT when the command could not start at all.
    const failed = error as { code?: number | string; message: string; stdout?: string; stderr?: string };
    const code = typeof failed.code === 'number' ? failed.code : 1;
    return { code, stdout: failed.stdout ?? '', stderr: failed.stderr || failed.message };
  }
};

/** `npm run new-pattern -- ...args`, without npm in between. */
const newPattern = (args: string[]) => runChild(process.execPath, ['--import', 'tsx', join(ROOT_DIR, 'patterns', 'new-pattern.ts'), ...args], ROOT_DIR);

/** The project's changed and untracked files, as git sees them. */
const gitStatus = async () => (await run('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: ROOT_DIR })).stdout;

/** Every file and folder under `dir`, relative to it, without following the linked kit. */
const listing = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !relative(dir, entry.parentPath).split(sep).includes('kit') && !relative(dir, entry.parentPath).startsWith('node_modules'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();

const ID = 'sample-pattern';
const TITLE = "Sample pattern: the author's";

// The temporary project: the real kit, linked (the pattern imports it, and the run engine's kit must
// be the same module as the lab's); a package.json and tsconfig.json so tsc reads it as the project
// does; vitest, linked, for the pattern's own lab test; and zod, which the kit passes on. Nothing else of the project is there.
const root = mkdtempSync(join(tmpdir(), 'wb-new-pattern-'));
mkdirSync(join(root, 'patterns'));
mkdirSync(join(root, 'exercises'));
mkdirSync(join(root, 'node_modules'));
symlinkSync(join(ROOT_DIR, 'patterns', 'kit'), join(root, 'patterns', 'kit'), 'dir');
symlinkSync(join(ROOT_DIR, 'node_modules', 'vitest'), join(root, 'node_modules', 'vitest'), 'dir');
// The kit passes zod on to pattern code (patterns/kit/schema.ts).
symlinkSync(join(ROOT_DIR, 'node_modules', 'zod'), join(root, 'node_modules', 'zod'), 'dir');
writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
writeFileSync(
  join(root, 'tsconfig.json'),
  JSON.stringify({
    extends: join(ROOT_DIR, 'tsconfig.json'),
    compilerOptions: { typeRoots: [join(ROOT_DIR, 'node_modules', '@types')] },
    include: [`patterns/${ID}`, `exercises/${ID}`],
    exclude: [],
  }),
);
const emptyProject = listing(root);

const statusBefore = await gitStatus();
const created = await newPattern([ID, '--title', TITLE, '--category', 'messaging', '--root', root]);
const statusAfter = await gitStatus();

const patternsDir = join(root, 'patterns');
// Started now, awaited by their tests: they run while the rest of the suite does.
const typecheck = runChild(join(ROOT_DIR, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', join(root, 'tsconfig.json')], root);
const labTest = runChild(process.execPath, [join(ROOT_DIR, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', root, `patterns/${ID}/lab.test.ts`], root);

const registry = await PatternRegistry.load(patternsDir);
const entry = registry.get(ID);
const { exercises, problems } = loadExercises(join(root, 'exercises'));
const runner = new ExerciseRunner({ rootDir: root, registry, watchdogMs: 5_000 });

let workbench: Workbench | undefined;
const dbDir = mkdtempSync(join(tmpdir(), 'wb-new-pattern-db-'));
afterAll(async () => {
  await workbench?.close();
  await Promise.allSettled([typecheck, labTest]);
  rmSync(root, { recursive: true, force: true });
  rmSync(dbDir, { recursive: true, force: true });
});

describe('npm run new-pattern', () => {
  it('writes the pattern folder and its exercise, prints the next steps, and touches nothing else', async () => {
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created the pattern '${ID}'`);
    expect(created.stdout).toContain('npm test');
    expect(listing(root)).toEqual(
      [
        ...emptyProject,
        `exercises/${ID}`,
        `exercises/${ID}/${EXERCISE_SLUG}`,
        ...['checks.ts', 'exercise.md', 'hints.md', 'starter.patch'].map((name) => `exercises/${ID}/${EXERCISE_SLUG}/${name}`),
        `patterns/${ID}`,
        ...['README.md', `${ID}.ts`, 'lab.test.ts', 'lab.ts', 'params.ts', 'pattern.ts', 'telemetry.ts', 'tour.ts', 'views.ts'].map(
          (name) => `patterns/${ID}/${name}`,
        ),
      ].sort(),
    );
    // No file of the project's own changed or appeared. (Lines that went are left out: another
    // process committing or reverting its own work meanwhile is not the scaffold's doing.)
    const before = new Set(statusBefore.split('\n'));
    expect(statusAfter.split('\n').filter((line) => !before.has(line))).toEqual([]);
  });

  it.each([
    ['', "give the new pattern's id"],
    ['Cache_Aside', "'Cache_Aside' is not a pattern id: use lower-case words"],
    ['cache--aside', 'is not a pattern id'],
    ['9-lives', 'is not a pattern id'],
    ['a'.repeat(41), 'a pattern id has at most 40'],
    ['kit', "'kit' is the folder of the kit"],
    [ID, `patterns/${ID} already exists`],
  ])('refuses the id %j, and writes nothing', (id, message) => {
    const before = listing(root);
    expect(() => scaffoldPattern({ root, id })).toThrow(NewPatternError);
    expect(() => scaffoldPattern({ root, id })).toThrow(message);
    expect(listing(root)).toEqual(before);
  });

  it('refuses an id whose exercises folder exists already, and writes no pattern folder either', () => {
    mkdirSync(join(root, 'exercises', 'orphan'));
    try {
      expect(() => scaffoldPattern({ root, id: 'orphan' })).toThrow('exercises/orphan already exists');
      expect(existsSync(join(root, 'patterns', 'orphan'))).toBe(false);
    } finally {
      rmSync(join(root, 'exercises', 'orphan'), { recursive: true });
    }
  });

  it.each([
    [{ title: '   ' }, 'the title is empty'],
    [{ title: 'Two\nlines' }, 'write it as one plain line'],
    [{ title: 'Ends a */ comment' }, 'write it as one plain line'],
    [{ category: 'networking' }, "'networking' is not a category: use one of data, structure, messaging, resilience, operations, api"],
  ])('refuses %j, and writes nothing', (options, message) => {
    const before = listing(root);
    expect(() => scaffoldPattern({ root, id: 'other-pattern', ...options })).toThrow(message);
    expect(listing(root)).toEqual(before);
  });

  it('makes the exercises folder of a project that has none yet', () => {
    const bare = mkdtempSync(join(tmpdir(), 'wb-new-pattern-bare-'));
    try {
      mkdirSync(join(bare, 'patterns'));
      symlinkSync(join(ROOT_DIR, 'patterns', 'kit'), join(bare, 'patterns', 'kit'), 'dir');
      scaffoldPattern({ root: bare, id: 'other-pattern' });
      expect(existsSync(join(bare, 'patterns', 'other-pattern', 'pattern.ts'))).toBe(true);
      expect(existsSync(join(bare, 'exercises', 'other-pattern', EXERCISE_SLUG, 'starter.patch'))).toBe(true);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('refuses a folder that is not a workbench project', () => {
    expect(() => scaffoldPattern({ root: join(root, 'exercises'), id: 'other-pattern' })).toThrow('is not a Patterns Workbench project');
  });

  it('says what went wrong on the command line, exits 1 and writes nothing', async () => {
    const before = listing(root);
    const refused = await newPattern(['Not-Kebab', '--root', root]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("npm run new-pattern: 'Not-Kebab' is not a pattern id");
    expect(refused.stderr).toContain('nothing was written');
    expect(listing(root)).toEqual(before);
  });
});

describe('the new pattern', () => {
  it('type-checks with the project settings', async () => {
    const { code, stdout, stderr } = await typecheck;
    expect(`${stdout}${stderr}`).toBe('');
    expect(code).toBe(0);
  });

  it('passes its own lab test', async () => {
    const { code, stdout, stderr } = await labTest;
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/Tests\s+3 passed/);
  });

  it('is loaded by the registry, with its title, category, tour and telemetry', () => {
    expect(registry.list().map(({ manifest }) => manifest.id)).toEqual([ID]);
    expect(entry?.manifest).toMatchObject({ id: ID, title: TITLE, category: 'messaging', editableFiles: [`${ID}.ts`] });
    expect(entry?.manifest.telemetry).toEqual({ [`${ID}.decision`]: 'droppable' });
    expect(entry?.tour?.lab).toBe('basic');
    expect(registry.readme(ID)).toMatch(/^# Sample pattern: the author's\n/);
  });

  it('is listed by a workbench on its project, with its exercise, and its lab runs in the sandbox', async () => {
    workbench = await startWorkbench({ port: 0, dbPath: join(dbDir, 'workbench.db'), token: TOKEN, log: pino({ level: 'silent' }), rootDir: root });
    const { port } = workbench;
    const patterns = await httpRequest(port, 'GET', '/api/patterns');
    expect(patterns.body).toEqual([expect.objectContaining({ id: ID, title: TITLE, category: 'messaging' })]);
    const listed = await httpRequest(port, 'GET', '/api/exercises');
    expect(listed.body).toEqual([expect.objectContaining({ id: `${ID}.${EXERCISE_SLUG}`, patternId: ID, file: `${ID}.ts` })]);

    const started = await httpRequest(port, 'POST', '/api/runs', { patternId: ID });
    expect(started.status, started.text).toBe(201);
    const feed = new EventFeed(port, (started.body as { runId: string }).runId);
    await feed.waitFor((e) => e.type === 'request' && e.direction === 'inbound' && e.outcome === 'ok', { timeoutMs: 30_000, what: 'a request served' });
    // Its own event type is declared in its telemetry.ts, which this program does not include.
    await feed.waitFor((e) => (e.type as string) === `${ID}.decision`, { what: "the pattern's own event" });
    expect(feed.seen.filter((e) => e.type === 'run.error')).toEqual([]);
    await httpRequest(port, 'DELETE', `/api/runs/${feed.runId}`);
    await workbench.close();
    workbench = undefined;
  }, 60_000);
});

describe('its lab passes the lab contract', () => {
  const lab = entry?.manifest.labs[0];
  it('has a lab', () => expect(lab).toBeDefined());
  if (entry && lab) labContract(entry.manifest, lab, { patternsDir });
});

describe('its exercise passes the exercise suite', () => {
  it('is complete and well formed, and its starter patch applies', () => {
    expect(problems).toEqual([]);
    expect(exercises.map((e) => e.id)).toEqual([`${ID}.${EXERCISE_SLUG}`]);
  });
  for (const exercise of exercises) describe(exercise.id, () => exerciseContract(exercise, { registry, runner }));
});
