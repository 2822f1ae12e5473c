import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { holdBundle, LoadedBundles, removeBundle } from './compile.ts';
import { prebuiltKitUrl } from './prebuilt.ts';
import { behaviour, compileDemo, compileDemoOk, demoFile, kitDir, lineOf } from './fixtures/harness.ts';

const behaviourFile = demoFile('behaviour.ts');

describe('compileLab', () => {
  it('bundles the pattern files and writes the bundle with its source map beside it', async () => {
    const result = await compileDemoOk();
    expect(result.file).toMatch(/\.mjs$/);
    expect(readFileSync(result.file, 'utf8')).toBe(result.code);
    expect(readFileSync(result.file + '.map', 'utf8')).toBe(result.map);
    expect(result.url).toBe(pathToFileURL(result.file).href);
    expect(result.code).toContain('reference behaviour');
    expect(result.code).toContain('n * 2'); // util/math.ts, a nested folder of the pattern
    removeBundle(result.file);
  });

  it('serves the learner overrides instead of the files on disk', async () => {
    const result = await compileDemoOk({ 'behaviour.ts': behaviour(`export const behave = (): string => 'edited';`) });
    expect(result.code).toContain('edited');
    expect(result.code).not.toContain('reference behaviour');
  });

  it('lets an edited file import a new file that exists only as an override', async () => {
    const result = await compileDemoOk({
      'behaviour.ts': behaviour(`import { extra } from './extra.ts';`, `export const behave = (): string => extra;`),
      'extra.ts': `export const extra = 'only in the editor';`,
    });
    expect(result.code).toContain('only in the editor');
  });

  it('keeps the kit out of the bundle and imports it from the prebuilt kit the sandbox runs', async () => {
    const result = await compileDemoOk();
    expect(result.code).toContain(`from ${JSON.stringify(prebuiltKitUrl(kitDir, `${kitDir}/index.ts`))}`);
    expect(result.code).not.toMatch(/class DownstreamError/);
  });

  it('writes source map paths relative to the project root', async () => {
    const map = JSON.parse((await compileDemoOk()).map) as { sources: string[]; sourceRoot: string };
    expect(map.sources).toContain(behaviourFile);
    expect(map.sources).toContain(demoFile('lab.ts'));
    expect(map.sourceRoot).toMatch(/^file:\/\/.*\/$/);
  });

  it('compiles a type imported from the kit without `import type`', async () => {
    const source = behaviour(`import { Clock } from '../../../../../patterns/kit/index.ts';`, `export const behave = (clock?: Clock): string => String(clock);`);
    expect((await compileDemo({ 'behaviour.ts': source })).ok).toBe(true);
  });

  describe('refuses imports outside the allow-list, at the import', () => {
    it.each([
      ['a node: built-in', `import { readFileSync } from 'node:fs';`, 'node:fs', /Node built-in/],
      ['a bare built-in', `import fs from 'fs';`, 'fs', /Node built-in/],
      ['child_process', `import { exec } from 'child_process';`, 'child_process', /Node built-in/],
      ['an npm package', `import express from 'express';`, 'express', /package/],
      ['server code', `import { compileLab } from '../../../compile.ts';`, '../../../compile.ts', /leaves the pattern folder/],
      ['another pattern', `import { x } from '../other/x.ts';`, '../other/x.ts', /leaves the pattern folder/],
      ['a re-export', `export * from 'node:os';`, 'node:os', /Node built-in/],
      ['a literal dynamic import', `export const load = () => import('node:net');`, 'node:net', /Node built-in/],
    ])('%s', async (_name, importLine, spec, reason) => {
      const source = behaviour('// an edited file', importLine, `export const behave = (): string => 'x';`);
      const result = await compileDemo({ 'behaviour.ts': source });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toHaveLength(1);
      const [error] = result.errors;
      expect(error).toMatchObject({ file: behaviourFile, line: 2, column: importLine.lastIndexOf(spec) });
      expect(error!.message).toContain(`"${spec}"`);
      expect(error!.message).toMatch(reason);
      // It says what is allowed.
      expect(error!.message).toContain('the kit ("../../../../../patterns/kit/index.ts")');
    });

    // ctx.db is the lab's database: the driver behind it stays out of reach, and the error says what to use.
    it.each([
      ['better-sqlite3', `import Database from 'better-sqlite3';`, 'better-sqlite3', /a package/],
      ['node:sqlite', `import { DatabaseSync } from 'node:sqlite';`, 'node:sqlite', /Node built-in|a package/],
      ['a dynamic import of better-sqlite3', `export const open = () => import('better-sqlite3');`, 'better-sqlite3', /a package/],
    ])('a database driver: %s, pointing at ctx.db', async (_name, importLine, spec, reason) => {
      const source = behaviour(importLine, `export const behave = (): string => 'x';`);
      const result = await compileDemo({ 'behaviour.ts': source });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ file: behaviourFile, line: 1 });
      expect(result.errors[0]!.message).toContain(`Import "${spec}" is not allowed`);
      expect(result.errors[0]!.message).toMatch(reason);
      expect(result.errors[0]!.message).toContain('use ctx.db');
    });

    it('reports every bad import, each with its own line', async () => {
      const source = behaviour(`import 'node:fs';`, `import 'child_process';`, `export const behave = (): string => 'x';`);
      const result = await compileDemo({ 'behaviour.ts': source });
      expect(result.ok ? [] : result.errors.map((e) => e.line)).toEqual([1, 2]);
    });
  });

  describe('refuses the loading that no import names, at its line', () => {
    it.each([
      ['a computed import()', `export const load = (name: string) => import(name);`, 'import(name)', /import\(\) with a computed name is not allowed in the lab sandbox/],
      ['a template import()', 'export const load = (x: string) => import(`./${x}`);', 'import(`', /import\(\) with a computed name/],
      ['a template import() leaving the folder', 'export const load = (x: string) => import(`../../../../${x}`);', 'import(`', /computed name/],
      ['require() of a built-in', `const fs = require('fs');`, "require('fs')", /require\(\) is not available in the lab sandbox/],
      ['require() of an own file', `const m = require('./util/math.ts');`, 'require(', /require\(\) is not available/],
      ['a computed require()', `export const load = (name: string) => require(name);`, 'require(name)', /require\(\) is not available/],
      ['require.resolve', `export const where = () => require.resolve('fs');`, 'require.resolve', /require\(\) is not available/],
      ['module.createRequire', `export const make = (module: any) => module.createRequire(import.meta.url);`, 'module.createRequire', /createRequire is not available in the lab sandbox/],
      ['a computed createRequire', `export const make = (m: any) => m['createRequire']('/');`, "m['createRequire']", /createRequire is not available/],
    ])('%s', async (_name, codeLine, at, reason) => {
      const source = behaviour('// an edited file', codeLine, `export const behave = (): string => 'x';`);
      const result = await compileDemo({ 'behaviour.ts': source });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ file: behaviourFile, line: 2, column: codeLine.indexOf(at) + 1 });
      expect(result.errors[0]!.message).toMatch(reason);
    });

    it('keeps an import() of an own file written as a plain string, and words in strings and comments', async () => {
      const source = behaviour(
        `// require('fs') and import(name) in a comment`,
        `const words = "require('fs'), import(name), createRequire";`,
        `export const load = () => import('./util/math.ts');`,
        'export const load2 = () => import(`./util/math.ts`);',
        `export const behave = (): string => words;`,
      );
      const result = await compileDemoOk({ 'behaviour.ts': source });
      expect(result.code).toContain('n * 2'); // util/math.ts, bundled for the import()
    });

    it('reports every refused call of a file', async () => {
      const source = behaviour(`const a = require('fs');`, `const b = (n: string) => import(n);`, `export const behave = (): string => 'x';`);
      const result = await compileDemo({ 'behaviour.ts': source });
      expect(result.ok ? [] : result.errors.map((e) => e.line)).toEqual([1, 2]);
    });
  });

  describe('bundle lifetime: the files go with the last hold', () => {
    const exists = (file: string) => existsSync(file) && existsSync(file + '.map');
    const gone = (file: string) => !existsSync(file) && !existsSync(file + '.map');

    it('keeps a bundle while anyone holds it, and removes it and its map with the last hold', async () => {
      const result = await compileDemoOk();
      const a = holdBundle(result.url);
      const b = holdBundle(result.file);
      result.release();
      result.release(); // idempotent: it does not take another holder's hold
      expect(exists(result.file)).toBe(true);
      a.dispose();
      a.dispose();
      expect(exists(result.file)).toBe(true);
      b.dispose();
      expect(gone(result.file)).toBe(true);
      // Holding a bundle that is gone (or was never written here) touches nothing.
      holdBundle(result.url).dispose();
      holdBundle(import.meta.filename).dispose();
      expect(existsSync(import.meta.filename)).toBe(true);
    });

    it('as a run loads them: a replaced bundle goes after the drain, the rest when the sandbox has ended', async () => {
      const [first, second] = [await compileDemoOk(), await compileDemoOk()];
      const loaded = new LoadedBundles(50);
      loaded.replace(holdBundle(first.url));
      first.release();
      loaded.replace(holdBundle(second.url));
      second.release();
      expect(exists(first.file)).toBe(true); // the old code may still be finishing requests
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(gone(first.file)).toBe(true);
      expect(exists(second.file)).toBe(true);
      loaded.dispose();
      expect(gone(second.file)).toBe(true);
    });
  });

  it('reports a syntax error with file, line and column', async () => {
    const source = behaviour(`export function behave(): string {`, `  return (1 +;`, `}`);
    const result = await compileDemo({ 'behaviour.ts': source });
    expect(result).toEqual({
      ok: false,
      errors: [{ message: 'Unexpected ";"', file: behaviourFile, line: lineOf(source, '(1 +;'), column: 14 }],
    });
  });

  it('reports a malformed type annotation with its line and column', async () => {
    const source = behaviour(`export function behave(): string {`, `  let x: = 3;`, `  return String(x);`, `}`);
    const result = await compileDemo({ 'behaviour.ts': source });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ file: behaviourFile, line: 2, column: 10 });
  });

  it('reports an import of a missing pattern file', async () => {
    const source = behaviour(`import { y } from './missing.ts';`, `export const behave = (): string => y;`);
    const result = await compileDemo({ 'behaviour.ts': source });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ file: behaviourFile, line: 1, message: expect.stringContaining('no such file') });
  });

  it('refuses an override outside the pattern folder', async () => {
    const result = await compileDemo({ '../escape.ts': 'export {}' });
    expect(result.ok).toBe(false);
  });
});
