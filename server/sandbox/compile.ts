/**
 * Compiles a pattern's lab, with the learner's edited files, into one ES module
 * the sandbox worker imports. Pattern files are bundled; the kit is not: kit
 * imports stay external and point at the kit's own `.ts` files, so lab code and
 * the run engine in the worker share one kit module instance (one
 * `DownstreamError` class, one `Emitter`). Every other import is refused here,
 * at compile time, with the line that asked for it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Loader, type Message, type Plugin } from 'esbuild';
import { processDir } from '../process-dir.ts';

export interface CompileOptions {
  /** Absolute path of the pattern folder (`…/patterns/circuit-breaker`). */
  patternDir: string;
  /** The module to compile, relative to the pattern folder (`lab.ts`). */
  entry: string;
  /** Learner sources by file relative to the pattern folder; they replace the files on disk. */
  overrides?: Record<string, string>;
  /** Absolute path of the kit folder (`…/patterns/kit`). */
  kitDir: string;
  /**
   * Further folders whose files may be bundled and may import the pattern's
   * files: an exercise's checks. The entry may live in one of them.
   */
  extraDirs?: string[];
  /**
   * The project root: paths in errors and source maps are relative to it.
   * Default: two levels above the kit (`patterns/kit` → the project).
   */
  rootDir?: string;
  /** Where bundles are written. Default: a per-process folder in the OS temp dir. */
  outDir?: string;
}

/** A compile diagnostic. `line` and `column` are 1-based, as an editor shows them. */
export interface CompileMessage {
  message: string;
  /** Relative to the project root, e.g. `patterns/circuit-breaker/circuit-breaker.ts`. */
  file?: string;
  line?: number;
  column?: number;
}

export interface CompiledLab {
  ok: true;
  /** The bundle's code (ESM), ending with a `sourceMappingURL` comment. */
  code: string;
  /** The source map (JSON text): `sources` relative to the project root, `sourceRoot` its file URL. */
  map: string;
  /** Absolute path of the written `.mjs` bundle; its map sits beside it as `<file>.map`. */
  file: string;
  /** `file` as a `file://` URL, ready for `import()`. */
  url: string;
  warnings: CompileMessage[];
  /** Time spent in esbuild and writing the files, in ms. */
  durationMs: number;
}

export interface CompileFailure {
  ok: false;
  errors: CompileMessage[];
}

export type CompileResult = CompiledLab | CompileFailure;

const KIT_NAMESPACE = 'sandbox-kit';
/** Imports of SQL database drivers (better-sqlite3, node:sqlite, sqlite3, pg, mysql2, …). */
const DATABASE_DRIVER = /^(node:)?(better-sqlite3|sqlite3?|pg|postgres|mysql2?|sql\.js|@libsql\/.*|libsql)(\/.*)?$/;
const SOURCE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

const loaderFor = (file: string): Loader =>
  file.endsWith('.ts') || file.endsWith('.mts') ? 'ts' : file.endsWith('.json') ? 'json' : 'js';

