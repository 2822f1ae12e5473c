import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, transform } from 'esbuild';
import { parseSync } from 'rolldown/utils';
import { afterEach, describe, expect, it } from 'vitest';
import { compileLab } from './compile.ts';
import { LOOP_GUARD_GLOBAL } from './loop-guard.ts';
import { insertLoopGuards } from './loop-guard-transform.ts';

const FILE = '/project/patterns/demo/loops.ts';
const REL = 'patterns/demo/loops.ts';
let fileCount = 0;
/** A file name of its own per call: the transform remembers its last answer per file. */
const guarded = (source: string, file = `/project/patterns/demo/loops-${++fileCount}.ts`) => insertLoopGuards(file, source, REL);

/** The guard calls in `code`, as [line, column] pairs, in order. */
const callsIn = (code: string): Array<[number, number]> =>
  [...code.matchAll(new RegExp(`${LOOP_GUARD_GLOBAL}\\?\\.\\("${REL}", (\\d+), (\\d+)\\)`, 'g'))].map((m) => [Number(m[1]), Number(m[2])]);

/** The 1-based [line, column] of the first `marker` in `source`. */
const at = (source: string, marker: string): [number, number] => {
  const index = source.indexOf(marker);
  if (index < 0) throw new Error(`marker ${marker} not found`);
  const before = source.slice(0, index).split('\n');
  return [before.length, before.at(-1)!.length + 1];
};

const parses = (code: string, lang: 'ts' | 'js' = 'ts'): boolean => parseSync(`x.${lang}`, code, { lang, sourceType: 'module' }).errors.length === 0;

/**
 * Runs a module (TypeScript) and returns its `result` export, with `guard` installed as the
 * global loop guard while it runs (no guard: the preamble's no-op).
 */
