/**
 * A modal dialog on the browser's own <dialog>: opened with showModal(), so the
 * page behind it is inert (Tab stays inside) and Esc closes it. Focus goes to
 * `initialFocus` (or the dialog's first control) and, once it closes, back to
 * whatever had it before — the button that opened it.
 */
import { useEffect, useRef, type MouseEvent, type ReactNode, type RefObject } from 'react';

interface ModalDialogProps {
  /** Its name, when no heading names it (`labelledBy`). */
  label?: string;
  labelledBy?: string;
  /** 'alertdialog' for a question that needs an answer. */
  role?: 'dialog' | 'alertdialog';
  className?: string;
  initialFocus?: RefObject<HTMLElement | null>;
  /** Esc, or a click on the backdrop. */
  onClose: () => void;
  children: ReactNode;
}

export const ModalDialog = ({ label, labelledBy, role, className, initialFocus, onClose, children }: ModalDialogProps) => {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    if (dialog && !dialog.open) dialog.showModal();
    initialFocus?.current?.focus();
    return () => {
      if (dialog?.open) dialog.close();
      // Back where the learner was, unless that is gone (the page changed meanwhile).
      if (opener?.isConnected) opener.focus();
    };
    // Opened once, when mounted.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Esc: the parent decides (it unmounts the dialog), not the browser.
  const onCancel = (event: { preventDefault: () => void }) => {
    event.preventDefault();
    close.current();
  };
  // A click on the backdrop lands on the <dialog> itself (its content fills it otherwise).
  const onClick = (event: MouseEvent<HTMLDialogElement>) => {
    if (event.target === event.currentTarget) close.current();
  };

  return (
    <dialog
      ref={ref}
      className={`modal-dialog ${className ?? ''}`.trim()}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-label={label}
      aria-labelledby={labelledBy}
      onCancel={onCancel}
      onClick={onClick}
    >
      {children}
    </dialog>
  );
};
