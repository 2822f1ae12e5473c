/**
 * The web app imports only types from the server and the kit (DESIGN.md, "Shape of the system"):
 * every file under web/src is read, and any import of a file under server/ or patterns/ that
 * survives type erasure fails this test, naming the file and the import.
 *
 * How imports are read: esbuild (the compiler the server's sandbox already uses; TypeScript 7's
 * package exposes no in-process parser) compiles each file with the web's tsconfig, which drops
 * `import type`, `export type` and `typeof import()` and, under `verbatimModuleSyntax`, keeps
 * everything else — including `import { type X } from '…'`, which still loads the module (write
 * `import type { X }`). A plugin records every import esbuild resolves (static, re-export,
 * side-effect, dynamic `import()`) and resolves nothing further, so each file is judged by what it
 * would load at run time, as the bundler sees it, not by a pattern over its text.
 *
 * Allowed beside types:
 * - patterns' own views: Vite's `import.meta.glob('…/patterns/*\/*.view.tsx')` (a lab's
 *   `kind: 'custom'` view), which esbuild does not see and is read from the file's text below;
 * - the kit files listed in PURE_KIT_RUNTIME: none today. A kit file may join only if it is pure
 *   (no I/O, no Node built-ins, no globals) and itself imports nothing at run time but other
 *   listed files; the test checks the second part;
 * - anything in tests (`*.test.ts(x)`, `testing.ts`): they never reach the bundle, and a view's
 *   test may well draw a real pattern's view spec.
 * Pattern sources as text (`?raw`) are not allowed: the editor gets them from the API
 * (`GET /api/patterns/:id/sources`), so a new or edited pattern needs no web rebuild.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Kit files the web may import at run time (repository paths), e.g. 'patterns/kit/tour.ts'. */
const PURE_KIT_RUNTIME: readonly string[] = [];

interface RuntimeImport {
  /** The importing file, relative to the root given. */
  file: string;
  /** The import as written. */
  specifier: string;
  kind: esbuild.ImportKind;
  /** The file it names, relative to the root; undefined for packages. */
  target: string | undefined;
}

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name))
    .sort();

const toPosix = (path: string) => path.split(sep).join('/');

