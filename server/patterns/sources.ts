/**
 * The sources the browser's editor type-checks a pattern's files against: the kit's
 * TypeScript files and the pattern's own, as they are on disk now (tests left out).
 *
 * Read at request time, never bundled into the web app: a pattern is one folder, so a
 * file added to it or edited on disk shows up on the next request, with no web rebuild.
 * These are the files as shipped; the learner's saved versions of the editable files come
 * from the files API, and the editor puts those in place of the shipped ones.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { SourceFile } from '../protocol/api.ts';

export type { SourceFile };

/** A file the editor needs: TypeScript, and not a test (tests import vitest, which the editor does not have). */
export const isEditorSource = (name: string): boolean => name.endsWith('.ts') && !name.endsWith('.test.ts');

/**
 * The editor sources under `dir`, recursively, in a stable order (by path). Only real files and
 * folders are followed: a symlink could lead out of the patterns folder, and nothing in a
 * pattern needs one.
 */
const collect = async (dir: string, patternsDir: string): Promise<SourceFile[]> => {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // A folder that went between listing and reading (a pattern being moved on disk) has no sources.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found = await Promise.all(
    entries.map(async (entry): Promise<SourceFile[]> => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return collect(path, patternsDir);
      if (!entry.isFile() || !isEditorSource(entry.name)) return [];
      try {
        const content = await readFile(path, 'utf8');
        // Repository paths, whatever the platform: the editor's model URIs mirror them.
        return [{ path: ['patterns', ...relative(patternsDir, path).split(sep)].join('/'), content }];
      } catch (error) {
        // Deleted since the folder was listed: it is simply not there any more.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    }),
  );
  return found.flat();
};

const byPath = (a: SourceFile, b: SourceFile): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * The kit's sources (`<patternsDir>/kit`) and those of the pattern in `patternDir`, and none of
 * any other pattern's: the editor needs what the pattern's files can import, and a pattern
 * imports only the kit and its own files. Kit first, then the pattern, each sorted by path.
 */
export const collectPatternSources = async (patternsDir: string, patternDir: string): Promise<SourceFile[]> => {
  const [kit, own] = await Promise.all([collect(join(patternsDir, 'kit'), patternsDir), collect(patternDir, patternsDir)]);
  return [...kit.sort(byPath), ...own.sort(byPath)];
};
