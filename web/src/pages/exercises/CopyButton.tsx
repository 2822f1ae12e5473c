/**
 * A button that copies a text to the clipboard, then says so for a moment in
 * a polite live region beside it ("Copied", or why not): sighted learners see
 * it, screen readers announce it without interrupting.
 */
import { useEffect, useRef, useState } from 'react';
import { copyText } from './clipboard.ts';

type CopyState = 'idle' | 'copied' | 'failed';

interface CopyButtonProps {
  text: string;
  /** The button's text, and so its accessible name. */
  label: string;
  title?: string;
  /** What to say when the browser refuses to copy. */
  failure?: string;
  className?: string;
}

const SHOWN_MS: Record<CopyState, number> = { idle: 0, copied: 2_000, failed: 6_000 };

export const CopyButton = ({ text, label, title, failure = 'Could not copy: the browser refused.', className }: CopyButtonProps) => {
  const [state, setState] = useState<CopyState>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = async () => {
    clearTimeout(timer.current);
    // Emptied first, so a second "Copied" in a row is announced again.
    setState('idle');
    const copied = await copyText(text);
    const next: CopyState = copied ? 'copied' : 'failed';
    setState(next);
    timer.current = setTimeout(() => setState('idle'), SHOWN_MS[next]);
  };

  return (
    <>
      <button type="button" className={className} onClick={() => void copy()} title={title}>
        {label}
      </button>
      {/* Always in the page: a live region must exist before what it announces. */}
      <span className={`copy-status ${state}`} role="status" aria-live="polite" data-testid="copy-status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? failure : ''}
      </span>
    </>
  );
};
