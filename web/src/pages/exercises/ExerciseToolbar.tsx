/** The exercise's actions (Run checks, Reset, Show solution, Try it in the lab) and where the learner's work is saved. */
import type { SaveState } from './useDraftSaver.ts';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const RUN_KEYS = isMac ? 'F2 / ⌘↵' : 'F2 / Ctrl+↵';

interface ExerciseToolbarProps {
  ready: boolean;
  checking: boolean;
  solutionOpen: boolean;
  labBusy: boolean;
  save: SaveState;
  onRun: () => void;
  onReset: () => void;
  onToggleSolution: () => void;
  onTryInLab: () => void;
}

const SAVE_TEXT: Record<SaveState['kind'], string> = {
  saved: 'Your work is saved',
  pending: 'Saving…',
  saving: 'Saving…',
  local: 'Saved in this browser only',
};

export const ExerciseToolbar = (props: ExerciseToolbarProps) => {
  const { ready, checking, save } = props;
  return (
    <div className="exercise-toolbar">
      <button type="button" className="primary run-checks" disabled={!ready || checking} onClick={props.onRun} title={`Run the checks against your code (${RUN_KEYS})`}>
        {checking ? 'Running checks…' : '▶ Run checks'} <kbd>{RUN_KEYS}</kbd>
      </button>
      <button type="button" disabled={!ready} onClick={props.onToggleSolution} aria-pressed={props.solutionOpen}>
        {props.solutionOpen ? 'Hide solution' : 'Show solution'}
      </button>
      <button type="button" className="danger" disabled={!ready} onClick={props.onReset}>
        Reset to starter
      </button>
      <button
        type="button"
        disabled={!ready || props.labBusy}
        onClick={props.onTryInLab}
        title="Open the live lab on a run of your exercise code (pinned to that run: the pattern's own file and its history stay as they are)"
      >
        {props.labBusy ? 'Opening the lab…' : 'Try it in the lab →'}
      </button>
      <span className={`save-state ${save.kind}`} role="status" title={save.kind === 'local' ? `The workbench did not take the draft: ${save.message}` : undefined}>
        {SAVE_TEXT[save.kind]}
      </span>
    </div>
  );
};
