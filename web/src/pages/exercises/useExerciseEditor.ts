/**
 * The exercise editor's extras on top of the Code tab's Monaco hooks: check
 * errors as markers on the learner's lines, the solution as a diff, and the
 * page's keys (F2 and Ctrl/Cmd+Enter run the checks).
 */
import { useEffect, useRef, type RefObject } from 'react';
import type { editor } from 'monaco-editor/editor';
import { errorToMarker, type MarkerData } from '../pattern/code/markers.ts';
import type { Monaco } from '../pattern/code/monaco-setup.ts';
import type { CodeError } from '../../../../server/protocol/api.ts';
import type { ExerciseWorkspace } from './exercise-workspace.ts';

const OWNER = 'exercise-checks';

/** Errors the checks (or a save to the lab) located in the learner's file, as markers; cleared when the list empties. */
export const useCheckMarkers = (monaco: Monaco | undefined, workspace: ExerciseWorkspace | undefined, errors: readonly CodeError[]) => {
  useEffect(() => {
    if (!monaco || !workspace) return;
    const model = workspace.model;
    const markers = errors
      .filter((e) => workspace.isEdited(e.file))
      .map((e) => errorToMarker(e, model, 'checks'))
      .filter((m): m is MarkerData => m !== undefined);
    monaco.editor.setModelMarkers(model, OWNER, markers);
    return () => {
      if (!model.isDisposed()) monaco.editor.setModelMarkers(model, OWNER, []);
    };
  }, [monaco, workspace, errors]);
};

/**
 * The learner's code (left, still editable) against the solution (right,
 * read-only) in a diff editor in `host`, while `solution` is given. It fills
 * the host (which takes the page's width while open) and never wraps code.
 */
export const useSolutionDiff = (
  monaco: Monaco | undefined,
  host: RefObject<HTMLDivElement | null>,
  workspace: ExerciseWorkspace | undefined,
  solution: string | undefined,
) => {
  useEffect(() => {
    if (!monaco || !host.current || !workspace || solution === undefined) return;
    const modified = workspace.createComparison('solution', solution);
    const diff: editor.IStandaloneDiffEditor = monaco.editor.createDiffEditor(host.current, {
      automaticLayout: true,
      fontSize: 13,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fixedOverflowWidgets: true,
      originalEditable: true,
      readOnly: true,
      renderSideBySide: true,
      // Side by side down to a narrow editor: inline, the learner's side could not be edited.
      renderSideBySideInlineBreakpoint: 560,
      ignoreTrimWhitespace: false,
      // Code is never wrapped: long lines scroll sideways, on both sides.
      wordWrap: 'off',
      diffWordWrap: 'off',
      scrollbar: { horizontal: 'auto', horizontalScrollbarSize: 12 },
    });
    diff.setModel({ original: workspace.model, modified });
    const once = diff.onDidUpdateDiff(() => {
      once.dispose();
      if (diff.getLineChanges()?.length) diff.revealFirstDiff();
    });
    return () => {
      once.dispose();
      diff.dispose();
      modified.dispose();
    };
  }, [monaco, host, workspace, solution]);
};

/** F2 and Ctrl/Cmd+Enter anywhere on the page (the editor included) call `onRun`. */
export const useRunShortcut = (onRun: () => void) => {
  const latest = useRef(onRun);
  latest.current = onRun;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const run = event.key === 'F2' || ((event.ctrlKey || event.metaKey) && !event.altKey && event.key === 'Enter');
      if (!run || event.repeat) return;
      // Capture, before Monaco: F2 is its "rename symbol", Ctrl+Enter its "insert line below".
      event.preventDefault();
      event.stopPropagation();
      latest.current();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
};
