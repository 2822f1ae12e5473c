/**
 * Whether a folded part of the Lab tab (a fault panel's full form, the load
 * form, the parameters) is open: folded until the learner wants it, then
 * kept open for them, across labs and visits, in this browser.
 */
import { useCallback, useState } from 'react';

const key = (part: string) => `workbench.lab.unfolded.${part}`;

const read = (part: string, fallback: boolean): boolean => {
  try {
    const stored = localStorage.getItem(key(part));
    return stored === null ? fallback : stored === 'true';
  } catch {
    return fallback;
  }
};

/** `[open, onToggle]` for a `<details>`: `<details open={open} onToggle={onToggle}>`. */
export const useFold = (part: string, openByDefault = false): [boolean, (event: React.SyntheticEvent<HTMLDetailsElement>) => void] => {
  const [open, setOpen] = useState(() => read(part, openByDefault));
  const onToggle = useCallback(
    (event: React.SyntheticEvent<HTMLDetailsElement>) => {
      const next = event.currentTarget.open;
      setOpen(next);
      try {
        localStorage.setItem(key(part), String(next));
      } catch {
        // Storage full or refused: the fold still works for this page.
      }
    },
    [part],
  );
  return [open, onToggle];
};
