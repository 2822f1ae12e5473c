/**
 * Compiles a pattern's lab, with the learner's edited files, into one ES module
 * the sandbox process imports. Pattern files are bundled; the kit is not: kit
 * imports stay external and point at the kit's prebuilt modules (prebuilt.ts),
 * so lab code and the run engine in the sandbox share one kit module instance
 * (one `DownstreamError` class, one `Emitter`). Every other import is refused here,
 * at compile time, with the line that asked for it; so are the ways of loading
 * code that no import names (a computed `import()`, `require`, `createRequire`:
 * see refused-calls.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Loader, type Message, type Plugin } from 'esbuild';
import { processDir } from '../process-dir.ts';
import { insertLoopGuards } from './loop-guard-transform.ts';
import { prebuiltKitUrl } from './prebuilt.ts';
import { findRefusedCalls } from './refused-calls.ts';

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
  /**
   * Gives up the caller's hold on the files (see holdBundle): once nobody holds them, the
   * bundle and its map are removed. Idempotent. A hold never released lapses a minute after
   * the compile, so a bundle that no sandbox took goes then at the latest.
   */
  release(): void;
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

/** Where bundles are written when no `outDir` is given (tests look there for leftovers). */
export const defaultBundleDir = bundleDir;

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
      // Bundling renames a class that collides with another file's (`Sender` becomes `Sender2`);
      // labs name instances by their class (`constructor.name`), as a learner's code may, so keep names.
      keepNames: true,
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
    holders.set(file, 1);
    const callerHold = toHold(file);
    // A caller that never releases its hold (it handed the bundle to sandboxes, which hold it
    // themselves) must not keep the files for the life of the process: the hold lapses.
    setTimeout(() => callerHold.dispose(), UNCLAIMED_BUNDLE_MS).unref();
    return {
      ok: true,
      code: js.text,
      map: map.text,
      file,
      url: pathToFileURL(file).href,
      warnings: result.warnings.map(toMessage),
      durationMs: performance.now() - started,
      release: () => callerHold.dispose(),
    };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) return { ok: false, errors: errors.map(toMessage) };
    return { ok: false, errors: [{ message: error instanceof Error ? error.message : String(error) }] };
  }
}

/** Deletes a bundle and its map. Only once every sandbox that imported it is done with it. */
export function removeBundle(file: string): void {
  holders.delete(file);
  rmSync(file, { force: true });
  rmSync(file + '.map', { force: true });
}

/**
 * Who still needs each bundle this process wrote. A bundle is needed from its compile until
 * every sandbox that loaded it is done with it: the sandbox reads the bundle when it imports
 * it, and its map whenever a stack is source-mapped. One bundle can serve several sandboxes (a save compiles once per lab and deploys into every run of it), so
 * each holds it, and the files go when the last hold is released: when a run stops, when
 * its code is replaced and the old code has drained, when a check or a trial load ends.
 */
const holders = new Map<string, number>();

/** How long the compile's own hold lasts when its caller does not release it (see CompiledLab.release). */
const UNCLAIMED_BUNDLE_MS = 60_000;

export interface BundleHold {
  /** Releases this hold (idempotent); the files go with the last one. */
  dispose(): void;
}

const toHold = (file: string): BundleHold => {
  let held = true;
  return {
    dispose() {
      if (!held) return;
      held = false;
      const count = holders.get(file);
      if (count === undefined) return;
      if (count > 1) holders.set(file, count - 1);
      else {
        try {
          removeBundle(file);
        } catch {
          // A file that will not go now goes with the process's folder when the workbench exits.
          holders.delete(file);
        }
      }
    },
  };
};

/**
 * Holds a bundle (its path or `file:` URL) for as long as a sandbox uses it. A bundle this
 * process did not write (a test's own file), or one already removed, is never touched: the
 * hold is then a no-op.
 */
