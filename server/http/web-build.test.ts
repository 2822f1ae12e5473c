import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newestSource } from './web-build.ts';

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
