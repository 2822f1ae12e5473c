/** `?` opens the list of keyboard shortcuts; `g c` goes to the catalog. */
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { ModalDialog } from './ModalDialog.tsx';
import { isTyping, SHORTCUTS } from './shortcuts.ts';

export const ShortcutsOverlay = () => {
  const [open, setOpen] = useState(false);
  const [, navigate] = useLocation();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    let lastKey = '';
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === '?') setOpen((o) => !o);
      if (lastKey === 'g' && event.key === 'c') navigate('/');
      lastKey = event.key;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);
  return (
    <>
      <button type="button" className="icon-button" onClick={() => setOpen(true)} aria-label="Keyboard shortcuts" aria-haspopup="dialog" title="Keyboard shortcuts (?)">
        ?
      </button>
      {open && (
        <ModalDialog label="Keyboard shortcuts" className="dialog" initialFocus={close} onClose={() => setOpen(false)}>
          <h2>Keyboard shortcuts</h2>
          <table className="shortcuts">
            <tbody>
              {SHORTCUTS.map((s) => (
                <tr key={s.keys}>
                  <th scope="row">
                    <kbd>{s.keys}</kbd>
                  </th>
                  <td>{s.what}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" ref={close} onClick={() => setOpen(false)}>
            Close
          </button>
        </ModalDialog>
      )}
    </>
  );
};