let runCount = 0;
async function run(source: string, guard?: (file: string, line: number, column: number) => void): Promise<unknown> {
  // A comment of its own per run: a data: URL imported again is the module already loaded.
  const js = `${(await transform(source, { loader: 'ts', format: 'esm' })).code}\n// run ${++runCount}`;
  const global = globalThis as Record<string, unknown>;
  if (guard) global[LOOP_GUARD_GLOBAL] = guard;
  try {
    const module = (await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as { result: Promise<unknown> | unknown };
    return await module.result;
  } finally {
    delete global[LOOP_GUARD_GLOBAL];
  }
}

afterEach(() => {
  delete (globalThis as Record<string, unknown>)[LOOP_GUARD_GLOBAL];
});

describe('insertLoopGuards', () => {
  it.each([
    ['for', 'for (let i = 0; i < 3; i++) { n += i; }'],
    ['for…in', 'for (const k in { a: 1, b: 2 }) { n += k.length; }'],
    ['for…of', 'for (const x of [1, 2]) { n += x; }'],
    ['for await', 'for await (const x of [Promise.resolve(1)]) { n += x; }'],
    ['while', 'while (n < 3) { n++; }'],
    ['do…while', 'do { n++; } while (n < 3);'],
  ])('puts a guard naming the loop into a %s body', (_kind, loop) => {
    const source = `export let n = 0;\nexport async function f() {\n  ${loop}\n}\n`;
    const { code, loops } = guarded(source);
    expect(loops).toBe(1);
    expect(callsIn(code)).toEqual([[3, 3]]);
    expect(parses(code)).toBe(true);
  });

  it.each([
    ['a single statement', 'while (n < 3) n++;', 'while (n < 3) {'],
    ['an empty body', 'while (n++ < 3);', 'while (n++ < 3){'],
    ['a do…while statement', 'do n++; while (n < 3);', 'do {'],
    ['a for…of statement', 'for (const x of [1]) n += x;', 'for (const x of [1]) {'],
    ['a statement without semicolon', 'while (n < 3) n++\nn = 10', 'while (n < 3) {'],
  ])('wraps %s in a block', (_kind, loop, wrapped) => {
    const { code } = guarded(`let n = 0;\n${loop}\n`);
    expect(code).toContain(wrapped);
    expect(callsIn(code)).toEqual([[2, 1]]);
    expect(parses(code)).toBe(true);
  });

  it('guards nested and labelled loops, each with its own place', () => {
    const source = [
      'outer: for (let i = 0; i < 3; i++)',
      '  inner: for (let j = 0; j < 3; j++) while (false) continue outer;',
      'for (;;) for (;;) do break; while (true);',
    ].join('\n');
    const { code, loops } = guarded(source);
    expect(loops).toBe(6);
    expect(callsIn(code)).toEqual([at(source, 'for (let i'), at(source, 'for (let j'), at(source, 'while'), [3, 1], [3, 10], [3, 19]]);
    expect(parses(code)).toBe(true);
  });

  it('guards loops wherever they are: in a template literal, a class, a getter, an arrow function', () => {
    const source = [
      'const s = `${(() => { let t = 0; for (const c of "abc") t++; return t; })()}`;',
      'class A { get n() { let i = 0; while (i < 2) i++; return i; } static { for (;;) break; } }',
      'const f = (xs: number[]) => { for (const x of xs) {} };',
    ].join('\n');
    expect(callsIn(guarded(source).code)).toEqual([at(source, 'for (const c'), at(source, 'while'), at(source, 'for (;;)'), at(source, 'for (const x')]);
  });

  it('reads TypeScript: types, generics, `as`, `satisfies`, enums, decorators, namespaces', () => {
    const source = [
      'enum Color { Red, Green }',
      'const decorate = (_value: unknown, _context: ClassMethodDecoratorContext) => {};',
      'interface Box<T> { items: T[] }',
      'class Shelf<T> {',
      '  @decorate sum(box: Box<T>): number { let n = 0; for (const x of box.items as unknown as number[]) n += x; return n; }',
      '}',
      'const config = { tries: 3 } satisfies { tries: number };',
      'namespace Retry { export function go(): void { while (config.tries-- > 0) {} } }',
      'function first<T,>(xs: readonly T[]): T | undefined { for (const x of xs) return x; return undefined; }',
    ].join('\n');
    const { code } = guarded(source);
    expect(callsIn(code)).toEqual([at(source, 'for (const x of box'), at(source, 'while'), at(source, 'for (const x of xs')]);
    expect(parses(code)).toBe(true);
  });

  it('counts columns as the editor does (UTF-16), past non-ASCII text', () => {
    const source = `const café = "naïve 🙂"; while (café.length > 99) {}`;
    expect(callsIn(guarded(source).code)).toEqual([at(source, 'while')]);
  });

  it('leaves the file as it is without loops, or when it does not parse', () => {
    for (const source of ['export const x = 1; // for (;;) {}\nconst s = "while (true) {}";', 'while (true {}', 'for (const x of) {}']) {
      expect(guarded(source)).toEqual({ code: source, loops: 0 });
    }
  });

  it('reads a .js file as JavaScript and keeps a #! line first', () => {
    const source = '#!/usr/bin/env node\nlet n = 0; while (n < 3) n++;\n';
    const { code } = insertLoopGuards('/project/patterns/demo/tool.js', source, REL);
    expect(code.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(parses(code, 'js')).toBe(true);
    expect(callsIn(code)).toEqual([[2, 12]]);
  });

  it('moves nothing to another line', () => {
    const source = ['let n = 0;', 'while (n < 3) n++;', 'do', '  n--;', 'while (n > 0)', 'for (const x of [1]) {', '}', 'export { n };'].join('\n');
    const { code } = guarded(source);
    const lines = code.split('\n');
    // The source's lines, then the source map comment.
    expect(lines.slice(0, -2).length).toBe(source.split('\n').length);
    expect(lines.at(-2)).toMatch(/^\/\/# sourceMappingURL=data:application\/json;(charset=utf-8;)?base64,/);
    // Each line is its source line, give or take the calls and the braces around them.
    const inserted = new RegExp(`^var ${LOOP_GUARD_GLOBAL} = .*?;|${LOOP_GUARD_GLOBAL}\\?\\.\\([^)]*\\);|[{}]`, 'g');
    source.split('\n').forEach((line, i) => expect(lines[i]!.replace(inserted, '')).toBe(line.replace(/[{}]/g, '')));
  });

  it('gives the same results, with or without a guard installed', async () => {
    const source = [
      'let log: string[] = [];',
      'outer: for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) { if (j > i) continue outer; if (i === 3) break outer; log.push(`${i}${j}`); }',
      'let k = 0; while (k < 5) k++; do k += 10; while (k < 30);',
      'for (const key in { a: 1, b: 2 }) log.push(key);',
      'for (const x of new Set([7, 8])) if (x > 7) log.push(String(x)); else log.push("small");',
      'async function* ticks() { yield 1; yield 2; }',
      'for await (const t of ticks()) log.push(`t${t}`);',
      'let empty = 0; while (empty++ < 3);',
      'const fn = () => { for (let i = 0; ; i++) if (i === 4) return i; };',
      'export const result = { log, k, empty, fn: fn() };',
    ].join('\n');
    const expected = await run(source);
    const guardedCode = guarded(source).code;
    expect(await run(guardedCode)).toEqual(expected);

    const seen = new Map<string, number>();
    expect(
      await run(guardedCode, (file, line, column) => {
        expect(file).toBe(REL);
        seen.set(`${line}:${column}`, (seen.get(`${line}:${column}`) ?? 0) + 1);
      }),
    ).toEqual(expected);
    // One call per turn of each loop.
    const turns = (marker: string) => seen.get(at(source, marker).join(':'));
    expect(turns('while (k')).toBe(5);
    expect(turns('do k')).toBe(3);
    expect(turns('for (const key')).toBe(2);
    expect(turns('while (empty')).toBe(3);
    expect(turns('for (let i = 0; ;')).toBe(5);
    expect(turns('for (let i = 0; i < 4')).toBe(4);
    expect(turns('for (let j')).toBe(2 + 3 + 4 + 1);
  });

  it('lets a loop run before its file’s preamble: a function called by a module that imports the file back', async () => {
    const files: Record<string, string> = {
      '/virtual/a.ts': "import { early } from './b.ts';\nexport function spin(n: number) { let i = 0; while (i < n) i++; return i; }\nexport const result = early;",
      '/virtual/b.ts': "import { spin } from './a.ts';\nexport const early = spin(3);",
    };
    const bundle = await build({
      entryPoints: ['/virtual/a.ts'],
      bundle: true,
      write: false,
      format: 'esm',
      logLevel: 'silent',
      plugins: [
        {
          name: 'virtual-guarded',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) => ({ path: args.kind === 'entry-point' ? args.path : path.posix.join('/virtual', args.path) }));
            b.onLoad({ filter: /.*/ }, (args) => ({ contents: guarded(files[args.path]!, args.path).code, loader: 'ts' }));
          },
        },
      ],
    });
    const js = bundle.outputFiles[0]!.text;
    expect(js).toContain(LOOP_GUARD_GLOBAL);
    expect(await run(js)).toBe(3);
  });

  it('maps every original token back to its line and column', () => {
    const source = [
      'export function f(xs: number[]): number {',
      '  let n = 0; for (const x of xs) n += x; if (n > 10) throw new Error("too big");',
      '  while (n < 0) n++; return n;',
      '}',
    ].join('\n');
    const { code, map } = guarded(source, FILE);
    expect(map).toBeDefined();
    const sourceMap = new SourceMap(JSON.parse(map!.toString()) as SourceMapPayload);
    const generated = code.split('\n');
    for (const marker of ['throw', 'new Error', 'return n', 'n += x', 'n++']) {
      const [line, column] = at(source, marker);
      const generatedLine = line - 1;
      const generatedColumn = generated[generatedLine]!.indexOf(marker);
      const entry = sourceMap.findEntry(generatedLine, generatedColumn) as { originalLine: number; originalColumn: number; originalSource: string };
      expect({ marker, line: entry.originalLine + 1, column: entry.originalColumn + 1 }).toEqual({ marker, line, column });
      expect(entry.originalSource).toMatch(/loops\.ts$/);
    }
    expect(map!.sourcesContent).toEqual([source]);
  });
});

