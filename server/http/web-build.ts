/**
 * The browser app's build. `npm start` builds it when the build is missing or
 * older than its sources, so a fresh clone needs no separate build step.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

const STAMP = '.build-stamp';

/**
 * The newest modification time among the web app's sources: web/ itself and
 * patterns' own views (`patterns/<id>/<name>.view.tsx`, bundled for a lab's
 * `custom` view). Nothing else of a pattern is in the bundle: the browser reads
 * manifests and sources through the API, so editing or adding a pattern
 * never rebuilds the web app.
 */
export const newestSource = (webDir: string): number => {
  let newest = 0;
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const name of ['src', 'index.html', 'vite.config.ts']) {
    const path = join(webDir, name);
    if (existsSync(path)) visit(path);
  }
  const patternsDir = join(webDir, '..', 'patterns');
  if (existsSync(patternsDir)) {
    for (const pattern of readdirSync(patternsDir, { withFileTypes: true })) {
      if (!pattern.isDirectory()) continue;
      for (const file of readdirSync(join(patternsDir, pattern.name))) {
        if (file.endsWith('.view.tsx')) visit(join(patternsDir, pattern.name, file));
      }
    }
  }
  return newest;
};

const viteBin = (): string => {
  const packageJson = createRequire(import.meta.url).resolve('vite/package.json');
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: { vite: string } };
  return join(dirname(packageJson), bin.vite);
};

/**
 * `vite build` in a process of its own, with NODE_ENV=production whatever the
 * caller's is. Vite (and the React plugin) build for development when
 * NODE_ENV says so, and vitest sets it to `test`: a build made by the test
 * suite's set-up used to ship React's development build (jsxDEV, owner stacks
 * on every element, several times slower), which `npm start` then served as
 * up to date. In a child process the caller's environment stays as it is, and
 * the server does not keep Vite in its memory.
 */
const buildForProduction = async (webDir: string): Promise<void> => {
  try {
    await promisify(execFile)(process.execPath, [viteBin(), 'build', '--config', join(webDir, 'vite.config.ts'), '--logLevel', 'warn'], {
      cwd: webDir,
      env: { ...process.env, NODE_ENV: 'production' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`the web app's build failed:\n${stderr || stdout || (error as Error).message}`);
  }
};

export const webDistDir = (rootDir: string): string => join(rootDir, 'web', 'dist');

/** Builds the web app unless an up-to-date build exists; returns the folder to serve. */
export const ensureWebBuild = async (rootDir: string, log?: Logger): Promise<string> => {
  const webDir = join(rootDir, 'web');
  const dist = webDistDir(rootDir);
  const sources = newestSource(webDir);
  const stampPath = join(dist, STAMP);
  const built = existsSync(stampPath) ? Number(readFileSync(stampPath, 'utf8')) : 0;
  if (existsSync(join(dist, 'index.html')) && built >= sources) return dist;
  log?.info('building the web app (first start, or its sources changed)…');
  const started = performance.now();
  await buildForProduction(webDir);
  writeFileSync(stampPath, String(sources));
  log?.info({ ms: Math.round(performance.now() - started) }, 'web app built');
  return dist;
};