export function holdBundle(fileOrUrl: string): BundleHold {
  let file: string;
  try {
    file = fileOrUrl.startsWith('file:') ? fileURLToPath(fileOrUrl) : path.resolve(fileOrUrl);
  } catch {
    return { dispose() {} };
  }
  const count = holders.get(file);
  if (count === undefined) return { dispose() {} };
  holders.set(file, count + 1);
  return toHold(file);
}

/**
 * The bundles one sandbox has loaded, as a run uses them: the code it runs now, and code it
 * ran before that may still be finishing requests. A replaced bundle is kept for `drainMs`
 * (the engine's drain limit, after which the old code is disposed), then released; all are
 * released when the sandbox has ended.
 */
export class LoadedBundles {
  private current: BundleHold | undefined;
  private readonly draining = new Map<BundleHold, ReturnType<typeof setTimeout>>();
  private ended = false;

  constructor(private readonly drainMs: number) {}

  /** `hold`'s bundle is now the code the sandbox runs; the previous one drains. */
  replace(hold: BundleHold): void {
    if (this.ended) {
      hold.dispose();
      return;
    }
    const previous = this.current;
    this.current = hold;
    if (!previous) return;
    const timer = setTimeout(() => {
      this.draining.delete(previous);
      previous.dispose();
    }, this.drainMs);
    // Nothing to wait for at exit: the process's folder goes with it.
    timer.unref();
    this.draining.set(previous, timer);
  }

  /** The sandbox has ended: nothing of it needs any bundle any more. */
  dispose(): void {
    this.ended = true;
    for (const [hold, timer] of this.draining) {
      clearTimeout(timer);
      hold.dispose();
    }
    this.draining.clear();
    this.current?.dispose();
    this.current = undefined;
  }
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
        // Each file is checked for require() as it loads (refused-calls.ts), so this is a second
        // line: a require() that esbuild resolves must never bundle anything, not even an own file.
        if (args.kind === 'require-call' || args.kind === 'require-resolve') {
          return { errors: [{ text: `require("${spec}") is not available in the lab sandbox: use an import at the top of the file.` }] };
        }
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

      // The kit is not bundled: the sandbox already loaded it (prebuilt, see prebuilt.ts), and
      // lab code must share that instance. A one-line facade re-exports the kit file's prebuilt
      // module; going through it (rather than marking the import external) lets a type
      // imported without `import type` compile to nothing instead of failing to link.
      b.onLoad({ filter: /.*/, namespace: KIT_NAMESPACE }, (args) => ({
        contents: `export * from ${JSON.stringify(prebuiltKitUrl(kitDir, path.resolve(rootDir, args.path)))};`,
        loader: 'js',
      }));
      b.onResolve({ filter: /^file:/, namespace: KIT_NAMESPACE }, (args) => ({ path: args.path, external: true }));

      // Every file is read here (the learner's text, or the file on disk) and checked for the
      // loading that no import names before esbuild bundles it: its errors point at the line.
      b.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        let source = overrides.get(args.path);
        if (source === undefined) {
          if (!existsSync(args.path)) return { errors: [{ text: `Cannot read ${rel(args.path)}.` }] };
          try {
            source = readFileSync(args.path, 'utf8');
          } catch {
            return { errors: [{ text: `Cannot read ${rel(args.path)}.` }] };
          }
        }
        const loader = loaderFor(args.path);
        const refused = loader === 'json' ? [] : findRefusedCalls(args.path, source);
        if (refused.length > 0) {
          return {
            errors: refused.map(({ message, line, column, lineText }) => ({
              text: message,
              location: { file: rel(args.path), line, column, lineText },
            })),
          };
        }
        // Every loop of the file reports itself if it blocks the event loop (loop-guard-transform.ts).
        const contents = loader === 'json' ? source : insertLoopGuards(args.path, source, rel(args.path)).code;
        return { contents, loader, resolveDir: path.dirname(args.path) };
      });
    },
  };
}
