/** The Code tab's actions: diff, history, reset, and Save & deploy. */
const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const SAVE_KEYS = isMac ? '⌘S' : 'Ctrl+S';

interface CodeToolbarProps {
  editable: boolean;
  ready: boolean;
  busy: boolean;
  dirty: boolean;
  diffOpen: boolean;
  historyOpen: boolean;
  onToggleDiff: () => void;
  onToggleHistory: () => void;
  onReset: () => void;
  onSave: () => void;
}

export const CodeToolbar = (props: CodeToolbarProps) => {
  const { editable, ready, busy, dirty } = props;
  const canEdit = ready && editable;
  return (
    <div className="code-actions">
      <button
        type="button"
        aria-pressed={props.diffOpen}
        disabled={!canEdit}
        onClick={props.onToggleDiff}
        title="Compare your working copy with the reference implementation"
      >
        Diff vs reference
      </button>
      <button type="button" aria-pressed={props.historyOpen} disabled={!editable} onClick={props.onToggleHistory}>
        History
      </button>
      <button type="button" className="danger" disabled={!canEdit || busy} onClick={props.onReset} title="Go back to the reference implementation">
        Reset to reference
      </button>
      <button
        type="button"
        className="primary"
        disabled={!canEdit || busy || !dirty}
        onClick={props.onSave}
        title={dirty ? `Save this file and redeploy it into the live runs (${SAVE_KEYS})` : 'No unsaved changes'}
      >
        {busy ? 'Saving…' : 'Save & deploy'} <kbd>{SAVE_KEYS}</kbd>
      </button>
    </div>
  );
};
