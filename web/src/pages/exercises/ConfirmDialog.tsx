/** A modal question with a confirm and a cancel button; Esc or a click outside cancels, and focus goes back to the button that asked. */
import { useId, useRef, type ReactNode } from 'react';
import { ModalDialog } from '../../components/ModalDialog.tsx';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export const ConfirmDialog = ({ title, children, confirmLabel, danger = false, onConfirm, onCancel }: ConfirmDialogProps) => {
  const titleId = useId();
  const confirm = useRef<HTMLButtonElement>(null);
  return (
    <ModalDialog role="alertdialog" labelledBy={titleId} className="dialog confirm-dialog" initialFocus={confirm} onClose={onCancel}>
      <h2 id={titleId}>{title}</h2>
      <div className="confirm-body">{children}</div>
      <div className="confirm-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" ref={confirm} className={danger ? 'danger' : 'primary'} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </ModalDialog>
  );
};
