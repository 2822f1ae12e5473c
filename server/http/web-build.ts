/**
 * The browser app's build. `npm start` builds it when the build is missing or
 * older than its sources, so a fresh clone needs no separate build step.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const { build } = await import('vite');
  await build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stampPath, String(sources));
  log?.info({ ms: Math.round(performance.now() - started) }, 'web app built');
  return dist;
};
