/** `?` opens the list of keyboard shortcuts; `g c` goes to the catalog. */
import { useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { isTyping, SHORTCUTS } from './shortcuts.ts';

export const ShortcutsOverlay = () => {
  const [open, setOpen] = useState(false);
  const [, navigate] = useLocation();
  useEffect(() => {
    let lastKey = '';
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
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
      <button type="button" className="icon-button" onClick={() => setOpen(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
        ?
      </button>
      {open && (
        <div className="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={() => setOpen(false)}>
          <div className="dialog" onClick={(e) => e.stopPropagation()}>
            <h2>Keyboard shortcuts</h2>
            <table className="shortcuts">
              <tbody>
                {SHORTCUTS.map((s) => (
                  <tr key={s.keys}>
                    <td>
                      <kbd>{s.keys}</kbd>
                    </td>
                    <td>{s.what}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button type="button" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
        </div>
      )}
    </>
  );
};
