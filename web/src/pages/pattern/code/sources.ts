/**
 * The kit's and the pattern's sources, which the editor type-checks the learner's file
 * against, fetched from the workbench (GET /api/patterns/:id/sources). The server reads them
 * from disk when asked, so the web bundle holds no pattern code: a pattern added or edited on
 * disk needs no web rebuild.
 *
 * They are the files as shipped. Callers put the learner's saved editable files (files API) in
 * place of the shipped ones, as PatternWorkspace and ExerciseWorkspace do.
 */
import type { SourceFile } from '../../../../../server/protocol/api.ts';
import { api, ApiError } from '../../../api/client.ts';

export type { SourceFile };

/**
 * Why the sources did not arrive, said for the learner: the server's own message when it
 * answered (an unknown pattern, a missing token), or that it did not answer at all (a fetch
 * fails with a bare "Failed to fetch" when the workbench was stopped).
 */
export const describeSourcesFailure = (patternId: string, error: unknown): string => {
  const reason =
    error instanceof ApiError
      ? error.message.replace(/\.$/, '')
      : `the workbench did not answer (${error instanceof Error ? error.message : String(error)}); is it still running?`;
  return `could not fetch the kit and the ${patternId} files it checks your code against: ${reason}. Reload the page to try again.`;
};

/** The kit and the pattern's own files (tests excluded), as they are on disk now. */
export const loadPatternSources = async (patternId: string): Promise<SourceFile[]> => {
  try {
    return (await api.sources(patternId)).files;
  } catch (error) {
    // Shown as is under "The editor could not load": a clear sentence rather than a bare status.
    throw new Error(describeSourcesFailure(patternId, error), { cause: error });
  }
};
