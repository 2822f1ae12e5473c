/** The foot of a lab panel's form: Apply, Revert when it has one, and whether the form holds edits not applied yet. */
export interface FormActionsProps {
  /** Apply needs a run to send to. */
  canApply: boolean;
  /** The form differs from what the run has. */
  dirty: boolean;
  /** Back to what the run has; no Revert button without it. */
  onRevert?: () => void;
  /** Said when the form is not dirty (what the last Apply did). */
  note?: string | undefined;
}

export const FormActions = ({ canApply, dirty, onRevert, note }: FormActionsProps) => (
  <div className="actions">
    <button type="submit" className="primary" disabled={!canApply}>
      Apply
    </button>
    {onRevert && (
      <button type="button" disabled={!dirty} onClick={onRevert}>
        Revert
      </button>
    )}
    {dirty ? <span className="muted small">edited, not applied</span> : note && <span className="ok-text small">{note}</span>}
  </div>
);
