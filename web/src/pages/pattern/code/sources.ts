/**
 * The kit's and the patterns' sources as raw strings, bundled by Vite, so the
 * editor can type-check the learner's file against the real kit and the
 * pattern's other files without asking the server. Each file is its own small
 * lazy chunk: opening a pattern loads the kit and that pattern only.
 */
import { isSourceOf, repoPathOfGlobKey } from './paths.ts';

const SOURCES = import.meta.glob<string>(['../../../../../patterns/**/*.ts', '!../../../../../patterns/**/*.test.ts'], {
  query: '?raw',
  import: 'default',
});

export interface SourceFile {
  /** Repository path: `patterns/kit/clock.ts`. */
  path: string;
  content: string;
}

/** The kit and the pattern's own files (tests excluded), as they are on disk. */
export const loadPatternSources = (patternId: string): Promise<SourceFile[]> =>
  Promise.all(
    Object.entries(SOURCES)
      .map(([key, load]) => ({ path: repoPathOfGlobKey(key), load }))
      .filter(({ path }) => isSourceOf(patternId, path))
      .map(async ({ path, load }) => ({ path, content: await load() })),
  );
