/**
 * Where pattern files live, for Monaco and for the server's error locations.
 * Models sit at URIs that mirror the repository (`file:///patterns/kit/index.ts`),
 * so the imports the code really uses (`'../kit/index.ts'`, `'./errors.ts'`)
 * resolve in the editor exactly as they do on disk. Pure: unit-tested in node.
 */

/** The repository path of a file of a pattern: `patterns/circuit-breaker/errors.ts`. */
export const patternFilePath = (patternId: string, file: string): string => `patterns/${patternId}/${file}`;

/** The Monaco model URI (as a string) for a repository path. */
export const modelUri = (repoPath: string): string => `file:///${repoPath.replace(/^\/+/, '')}`;

/** The repository path a model URI stands for (the inverse of modelUri). */
export const repoPathOfUri = (uri: string): string => decodeURIComponent(uri.replace(/^file:\/\/\//, ''));

const normalise = (file: string): string => file.replace(/\\/g, '/').replace(/^file:\/\//, '');

/**
 * Whether a location the server reported (compile errors and `run.error`
 * events carry a repo-relative path like `patterns/circuit-breaker/breakers.ts`,
 * stack frames may be absolute) names this file of this pattern. Matched by
 * whole path segments: `breakers.ts` must not match `circuit-breakers.ts`.
 */
export const isSameFile = (reported: string | undefined, patternId: string, file: string): boolean => {
  if (!reported) return false;
  const path = normalise(reported);
  const wanted = patternFilePath(patternId, file);
  return path === file || path === wanted || path.endsWith(`/${wanted}`);
};

/** A short label for a repository path in a tab: `kit/clock.ts`, `circuit-breaker/lab.ts`. */
export const shortLabel = (repoPath: string): string => repoPath.replace(/^patterns\//, '');
