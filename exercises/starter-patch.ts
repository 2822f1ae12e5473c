/**
 * For exercise authors: writes an exercise's `starter.patch` from a whole
 * starter file, or prints the starter the current patch gives.
 *
 *   npm run exercise:starter-patch -- exercises/<pattern-id>/<nn-slug> <starter file>
 *       writes starter.patch: the difference from patterns/<pattern-id>/<file> to <starter file>
 *   npm run -s exercise:starter-patch -- exercises/<pattern-id>/<nn-slug> > /tmp/starter.ts
 *       prints the starter as a learner gets it (to edit, then write the patch again)
 *   npm run -s exercise:starter-patch -- exercises/<pattern-id>/<nn-slug> --against <old reference> > /tmp/starter.ts
 *       prints the starter the patch gives when applied to another version of the reference
 *       (the one it was made against, when the pattern's file has moved on since)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitFrontMatter } from '../server/exercises/catalog.ts';
import { applyStarterPatch, makeStarterPatch } from '../server/exercises/starter-patch.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = [
  'usage: npm run exercise:starter-patch -- exercises/<pattern-id>/<nn-slug> <starter file>   (writes starter.patch)',
  '       npm run -s exercise:starter-patch -- exercises/<pattern-id>/<nn-slug> [--against <reference file>]   (prints the starter)',
].join('\n');

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const args = process.argv.slice(2);
const againstAt = args.indexOf('--against');
const againstArg = againstAt >= 0 ? args.splice(againstAt, 2)[1] : undefined;
if (againstAt >= 0 && againstArg === undefined) fail(USAGE);
const [dirArg, starterArg, ...rest] = args;
if (!dirArg || rest.length > 0 || (againstArg !== undefined && starterArg !== undefined)) fail(USAGE);

// npm runs the script from the project root; paths are as the author typed them, from where they were.
const cwd = process.env.INIT_CWD ?? process.cwd();
const dir = resolve(cwd, dirArg!);
const patternId = basename(dirname(dir));
const shown = relative(ROOT, dir) || dir;
const exerciseMd = join(dir, 'exercise.md');
if (!existsSync(exerciseMd)) fail(`${shown}: no exercise.md here; name an exercise folder.\n${USAGE}`);
const file = splitFrontMatter(readFileSync(exerciseMd, 'utf8')).data.file;
if (typeof file !== 'string' || !file) fail(`${shown}/exercise.md: front matter needs the file to edit`);
const referenceName = `patterns/${patternId}/${file as string}`;
const referencePath = againstArg === undefined ? join(ROOT, referenceName) : resolve(cwd, againstArg);
if (!existsSync(referencePath)) fail(`${againstArg ?? referenceName} does not exist`);
const reference = readFileSync(referencePath, 'utf8');
const patchPath = join(dir, 'starter.patch');

if (starterArg === undefined) {
  if (!existsSync(patchPath)) fail(`${shown}/starter.patch does not exist yet: give a starter file to write it from.\n${USAGE}`);
  const applied = applyStarterPatch(reference, readFileSync(patchPath, 'utf8'), againstArg ?? referenceName);
  if (!applied.ok) fail(`${shown}/starter.patch ${applied.reason}`);
  else process.stdout.write(applied.starter);
} else {
  const starterPath = resolve(cwd, starterArg);
  if (!existsSync(starterPath)) fail(`${starterArg} does not exist`);
  const starter = readFileSync(starterPath, 'utf8');
  if (starter === reference) fail(`${starterArg} is the same as ${referenceName}: a starter must differ from the solution`);
  const patch = makeStarterPatch(referenceName, reference, starter);
  const check = applyStarterPatch(reference, patch, referenceName);
  if (!check.ok || check.starter !== starter) fail(`the patch does not give ${starterArg} back byte for byte; starter.patch left as it was`);
  writeFileSync(patchPath, patch);
  const hunks = patch.split('\n').filter((line) => line.startsWith('@@')).length;
  process.stdout.write(`${shown}/starter.patch: ${hunks} hunk${hunks === 1 ? '' : 's'} against ${referenceName}\n`);
}
