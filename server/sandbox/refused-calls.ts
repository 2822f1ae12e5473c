/**
 * The ways of loading code that an import allow-list cannot see, refused in
 * the source before it is bundled. The sandbox's compiler checks every import
 * it is asked to resolve; these never ask:
 *
 * - `import(name)` with a computed name: esbuild leaves it in the bundle, and at
 *   run time it would load whatever it names (`node:child_process` included);
 * - `import(\`./${x}\`)`: esbuild turns a template into a glob and bundles every
 *   file that matches, without asking the plugin, so `../../server/${x}` would
 *   bundle the server's own files;
 * - `require(...)` and `module.createRequire(...)`: CommonJS loading, which lab
 *   code has no business with (its `require` would reach Node's built-ins).
 *
 * An `import('./file.ts')` with a plain string stays allowed: esbuild resolves it
 * through the allow-list like any static import.
 *
 * The source is parsed (oxc, through rolldown), not searched, so a word in a
 * string or a comment is never mistaken for a call.
 */
import { parseSync, Visitor } from 'rolldown/utils';

/** One refused expression; `line` 1-based, `column` 0-based (as esbuild's locations are). */
export interface RefusedCall {
  message: string;
  line: number;
  column: number;
  lineText: string;
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };

const nameOf = (node: unknown): string | undefined => {
  const n = node as { type?: string; name?: string; value?: unknown } | undefined;
  if (n?.type === 'Identifier') return n.name;
  if (n?.type === 'Literal' && typeof n.value === 'string') return n.value;
  return undefined;
};

/** A member expression's property name, whether written `a.b` or `a['b']`. */
const propertyOf = (node: Node): string | undefined => {
  const property = node.property as Node | undefined;
  if (!property) return undefined;
  return node.computed ? (property.type === 'Literal' ? nameOf(property) : undefined) : nameOf(property);
};

/** A template literal without `${…}` is a plain string to esbuild: it resolves it like one. */
const isPlainString = (node: Node): boolean =>
  (node.type === 'Literal' && typeof node.value === 'string') ||
  (node.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0);

const IMPORT_COMPUTED =
  'import() with a computed name is not allowed in the lab sandbox: write the path as a plain string ' +
  "(import('./file.ts')), or better, a static import at the top of the file.";
const REQUIRE =
  'require() is not available in the lab sandbox: use an import at the top of the file. Pattern code may import ' +
  'only files of its own folder and the kit.';
const CREATE_REQUIRE =
  'createRequire is not available in the lab sandbox: use an import at the top of the file. Pattern code may import ' +
  'only files of its own folder and the kit.';

/**
 * The last answer per file: a compile reads every file of the pattern, and all but the one
 * being edited are the same as last time (parsing them again would cost tens of ms a save).
 * Bounded: edits can name new files.
 */
const lastAnswer = new Map<string, { source: string; refused: RefusedCall[] }>();
const MAX_REMEMBERED = 512;

/**
 * The refused expressions of one source file, in source order. A file that does not
 * parse yields nothing here: esbuild reports its syntax error with its own message.
 */
export function findRefusedCalls(file: string, source: string): RefusedCall[] {
  const last = lastAnswer.get(file);
  if (last && last.source === source) return last.refused;
  const refused = scan(file, source);
  if (lastAnswer.size >= MAX_REMEMBERED && !last) lastAnswer.clear();
  lastAnswer.set(file, { source, refused });
  return refused;
}

function scan(file: string, source: string): RefusedCall[] {
  const lang = /\.m?ts$/.test(file) ? 'ts' : 'js';
  let program: unknown;
  try {
    const result = parseSync(file, source, { lang, sourceType: 'module' });
    if (result.errors.length > 0) return [];
    program = result.program;
  } catch {
    return [];
  }
  const found: Array<{ message: string; start: number }> = [];
  const refuse = (message: string, node: Node) => found.push({ message, start: node.start });

  new Visitor({
    ImportExpression(node: unknown) {
      const n = node as Node;
      if (!isPlainString(n.source as Node)) refuse(IMPORT_COMPUTED, n);
    },
    CallExpression(node: unknown) {
      const n = node as Node;
      const callee = n.callee as Node;
      if (callee.type === 'Identifier' && callee.name === 'require') refuse(REQUIRE, n);
      else if (callee.type === 'Identifier' && callee.name === 'createRequire') refuse(CREATE_REQUIRE, n);
    },
    MemberExpression(node: unknown) {
      const n = node as Node;
      const object = n.object as Node;
      // require.resolve(…), require.cache, …: CommonJS machinery as well.
      if (object.type === 'Identifier' && object.name === 'require') refuse(REQUIRE, n);
      // module.createRequire, (await import(…)).createRequire, m['createRequire']: however it is reached.
      else if (propertyOf(n) === 'createRequire') refuse(CREATE_REQUIRE, n);
    },
  } as ConstructorParameters<typeof Visitor>[0]).visit(program as Parameters<Visitor['visit']>[0]);

  // `require(x).y` is both a call and (inside it) nothing else; `require.resolve(x)` is a call whose
  // callee is the member: report each place once.
  const seen = new Set<number>();
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  return found
    .sort((a, b) => a.start - b.start)
    .filter(({ start }) => (seen.has(start) ? false : (seen.add(start), true)))
    .map(({ message, start }) => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid]! <= start) lo = mid;
        else hi = mid - 1;
      }
      const lineStart = lineStarts[lo]!;
      const lineEnd = source.indexOf('\n', lineStart);
      return {
        message,
        line: lo + 1,
        column: start - lineStart,
        lineText: source.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).replace(/\r$/, ''),
      };
    });
}