/** The imports of `files` that remain after type erasure (see the header). */
const runtimeImports = async (
  root: string,
  files: string[],
  tsconfig: Pick<esbuild.BuildOptions, 'tsconfig' | 'tsconfigRaw'>,
): Promise<RuntimeImport[]> => {
  const found: RuntimeImport[] = [];
  await esbuild.build({
    ...tsconfig,
    absWorkingDir: root,
    entryPoints: files,
    bundle: true,
    write: false,
    outdir: join(root, '.imports-check-out'),
    // Not written; the hash only keeps `x.ts` and `x.tsx` apart.
    entryNames: '[dir]/[name]-[hash]',
    format: 'esm',
    platform: 'browser',
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-imports',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            const bare = args.path.replace(/[?#].*$/, '');
            const target =
              bare.startsWith('.') || isAbsolute(bare) ? toPosix(relative(root, resolve(args.resolveDir, bare))) : undefined;
            found.push({ file: toPosix(relative(root, args.importer)), specifier: args.path, kind: args.kind, target });
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return found;
};

/** The one glob into patterns/ the web may have: patterns' own views. */
const CUSTOM_VIEWS_GLOB = 'patterns/*/*.view.tsx';

/** `import.meta.glob(…)` calls whose patterns reach into server/ or patterns/ (but for CUSTOM_VIEWS_GLOB). */
const codeGlobs = (root: string, file: string, text: string): RuntimeImport[] => {
  const found: RuntimeImport[] = [];
  for (const match of text.matchAll(/import\.meta\.glob\s*(?:<[^>]*>)?\s*\(/g)) {
    let depth = 1;
    let end = match.index + match[0].length;
    while (end < text.length && depth > 0) {
      if (text[end] === '(') depth++;
      if (text[end] === ')') depth--;
      end++;
    }
    const call = text.slice(match.index, end);
    for (const [, pattern] of call.matchAll(/['"`]([^'"`]*\*[^'"`]*)['"`]/g)) {
      if (pattern!.startsWith('!')) continue;
      const target = toPosix(relative(root, resolve(dirname(join(root, file)), pattern!)));
      if (target === CUSTOM_VIEWS_GLOB) continue;
      if (/^(server|patterns)\//.test(target)) found.push({ file, specifier: pattern!, kind: 'dynamic-import', target });
    }
  }
  return found;
};

/** The rule: what of these imports the web may not have, as "file: import 'x' (kind)" lines. */
const violations = (imports: RuntimeImport[], allowedKit: readonly string[]): string[] =>
  imports
    .filter(({ target }) => {
      if (target === undefined || !/^(server|patterns)\//.test(target)) return false;
      return !allowedKit.includes(target);
    })
    .map(({ file, specifier, kind }) => `${file}: imports '${specifier}' at run time (${kind}); use \`import type\``);

const check = async (root: string, tsconfig: Pick<esbuild.BuildOptions, 'tsconfig' | 'tsconfigRaw'>): Promise<string[]> => {
  const files = sourcesUnder(join(root, 'web/src')).filter((path) => !/(\.test\.tsx?|[\\/]testing\.ts)$/.test(path));
  const imports = await runtimeImports(root, files, tsconfig);
  const globs = files.flatMap((path) => codeGlobs(root, toPosix(relative(root, path)), readFileSync(path, 'utf8')));
  return violations([...imports, ...globs], PURE_KIT_RUNTIME);
};

describe('the web app imports only types from the server and the kit', () => {
  it('holds for every file under web/src', async () => {
    expect(sourcesUnder(join(ROOT, 'web/src')).length).toBeGreaterThan(50);
    expect(await check(ROOT, { tsconfig: join(ROOT, 'web/tsconfig.json') })).toEqual([]);
  });

  it('keeps the allowed kit files pure: they import nothing at run time but each other', async () => {
    const files = PURE_KIT_RUNTIME.map((file) => join(ROOT, file));
    const imports = files.length ? await runtimeImports(ROOT, files, { tsconfig: join(ROOT, 'tsconfig.json') }) : [];
    expect(imports.filter(({ target }) => target === undefined || !PURE_KIT_RUNTIME.includes(target))).toEqual([]);
  });

  describe('catches each way of importing code (fixtures)', () => {
    const root = mkdtempSync(join(tmpdir(), 'imports-check-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('server/protocol/api.ts', 'export interface Thing { id: string }\nexport const VALUE = 1;\n');
    write('patterns/kit/index.ts', 'export interface Clock { now(): number }\nexport const make = () => 1;\n');
    const fixture = (name: string, text: string) => write(`web/src/${name}`, text);
    fixture('types.ts', "import type { Thing } from '../../server/protocol/api.ts';\nexport type { Clock } from '../../patterns/kit/index.ts';\nexport type T = Thing | typeof import('../../server/protocol/api.ts');\n");
    fixture('value.ts', "import { VALUE } from '../../server/protocol/api.ts';\nexport const v = VALUE;\n");
    fixture('inline-type.ts', "import { type Thing } from '../../server/protocol/api.ts';\nexport type T = Thing;\n");
    fixture('reexport.ts', "export * from '../../patterns/kit/index.ts';\n");
    fixture('side-effect.ts', "import '../../server/protocol/api.ts';\n");
    fixture('dynamic.tsx', "export const load = () => import('../../patterns/kit/index.ts');\nexport const el = <div />;\n");
    fixture('raw.ts', "import text from '../../patterns/kit/index.ts?raw';\nexport const t: string = text;\n");
    fixture('glob-raw.ts', "export const g = import.meta.glob<string>(['../../patterns/**/*.ts'], { query: '?raw', import: 'default' });\n");
    fixture('glob-views.ts', "export const g = import.meta.glob('../../patterns/*/*.view.tsx');\n");
    fixture('view.test.ts', "import { VALUE } from '../../server/protocol/api.ts';\nexport const v = VALUE;\n");
    fixture('glob-code.ts', "export const g = import.meta.glob(['../../patterns/**/*.ts', '!../../patterns/**/*.test.ts']);\n");
    fixture('package.ts', "import { useState } from 'react';\nexport const s = useState;\n");

    it('names each offending file and import (pattern sources as ?raw text too), and passes types, custom views, tests and packages', async () => {
      const found = await check(root, { tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, jsx: 'react-jsx' } } });
      expect(found.sort()).toEqual(
        [
          "web/src/dynamic.tsx: imports '../../patterns/kit/index.ts' at run time (dynamic-import); use `import type`",
          "web/src/glob-code.ts: imports '../../patterns/**/*.ts' at run time (dynamic-import); use `import type`",
          "web/src/glob-raw.ts: imports '../../patterns/**/*.ts' at run time (dynamic-import); use `import type`",
          "web/src/raw.ts: imports '../../patterns/kit/index.ts?raw' at run time (import-statement); use `import type`",
          "web/src/inline-type.ts: imports '../../server/protocol/api.ts' at run time (import-statement); use `import type`",
          "web/src/reexport.ts: imports '../../patterns/kit/index.ts' at run time (import-statement); use `import type`",
          "web/src/side-effect.ts: imports '../../server/protocol/api.ts' at run time (import-statement); use `import type`",
          "web/src/value.ts: imports '../../server/protocol/api.ts' at run time (import-statement); use `import type`",
        ].sort(),
      );
    });

    it('lets an allowed kit file through', async () => {
      const imports = await runtimeImports(root, [join(root, 'web/src/value.ts'), join(root, 'web/src/reexport.ts')], {
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      });
      expect(violations(imports, ['patterns/kit/index.ts'])).toEqual([
        "web/src/value.ts: imports '../../server/protocol/api.ts' at run time (import-statement); use `import type`",
      ]);
    });
  });
});
