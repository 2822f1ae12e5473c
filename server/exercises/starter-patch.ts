/**
 * An exercise's starter is stored as its difference from the pattern's
 * reference file: `starter.patch`, a unified diff (jsdiff) that turns
 * `patterns/<id>/<file>` into the code the learner starts from. Hunks may move
 * (the reference grew or shrank elsewhere) but their context and removed lines
 * must match exactly: a starter never silently drifts from what its author wrote.
 */
import { applyPatch, createTwoFilesPatch, FILE_HEADERS_ONLY, parsePatch, type StructuredPatch } from 'diff';

/** Lines of context around each change, as `diff -u` and git write them. */
const CONTEXT = 3;

/**
 * The patch from `reference` to `starter`, with file headers naming
 * `referencePath` (the reference, relative to the project root) on both sides,
 * so `patch -p0` or `git apply -p0` can also apply it to a working tree.
 */
export const makeStarterPatch = (referencePath: string, reference: string, starter: string): string =>
  createTwoFilesPatch(referencePath, referencePath, reference, starter, undefined, undefined, {
    context: CONTEXT,
    headerOptions: FILE_HEADERS_ONLY,
  });

export type StarterPatchResult = { ok: true; starter: string } | { ok: false; reason: string };

const hunkHeader = (hunk: StructuredPatch['hunks'][number]) =>
  `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`;

/**
 * Applies `patchText` to `reference`. On failure, says which hunk no longer
 * matches (hunks apply in order, so the first prefix of hunks that fails names it).
 */
export const applyStarterPatch = (reference: string, patchText: string, referenceName = 'the reference'): StarterPatchResult => {
  let patches: StructuredPatch[];
  try {
    patches = parsePatch(patchText);
  } catch (error) {
    return { ok: false, reason: `is not a unified diff (${error instanceof Error ? error.message : String(error)})` };
  }
  if (patches.length !== 1) return { ok: false, reason: `patches ${patches.length} files; it must patch exactly one, ${referenceName}` };
  const patch = patches[0]!;
  if (patch.hunks.length === 0) return { ok: false, reason: `changes nothing: the starter would be ${referenceName} itself` };
  // applyPatch answers false when a hunk does not fit; a malformed hunk may throw instead.
  const apply = (hunks: StructuredPatch['hunks']): string | false => {
    try {
      return applyPatch(reference, { ...patch, hunks });
    } catch {
      return false;
    }
  };
  const starter = apply(patch.hunks);
  if (starter !== false) return { ok: true, starter };
  const failing = patch.hunks.findIndex((_, i) => apply(patch.hunks.slice(0, i + 1)) === false);
  const hunk = patch.hunks[Math.max(failing, 0)]!;
  return {
    ok: false,
    reason: `no longer applies to ${referenceName}: hunk ${Math.max(failing, 0) + 1} of ${patch.hunks.length} (${hunkHeader(hunk)}) does not match it`,
  };
};

/** The file a patch's `---` header names, if it names one. */
export const patchedFileName = (patchText: string): string | undefined => {
  try {
    return parsePatch(patchText)[0]?.oldFileName;
  } catch {
    return undefined;
  }
};
