/**
 * GET /api/patterns/:id/sources: the kit's and the pattern's own `.ts` files, which the
 * browser's editor type-checks against. They come from disk when asked, not from the web
 * bundle, so a pattern is one folder: a file added or edited there shows on the next request.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatternManifest } from '../../patterns/kit/index.ts';
import type { PatternSources } from '../../server/protocol/api.ts';
import { startWorkbench, type Workbench } from '../../server/app.ts';
import { BREAKER_FILE, httpRequest, PATTERN, ROOT_DIR, SLOW, startTestWorkbench, TOKEN, type TestWorkbench } from './helpers.ts';

/** What the route should serve from `dir` (a folder of `patterns/`), walked here independently of the server's code. */
const onDisk = (patternsDir: string, folder: string): Map<string, string> =>
  new Map(
    (readdirSync(join(patternsDir, folder), { recursive: true, encoding: 'utf8' }) as string[])
      .map((file) => file.split(/[\\/]/).join('/'))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => [`patterns/${folder}/${file}`, readFileSync(join(patternsDir, folder, file), 'utf8')]),
  );

const paths = (body: PatternSources): string[] => body.files.map((file) => file.path);

describe('GET /api/patterns/:id/sources on the shipped patterns', () => {
  let tw: TestWorkbench;
  beforeAll(async () => {
    tw = await startTestWorkbench();
  }, SLOW);
  afterAll(async () => {
    await tw?.close();
  }, SLOW);

  it('answers the kit and the pattern’s own files, as they are on disk, kit first and each sorted', async () => {
    const res = await tw.api<PatternSources>('GET', `/api/patterns/${PATTERN}/sources`);
    expect(res.status).toBe(200);
    const patternsDir = join(ROOT_DIR, 'patterns');
    const expected = new Map([...onDisk(patternsDir, 'kit'), ...onDisk(patternsDir, PATTERN)]);
    expect(new Map(res.body.files.map((file) => [file.path, file.content]))).toEqual(expected);

    const served = paths(res.body);
    // Nested folders of the kit too: `patterns/kit/views/…`.
    expect(served).toEqual(expect.arrayContaining(['patterns/kit/index.ts', 'patterns/kit/views/index.ts', `patterns/${PATTERN}/lab.ts`, `patterns/${PATTERN}/${BREAKER_FILE}`]));
    const kit = served.filter((path) => path.startsWith('patterns/kit/'));
    expect(served.slice(0, kit.length)).toEqual(kit);
    expect(kit).toEqual(kit.toSorted());
    expect(served.slice(kit.length)).toEqual(served.slice(kit.length).toSorted());
  });

  it('leaves out tests and every other pattern’s files', async () => {
    const served = paths((await tw.api<PatternSources>('GET', `/api/patterns/${PATTERN}/sources`)).body);
    expect(served.filter((path) => path.endsWith('.test.ts'))).toEqual([]);
    expect(served.filter((path) => !path.startsWith('patterns/kit/') && !path.startsWith(`patterns/${PATTERN}/`))).toEqual([]);
    // The shipped folder has tests beside the sources: they are really there, and really left out.
    expect(readdirSync(join(ROOT_DIR, 'patterns', PATTERN)).some((name) => name.endsWith('.test.ts'))).toBe(true);

    const other = await tw.api<PatternSources>('GET', '/api/patterns/event-bus/sources');
    expect(other.status).toBe(200);
    expect(paths(other.body).some((path) => path.startsWith(`patterns/${PATTERN}/`))).toBe(false);
    expect(paths(other.body).some((path) => path.startsWith('patterns/event-bus/'))).toBe(true);
  });

  it('serves the editable files as shipped: the learner’s saved version comes from the files route', async () => {
    const shipped = await tw.reference(BREAKER_FILE);
    const edited = `${shipped}\n// an edit the learner saved\n`;
    expect((await tw.saveFile(BREAKER_FILE, edited)).status).toBe(200);
    try {
      const sources = await tw.api<PatternSources>('GET', `/api/patterns/${PATTERN}/sources`);
      expect(sources.body.files.find((file) => file.path === `patterns/${PATTERN}/${BREAKER_FILE}`)?.content).toBe(shipped);
      expect((await tw.api('GET', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}`)).body.content).toBe(edited);
    } finally {
      await tw.api('POST', `/api/patterns/${PATTERN}/files/${BREAKER_FILE}/reset`);
    }
  }, SLOW);

  it('answers 404 for a pattern it does not have (the kit is not a pattern)', async () => {
    for (const id of ['no-such-pattern', 'kit', '..']) {
      const res = await tw.api('GET', `/api/patterns/${encodeURIComponent(id)}/sources`);
      expect(res.status, id).toBe(404);
      expect(res.body.error.status).toBe(404);
    }
    expect((await tw.api('GET', '/api/patterns/no-such-pattern/sources')).body.error.message).toBe("pattern 'no-such-pattern' not found");
  });

  it('wants the token', async () => {
    const res = await tw.api('GET', `/api/patterns/${PATTERN}/sources`, undefined, { token: null });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('export ');
  });

  it('tags the answer so an unchanged one is a 304', async () => {
    const first = await tw.api('GET', `/api/patterns/${PATTERN}/sources`);
    const etag = first.headers.etag;
    expect(etag).toBeTruthy();
    const again = await tw.api('GET', `/api/patterns/${PATTERN}/sources`, undefined, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
  });
});

/**
 * A workbench over a patterns folder of its own, so the test can change it on disk: a small
 * kit (with a nested folder), the pattern `tiny` and another pattern beside it.
 */
describe('the sources follow the pattern’s folder on disk, without a rebuild', () => {
  let root: string;
  let workbench: Workbench;
  const write = (path: string, content: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  /**
   * A manifest with no labs, written as plain data so it imports nothing: enough for the registry.
   * Typed here, so a field the manifest comes to require is a type error in this test.
   */
  const manifest = (id: string) => {
    const pattern: PatternManifest = { id, title: id, category: 'resilience', summary: 'a test pattern', editableFiles: [`${id}.ts`], labs: [], telemetry: {} };
    return `export const pattern = ${JSON.stringify(pattern)};\n`;
  };
  const sources = async (id = 'tiny') => {
    const res = await httpRequest(workbench.port, 'GET', `/api/patterns/${id}/sources`);
    expect(res.status).toBe(200);
    return res as { body: PatternSources; headers: Record<string, string | string[] | undefined> };
  };
  const contentOf = (body: PatternSources, path: string) => body.files.find((file) => file.path === path)?.content;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wb-sources-'));
    write('patterns/kit/index.ts', "export * from './views/index.ts';\n");
    write('patterns/kit/views/index.ts', 'export const view = 1;\n');
    write('patterns/kit/clock.test.ts', "import { it } from 'vitest';\nit('is a test', () => undefined);\n");
    write('patterns/tiny/pattern.ts', manifest('tiny'));
    write('patterns/tiny/tiny.ts', 'export const tiny = 1;\n');
    write('patterns/tiny/tiny.test.ts', "import { it } from 'vitest';\nit('is a test', () => undefined);\n");
    write('patterns/tiny/README.md', '# Tiny\n');
    write('patterns/other/pattern.ts', manifest('other'));
    write('patterns/other/other.ts', 'export const other = 1;\n');
    workbench = await startWorkbench({ port: 0, dbPath: join(root, 'workbench.db'), token: TOKEN, log: pino({ level: 'silent' }), rootDir: root });
  }, SLOW);
  afterAll(async () => {
    await workbench?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  }, SLOW);

  it('serves the kit and the pattern’s `.ts` files, not tests, other files or other patterns', async () => {
    expect(paths((await sources()).body)).toEqual(['patterns/kit/index.ts', 'patterns/kit/views/index.ts', 'patterns/tiny/pattern.ts', 'patterns/tiny/tiny.ts']);
  });

  it('shows a file added to the folder, in a new subfolder too, and an edit, on the next request', async () => {
    const before = await sources();
    write('patterns/tiny/extra.ts', 'export const extra = 2;\n');
    write('patterns/tiny/parts/deep.ts', 'export const deep = 3;\n');
    write('patterns/tiny/tiny.ts', 'export const tiny = 42;\n');
    const after = await sources();
    expect(paths(after.body)).toEqual([
      'patterns/kit/index.ts',
      'patterns/kit/views/index.ts',
      'patterns/tiny/extra.ts',
      'patterns/tiny/parts/deep.ts',
      'patterns/tiny/pattern.ts',
      'patterns/tiny/tiny.ts',
    ]);
    expect(contentOf(after.body, 'patterns/tiny/tiny.ts')).toBe('export const tiny = 42;\n');
    expect(contentOf(after.body, 'patterns/tiny/parts/deep.ts')).toBe('export const deep = 3;\n');
    // A browser revalidating with the old tag gets the new files, not a 304.
    const revalidated = await httpRequest(workbench.port, 'GET', '/api/patterns/tiny/sources', undefined, {
      headers: { 'if-none-match': String(before.headers.etag) },
    });
    expect(revalidated.status).toBe(200);
    expect(revalidated.headers.etag).not.toBe(before.headers.etag);
  });

  it('drops a file deleted from the folder, and a kit edit shows for every pattern', async () => {
    unlinkSync(join(root, 'patterns/tiny/extra.ts'));
    write('patterns/kit/views/index.ts', 'export const view = 2;\n');
    const tiny = await sources();
    expect(paths(tiny.body)).not.toContain('patterns/tiny/extra.ts');
    expect(contentOf(tiny.body, 'patterns/kit/views/index.ts')).toBe('export const view = 2;\n');
    const other = await sources('other');
    expect(paths(other.body)).toEqual(['patterns/kit/index.ts', 'patterns/kit/views/index.ts', 'patterns/other/other.ts', 'patterns/other/pattern.ts']);
    expect(contentOf(other.body, 'patterns/kit/views/index.ts')).toBe('export const view = 2;\n');
  });

  it('does not follow a symlink, which could lead out of the patterns folder', async () => {
    try {
      symlinkSync(join(root, 'patterns/other/other.ts'), join(root, 'patterns/tiny/linked.ts'));
      symlinkSync(join(root, 'patterns/other'), join(root, 'patterns/tiny/linked-folder'));
    } catch {
      return; // No symlinks here (Windows without the privilege): nothing to leave out.
    }
    const served = paths((await sources()).body);
    expect(served.filter((path) => path.includes('linked'))).toEqual([]);
  });
});
