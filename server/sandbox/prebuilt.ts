/**
 * The sandbox's own code, compiled ahead: a sandbox process runs plain
 * JavaScript, with no TypeScript loader registered in it (registering one
 * costs a few hundred milliseconds per process, and needs read access to
 * the whole of node_modules).
 *
 * Two layers, so that every module is loaded once per process:
 *
 * - the runtime: every kit file and the sandbox's guards, built in one go with
 *   code splitting, so each keeps its own module (one `DownstreamError` class,
 *   one `Emitter`, one set of guards) whichever bundle imports it;
 * - entries (the run engine, the trial loader, the checks runner): each
 *   bundled with its npm dependencies, its imports of the kit and the guards
 *   left pointing at the runtime's modules. Lab bundles point there too (see
 *   compile.ts), so lab code and the engine share the kit.
 *
 * Both are written to a folder of this process's own, once, on first use.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { processDir } from '../process-dir.ts';

/** The workbench's root: the kit and the sandbox runtime are its own files. */
const WORKBENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));
const KIT_DIR = path.join(WORKBENCH_DIR, 'patterns', 'kit');
const SANDBOX_DIR = path.join(WORKBENCH_DIR, 'server', 'sandbox');

/**
 * Sandbox modules that hold state for the whole process, or classes that must be one (the SQL
 * client and its errors): one instance each, shared by every entry.
 */
const RUNTIME_MODULES = ['child-main.ts', 'guards.ts', 'sql-channel.ts'].map((file) => path.join(SANDBOX_DIR, file));

/** Where the prebuilt code lives; the sandbox processes may read it. */
export const prebuiltDir = (): string => processDir('patterns-workbench-engine');

const kitFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return kitFiles(file);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [file] : [];
  });

/** The prebuilt module of a runtime source file (a kit file or a runtime module): `.ts` → `.mjs`. */
const outputOf = (sourceFile: string): string =>
  path.join(prebuiltDir(), 'runtime', path.relative(WORKBENCH_DIR, sourceFile).replace(/\.ts$/, '.mjs'));

const isRuntimeSource = (file: string): boolean =>
  RUNTIME_MODULES.includes(file) || (file.startsWith(KIT_DIR + path.sep) && !file.endsWith('.test.ts'));

let runtime: Promise<void> | undefined;

/** Builds the runtime (once per process). */
export function buildRuntime(): Promise<void> {
  runtime ??= build({
    absWorkingDir: WORKBENCH_DIR,
    entryPoints: [...kitFiles(KIT_DIR), ...RUNTIME_MODULES],
    outbase: WORKBENCH_DIR,
    outdir: path.join(prebuiltDir(), 'runtime'),
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
  }).then(
    () => undefined,
    (error: unknown) => {
      runtime = undefined;
      throw error;
    },
  );
  return runtime;
}

/**
 * The URL of the prebuilt module of a kit file (`…/patterns/kit/clock.ts`), for a lab bundle
 * to import. `kitDir` is the kit the lab was compiled against; the sandbox runs the
 * workbench's own kit, so a file is found by its place in the kit.
 */
export function prebuiltKitUrl(kitDir: string, kitFile: string): string {
  return pathToFileURL(outputOf(path.join(KIT_DIR, path.relative(kitDir, kitFile)))).href;
}

/** The path of the sandbox process's first module (see child-main.ts). */
export async function prebuiltChildMain(): Promise<string> {
  await buildRuntime();
  return outputOf(path.join(SANDBOX_DIR, 'child-main.ts'));
}

/** Leaves imports of the runtime's files external, pointing at their prebuilt modules. */
const runtimeExternal: Plugin = {
  name: 'sandbox-runtime-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const file = path.resolve(args.resolveDir, args.path);
      return isRuntimeSource(file) ? { path: pathToFileURL(outputOf(file)).href, external: true } : undefined;
    });
  },
};

const entries = new Map<string, Promise<string>>();
let entryCount = 0;

/**
 * The prebuilt module of an entry a sandbox runs (`server/runs/run-entry.ts`), as a file
 * URL; built on first use. The entry's own imports are bundled with it, npm packages
 * included; the kit and the guards are imported from the runtime.
 */
export function prebuiltEntry(entry: string | URL): Promise<string> {
  const source = entry instanceof URL ? fileURLToPath(entry) : path.resolve(entry);
  let built = entries.get(source);
  if (!built) {
    built = (async () => {
      await buildRuntime();
      const outfile = path.join(prebuiltDir(), 'entries', `${path.basename(source, path.extname(source))}-${++entryCount}.mjs`);
      await build({
        absWorkingDir: WORKBENCH_DIR,
        entryPoints: [source],
        outfile,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        sourcemap: 'linked',
        logLevel: 'silent',
        // Native addons cannot load in a sandbox (the permission model refuses them): none may be bundled.
        plugins: [runtimeExternal],
        // Bundled CommonJS packages call require() for Node's built-ins.
        banner: { js: "import { createRequire as __workbenchCreateRequire } from 'node:module'; const require = __workbenchCreateRequire(import.meta.url);" },
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
      });
      if (!existsSync(outfile)) throw new Error(`esbuild wrote no bundle for ${source}`);
      return pathToFileURL(outfile).href;
    })();
    entries.set(source, built);
    built.catch(() => entries.delete(source));
  }
  return built;
}