describe('a compiled bundle with guarded loops', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const rootDir = path.resolve(here, '../..');
  const demoDir = path.join(here, 'fixtures/patterns/demo');
  const behaviourFile = path.relative(rootDir, path.join(demoDir, 'behaviour.ts')).split(path.sep).join('/');
  const source = [
    'export const behave = (): string => {',
    '  let n = 0; for (let i = 0; i < 3; i++) n += i; if (n === 3) throw new Error("boom " + n);',
    '  return "unreachable";',
    '};',
    'export const describeBehaviour = (): string => { let i = 0; while (i < 2) i++;',
    '  throw new Error("next line"); };',
  ].join('\n');

  it('names each loop in its guard, and its map points at the learner’s line and column', async () => {
    const result = await compileLab({ patternDir: demoDir, entry: 'lab.ts', kitDir: path.join(rootDir, 'patterns/kit'), overrides: { 'behaviour.ts': source } });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    try {
      for (const loop of ['for (let i', 'while (i']) {
        expect(result.code).toContain(`${LOOP_GUARD_GLOBAL}?.(${JSON.stringify(behaviourFile)}, ${at(source, loop).join(', ')})`);
      }
      // The bundle's map, decoded: esbuild composed the transform's map with its own, and
      // kept the learner's text (not the guarded one) as the source.
      const payload = JSON.parse(result.map) as SourceMapPayload;
      expect(payload.sourcesContent[payload.sources.indexOf(behaviourFile)]).toBe(source);
      const sourceMap = new SourceMap(payload);
      const lines = result.code.split('\n');
      for (const [text, marker] of [['"boom "', 'new Error("boom'], ['"next line"', 'new Error("next']] as const) {
        const line = lines.findIndex((l) => l.includes(text));
        const entry = sourceMap.findEntry(line, lines[line]!.indexOf('new Error')) as { originalLine: number; originalColumn: number };
        expect([entry.originalLine + 1, entry.originalColumn + 1]).toEqual(at(source, marker));
      }
    } finally {
      result.release();
    }
  });

  it('throws errors whose source-mapped stack names the learner’s line and column', async () => {
    // Bundled as the compiler does it (a plugin serving the guarded text), without the kit, and
    // run in a process of its own with Node's source maps on, as a sandbox process runs it.
    const dir = mkdtempSync(path.join(tmpdir(), 'loop-guard-'));
    try {
      const file = path.join(dir, 'behaviour.ts');
      writeFileSync(file, source);
      const outfile = path.join(dir, 'bundle.mjs');
      await build({
        entryPoints: [file],
        outfile,
        bundle: true,
        format: 'esm',
        platform: 'node',
        sourcemap: 'linked',
        logLevel: 'silent',
        plugins: [
          {
            name: 'loop-guards',
            setup(b) {
              b.onLoad({ filter: /\.ts$/ }, (args) => ({ contents: insertLoopGuards(args.path, readFileSync(args.path, 'utf8'), 'behaviour.ts').code, loader: 'ts' }));
            },
          },
        ],
      });
      const script = `
        const m = await import(${JSON.stringify(pathToFileURL(outfile).href)});
        for (const f of [m.behave, m.describeBehaviour]) try { f(); } catch (e) { console.log(e.stack.split('\\n')[1]); }`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script]);
      expect(stdout.trim().split('\n')).toEqual([
        expect.stringContaining(`behaviour.ts:${at(source, 'new Error("boom').join(':')})`),
        expect.stringContaining(`behaviour.ts:${at(source, 'new Error("next').join(':')})`),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