const isInside = (dir: string, file: string): boolean => {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

const isFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * The file an import names, trying what TypeScript users write: the exact
 * path, a `.js` spelling of a `.ts` file, no extension, or a folder's index.
 */
const resolveFile = (target: string, exists: (file: string) => boolean): string | undefined => {
  const candidates = [target];
  if (/\.m?js$/.test(target)) candidates.push(target.replace(/\.(m?)js$/, '.$1ts'));
  if (!path.extname(target)) {
    for (const ext of SOURCE_EXTENSIONS) candidates.push(target + ext);
    for (const ext of SOURCE_EXTENSIONS) candidates.push(path.join(target, 'index' + ext));
  }
  return candidates.find(exists);
};

const toMessage = (m: Message): CompileMessage => {
  const text = m.notes.length ? `${m.text} (${m.notes.map((n) => n.text).join('; ')})` : m.text;
  if (!m.location) return { message: text };
  return {
    message: text,
    file: m.location.file.split(path.sep).join('/'),
    line: m.location.line,
    column: m.location.column + 1,
  };
};

/** Bundles go to a folder of this process's own (see processDir). */
const bundleDir = (): string => processDir('patterns-workbench-sandbox');

let bundleCount = 0;

/** Compiles `entry` of a pattern with the learner's overrides. Never throws on bad user code. */
export async function compileLab(options: CompileOptions): Promise<CompileResult> {
  const started = performance.now();
  const patternDir = path.resolve(options.patternDir);
  const kitDir = path.resolve(options.kitDir);
  const rootDir = path.resolve(options.rootDir ?? path.join(kitDir, '..', '..'));

  const overrides = new Map<string, string>();
  for (const [name, source] of Object.entries(options.overrides ?? {})) {
    const abs = path.resolve(patternDir, name);
    if (!isInside(patternDir, abs)) {
      return { ok: false, errors: [{ message: `Edited file "${name}" is not inside the pattern folder.` }] };
    }
    overrides.set(abs, source);
  }

  const hash = createHash('sha256');
  for (const [file, source] of [...overrides].sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(file).update('\0').update(source).update('\0');
  }
  const name = `${path.basename(patternDir)}-${path.basename(options.entry).replace(/\.[^.]+$/, '')}-${hash
    .digest('hex')
    .slice(0, 8)}-${++bundleCount}.mjs`;
  const outDir = options.outDir ? path.resolve(options.outDir) : bundleDir();

  try {
    const result = await build({
      absWorkingDir: rootDir,
      entryPoints: [path.resolve(patternDir, options.entry)],
      // A virtual place at the root: it makes the map's `sources` root-relative.
      outfile: path.join(rootDir, name),
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      sourceRoot: pathToFileURL(rootDir).href + '/',
      sourcesContent: true,
      logLevel: 'silent',
      // Explicit, so a lab compiles the same whatever tsconfig sits above it. Imports are kept
      // as written (as the project's tsconfig says), so every import is checked, used or not.
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
      plugins: [
        sandboxPlugin({ patternDir, kitDir, rootDir, overrides, extraDirs: (options.extraDirs ?? []).map((d) => path.resolve(d)) }),
      ],
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
    if (!js || !map) throw new Error('esbuild produced no bundle');
    const file = path.join(outDir, name);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(file + '.map', map.text);
    writeFileSync(file, js.text);
    return {
      ok: true,
      code: js.text,
      map: map.text,
      file,
      url: pathToFileURL(file).href,
      warnings: result.warnings.map(toMessage),
      durationMs: performance.now() - started,
    };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) return { ok: false, errors: errors.map(toMessage) };
    return { ok: false, errors: [{ message: error instanceof Error ? error.message : String(error) }] };
  }
}

/**
 * Deletes a bundle and its map. Only once every worker that imported it has ended: the
 * watchdog reads the map to name the line a stuck worker is on.
 */
export function removeBundle(file: string): void {
  rmSync(file, { force: true });
  rmSync(file + '.map', { force: true });
}

interface PluginOptions {
  patternDir: string;
  extraDirs: string[];
  kitDir: string;
  rootDir: string;
  overrides: Map<string, string>;
}

function sandboxPlugin({ patternDir, kitDir, rootDir, overrides, extraDirs }: PluginOptions): Plugin {
  const inAllowedDirs = (file: string) => [patternDir, ...extraDirs].some((dir) => isInside(dir, file));
  const exists = (file: string) => overrides.has(file) || isFile(file);
  const rel = (file: string) => path.relative(rootDir, file).split(path.sep).join('/');
  const allowed = (fromDir: string): string => {
    let kit = path.relative(fromDir, path.join(kitDir, 'index.ts')).split(path.sep).join('/');
    if (!kit.startsWith('.')) kit = './' + kit;
    return `pattern code may import only files of its own folder (${rel(patternDir)}/) and the kit ("${kit}")`;
  };

  return {
    name: 'workbench-sandbox',
    setup(b) {
      b.onResolve({ filter: /.*/, namespace: 'file' }, (args) => {
        if (args.kind === 'entry-point') {
          const file = resolveFile(args.path, exists);
          if (!file || !inAllowedDirs(file)) return { errors: [{ text: `Cannot find the lab module "${rel(args.path)}".` }] };
          return { path: file };
        }
        const spec = args.path;
        const isPath = spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || path.isAbsolute(spec);
        if (!isPath) {
          const what = spec.startsWith('node:') || builtinModules.includes(spec) ? 'a Node built-in module' : 'a package';
          // A database driver is the one a learner is most likely to reach for: say what to use instead.
          const instead = DATABASE_DRIVER.test(spec) ? ' A lab gets its database from the run: use ctx.db (the run\'s own SQLite database).' : '';
          return { errors: [{ text: `Import "${spec}" is not allowed: it is ${what}, and ${allowed(args.resolveDir)}.${instead}` }] };
        }
        const target = path.resolve(args.resolveDir, spec);
        if (target === kitDir || isInside(kitDir, target)) {
          const file = resolveFile(target === kitDir ? path.join(kitDir, 'index.ts') : target, isFile);
          if (!file) return { errors: [{ text: `Import "${spec}": there is no such file in the kit (${rel(kitDir)}/).` }] };
          return { path: rel(file), namespace: KIT_NAMESPACE };
        }
        if (!inAllowedDirs(target)) {
          return { errors: [{ text: `Import "${spec}" is not allowed: it leaves the pattern folder, and ${allowed(args.resolveDir)}.` }] };
        }
        const file = resolveFile(target, exists);
        if (!file) return { errors: [{ text: `Import "${spec}": no such file in the pattern folder (${rel(target)}).` }] };
        return { path: file };
      });

      // The kit is not bundled: the worker already loaded it, and lab code must share that
      // instance. A one-line facade re-exports the kit file from its URL; going through it
      // (rather than marking the import external) lets a type imported without `import type`
      // compile to nothing instead of failing to link in the worker.
      b.onLoad({ filter: /.*/, namespace: KIT_NAMESPACE }, (args) => ({
        contents: `export * from ${JSON.stringify(pathToFileURL(path.resolve(rootDir, args.path)).href)};`,
        loader: 'js',
      }));
      b.onResolve({ filter: /^file:/, namespace: KIT_NAMESPACE }, (args) => ({ path: args.path, external: true }));

      b.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        const source = overrides.get(args.path);
        if (source !== undefined) return { contents: source, loader: loaderFor(args.path), resolveDir: path.dirname(args.path) };
        if (!existsSync(args.path)) return { errors: [{ text: `Cannot read ${rel(args.path)}.` }] };
        return undefined;
      });
    },
  };
}
