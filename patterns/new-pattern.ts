/**
 * For pattern authors: creates a new pattern that works from the start, in
 * its own folders and nowhere else (patterns/README.md walks through the rest).
 *
 *   npm run new-pattern -- <id> [--title "Title"] [--category <category>] [--root DIR]
 *       writes patterns/<id>/ and exercises/<id>/01-…/ and prints the next steps
 *
 * The work is done by new-pattern.scaffold.ts, from the templates in new-pattern.template/.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CATEGORIES, DEFAULT_CATEGORY, NewPatternError, nextSteps, scaffoldPattern } from './new-pattern.scaffold.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run new-pattern -- <id> [--title "Title"] [--category <category>] [--root DIR]

  <id>          the pattern's folder name, in kebab-case: cache-aside, outbox
  --title       its name in the catalog (default: the id in words, "Cache aside")
  --category    where the catalog lists it (default ${DEFAULT_CATEGORY}):
${Object.entries(CATEGORIES)
  .map(([id, about]) => `                  ${id.padEnd(11)} ${about}`)
  .join('\n')}
  --root DIR    the project to write into (default: this one)`;

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    options: {
      title: { type: 'string' },
      category: { type: 'string' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`);
}
const { values, positionals } = parsed!;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (positionals.length !== 1) fail(`${positionals.length === 0 ? 'give the new pattern\'s id' : `one id at a time, got ${positionals.join(' ')}`}\n\n${USAGE}`);

// npm runs scripts from the project root; a --root is as the author typed it, from where they were.
const cwd = process.env.INIT_CWD ?? process.cwd();
try {
  const plan = scaffoldPattern({
    root: values.root === undefined ? ROOT : resolve(cwd, values.root),
    id: positionals[0]!,
    ...(values.title !== undefined && { title: values.title }),
    ...(values.category !== undefined && { category: values.category }),
  });
  process.stdout.write(nextSteps(plan));
} catch (error) {
  if (error instanceof NewPatternError) fail(`npm run new-pattern: ${error.message}; nothing was written`);
  throw error;
}
