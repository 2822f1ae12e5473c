/**
 * The exercise's working area: the instructions on the left (tasks ticked as
 * their checks pass, hints); on the right the learner's code in Monaco,
 * typed against the kit and the pattern's files, saved as they type, the
 * actions, and the check results grouped by task. While the solution is open
 * its diff takes the whole width (the instructions step aside), with a
 * button that copies the solution.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import type { CodeError, ExerciseInstructions } from '../../../../server/protocol/api.ts';
import { api } from '../../api/client.ts';
import { EditorKeysHint } from '../../components/EditorKeysHint.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useFitToViewport } from '../pattern/code/layout.ts';
import { describeCodeError } from '../pattern/code/markers.ts';
import { useCodeEditor, useMonaco, useMonacoTheme } from '../pattern/code/useMonaco.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { CopyButton } from './CopyButton.tsx';
import { tasksPassedOf, type CodeSource, type ShownProgress } from './exercise-state.ts';
import { useExerciseWorkspace } from './exercise-workspace.ts';
import { ExerciseToolbar } from './ExerciseToolbar.tsx';
import { Instructions } from './Instructions.tsx';
import { ResultsPanel } from './ResultsPanel.tsx';
import { useChecks, useLabHandoff, useRevealedHints } from './useExerciseActions.ts';
import { useDraftSaver } from './useDraftSaver.ts';
import { useCheckMarkers, useRunShortcut, useSolutionDiff } from './useExerciseEditor.ts';

const SOURCE_NOTE: Record<CodeSource, string | undefined> = {
  local: 'Restored the code you last typed here (it had not reached the workbench yet).',
  draft: undefined,
  attempt: 'Restored the code of your last check run.',
  starter: undefined,
};

interface ExerciseWorkbenchProps {
  exercise: ExerciseInstructions;
  start: { code: string; source: CodeSource };
  /** What the workbench now says of the exercise's progress: after a check run, after viewing the solution. */
  onProgress: (progress: ShownProgress) => void;
  /** The solution was shown; `solutionViewed` is what the workbench noted (false when the exercise was solved already). */
  onSolutionShown: (solutionViewed: boolean) => void;
}

