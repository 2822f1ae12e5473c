import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../app.ts';
import { newestSource, webDistDir } from './web-build.ts';

describe('when the web app needs a rebuild', () => {
  const root = mkdtempSync(join(tmpdir(), 'web-build-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, seconds: number) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
    utimesSync(join(root, path), seconds, seconds);
  };
  write('web/src/main.tsx', 1000);
  write('web/index.html', 900);

  it('follows the web sources, and a pattern’s own view, which is bundled', () => {
    expect(newestSource(join(root, 'web'))).toBe(1000 * 1000);
    write('patterns/caching/heatmap.view.tsx', 2000);
    expect(newestSource(join(root, 'web'))).toBe(2000 * 1000);
  });

  it('ignores the rest of a pattern: the browser reads it through the API', () => {
    write('patterns/caching/lab.ts', 3000);
    write('patterns/caching/pattern.ts', 3000);
    write('patterns/new-one/README.md', 3000);
    expect(newestSource(join(root, 'web'))).toBe(2000 * 1000);
  });
});

describe('the web build the suite serves', () => {
  const dist = webDistDir(ROOT_DIR);
  const html = join(dist, 'index.html');

  // Built by the suite's global setup, in a process where vitest set NODE_ENV=test: React's
  // development build (a jsxDEV call and an owner stack per element) used to come out of it,
  // and `npm start` served it afterwards as up to date.
  it.skipIf(!existsSync(html))('is React built for production, whatever NODE_ENV the build was started under', () => {
    expect(process.env.NODE_ENV).toBe('test');
    const entry = /src="\/?(assets\/index-[^"]+\.js)"/.exec(readFileSync(html, 'utf8'))?.[1];
    expect(entry, 'the entry script in index.html').toBeDefined();
    const code = readFileSync(join(dist, entry!), 'utf8');
    // (Booleans, not the code: a failure must not print megabytes of it.)
    expect(/\.jsxDEV\(/.test(code), 'a jsxDEV call in the bundle').toBe(false);
    expect(code.includes('Minified React error'), "React's production build in the bundle").toBe(true);
  });
});