export const ExerciseWorkbench = ({ exercise, start, onProgress, onSolutionShown }: ExerciseWorkbenchProps) => {
  const { monaco, error: monacoError } = useMonaco();
  useMonacoTheme(monaco);
  const { workspace, error: sourcesError } = useExerciseWorkspace(monaco, exercise.patternId, exercise.file, start.code);
  const root = useRef<HTMLDivElement>(null);
  const editorHost = useRef<HTMLDivElement>(null);
  const diffHost = useRef<HTMLDivElement>(null);
  useFitToViewport(root);
  const editor = useCodeEditor(monaco, editorHost, workspace?.model, false);
  const save = useDraftSaver(exercise.id, workspace?.model, start.source === 'local');
  const checks = useChecks(exercise);
  const lab = useLabHandoff(exercise);
  const hints = useRevealedHints(exercise.id);
  const [solution, setSolution] = useState<{ content: string; open: boolean }>();
  const [solutionError, setSolutionError] = useState<unknown>();
  const [confirming, setConfirming] = useState<'solution' | 'reset'>();

  const results = checks.shown?.results;
  const taskNumbers = exercise.tasks.map((t) => t.number);
  const passed = useMemo(() => new Set(results ? tasksPassedOf(results.tests, taskNumbers) : []), [results, taskNumbers.join()]);

  // Where the checks (or the lab's loader) point at the learner's code.
  const located = useMemo<CodeError[]>(() => {
    const found: CodeError[] = [];
    if (results?.status === 'error' && results.line !== undefined) found.push({ ...results, message: results.message ?? 'error' });
    for (const check of results?.tests ?? []) if (check.line !== undefined) found.push({ ...check, message: `${check.name}: ${check.message ?? check.status}` });
    if (lab.state.kind === 'load-error') found.push({ ...lab.state.error, message: `Does not load in the lab: ${lab.state.error.message}` });
    return found;
  }, [results, lab.state]);
  useCheckMarkers(monaco, workspace, located);
  useSolutionDiff(monaco, diffHost, workspace, solution?.open ? solution.content : undefined);

  const runChecks = useCallback(async () => {
    if (!workspace || checks.checking) return;
    lab.dismiss();
    const outcome = await checks.run(workspace.model.getValue());
    if (outcome) onProgress({ status: outcome.progress.status, solutionViewed: outcome.progress.solutionViewed });
  }, [workspace, checks, lab, onProgress]);
  useRunShortcut(() => void runChecks());

  const reveal = (where: { file?: string; line?: number; column?: number }) => {
    if (!workspace || !workspace.isEdited(where.file) || where.line === undefined) return undefined;
    const line = where.line;
    return () => {
      setSolution((s) => s && { ...s, open: false });
      const position = { lineNumber: line, column: where.column ?? 1 };
      editor?.setPosition(position);
      editor?.revealPositionInCenter(position);
      editor?.focus();
    };
  };

  const showSolution = async () => {
    setConfirming(undefined);
    setSolutionError(undefined);
    try {
      const { content, solutionViewed } = await api.solution(exercise.id);
      setSolution({ content, open: true });
      // An older workbench does not say: the page learns it on its next load.
      if (solutionViewed !== undefined) onSolutionShown(solutionViewed);
    } catch (error) {
      setSolutionError(error);
    }
  };
  const toggleSolution = () => {
    if (solution?.open) setSolution({ ...solution, open: false });
    else if (solution) setSolution({ ...solution, open: true });
    else setConfirming('solution');
  };
  const reset = () => {
    setConfirming(undefined);
    setSolution((s) => s && { ...s, open: false });
    workspace?.replace(exercise.starter);
    editor?.focus();
  };

  const failure = monacoError ?? sourcesError;
  const note = SOURCE_NOTE[start.source];
  const solutionOpen = solution?.open ?? false;
  return (
    <div className={`exercise-body${solutionOpen ? ' solution-open' : ''}`} ref={root}>
      {/* Aside while the solution is open, so its diff has the page's width; kept mounted (hints, scroll). */}
      <aside className="exercise-instructions" aria-label="Instructions" hidden={solutionOpen}>
        <Instructions exercise={exercise} passed={passed} revealed={hints.revealed} onReveal={hints.reveal} />
      </aside>
      <section className="exercise-work" aria-label="Your code">
        <ExerciseToolbar
          ready={workspace !== undefined}
          checking={checks.checking}
          solutionOpen={solutionOpen}
          labBusy={lab.state.kind === 'busy'}
          save={save.state}
          onRun={() => void runChecks()}
          onReset={() => setConfirming('reset')}
          onToggleSolution={toggleSolution}
          onTryInLab={() => workspace && void save.flush().then(() => lab.tryInLab(workspace.model.getValue()))}
        />
        {note && <p className="muted small restored-note">{note}</p>}
        {failure !== undefined && <ErrorNotice error={failure} title="The editor could not load" />}
        {checks.error !== undefined && <ErrorNotice error={checks.error} title="The checks could not run" />}
        {solutionError !== undefined && <ErrorNotice error={solutionError} title="Could not load the solution" />}
        {lab.state.kind === 'load-error' && (
          <div className="notice error" role="alert">
            <strong>Not taken to the lab: your code does not load. </strong>
            {describeCodeError(lab.state.error)}. No run was started; your pattern’s own file is unchanged.
          </div>
        )}
        {lab.state.kind === 'error' && <ErrorNotice error={lab.state.error} title="Could not open the lab" />}
        <div className="exercise-editor">
          {solution?.open && (
            <div className="diff-head">
              <span className="diff-legend">
                Left: <strong>your code</strong> (still editable) · Right: <strong>the solution</strong> (read-only)
                <span className="muted"> · the instructions come back when you close the solution</span>
              </span>
              <span className="diff-actions">
                <CopyButton
                  text={solution.content}
                  label="Copy solution"
                  title={`Copy the solution's ${exercise.file} to the clipboard`}
                  failure="Could not copy: the browser refused. Select the text in the diff's right side instead."
                />
                <button type="button" onClick={() => setSolution({ ...solution, open: false })}>
                  Close
                </button>
              </span>
            </div>
          )}
          <div className="monaco-host" ref={editorHost} hidden={solutionOpen} data-testid="exercise-editor" />
          {solution?.open && <div className="monaco-host solution-diff" ref={diffHost} data-testid="solution-diff" />}
          {!workspace && failure === undefined && <p className="code-loading muted">Loading the editor…</p>}
        </div>
        <EditorKeysHint />
        <ResultsPanel results={results} origin={checks.shown?.origin ?? 'run'} tasks={exercise.tasks} checking={checks.checking} onReveal={reveal} />
      </section>
      {confirming === 'solution' && (
        <ConfirmDialog title="Show the solution?" confirmLabel="Show the solution" onConfirm={() => void showSolution()} onCancel={() => setConfirming(undefined)}>
          <p>You learn more by finding it yourself: a hint may be all you need. The solution opens beside your code as a diff; your code stays as it is.</p>
          <p className="muted small">
            {checks.progress?.status === 'solved'
              ? 'You solved this exercise already: viewing the solution now is not noted in your progress.'
              : 'The workbench notes in your progress that you viewed the solution before solving the exercise.'}
          </p>
        </ConfirmDialog>
      )}
      {confirming === 'reset' && (
        <ConfirmDialog title="Reset to the starter?" confirmLabel="Reset" danger onConfirm={reset} onCancel={() => setConfirming(undefined)}>
          <p>Your code is replaced by the starter code. Ctrl/Cmd+Z in the editor brings it back.</p>
        </ConfirmDialog>
      )}
    </div>
  );
};
