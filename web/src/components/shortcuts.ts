const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
/** Monaco's own toggle: with it on, Tab leaves the code editor instead of indenting (Tab is the editor's otherwise). */
export const TAB_FOCUS_KEYS = isMac ? 'Ctrl+Shift+M' : 'Ctrl+M';

/** The keyboard shortcuts, listed once: the overlay shows this table and the pages bind these keys. */
export const SHORTCUTS: Array<{ keys: string; what: string }> = [
  { keys: '?', what: 'Show or hide this list' },
  { keys: 'g c', what: 'Go to the catalog' },
  { keys: '1 / 2 / 3 / 4', what: 'Learn, Code, Lab, Exercises tabs on a pattern page' },
  { keys: 'Ctrl/Cmd + S', what: 'Save & deploy the file being edited' },
  { keys: 'F2 or Ctrl/Cmd + Enter', what: 'Run the checks (exercise page)' },
  { keys: 'Space', what: 'Pause or resume the live view (Lab tab)' },
  { keys: 'Esc', what: 'Close a dialog' },
  { keys: 'Enter', what: 'Open or close a row’s details in a table (request log, logs)' },
  { keys: TAB_FOCUS_KEYS, what: 'In the code editor: Tab moves the focus out of the editor instead of indenting (press again to undo)' },
];

/** True when a key press belongs to a text field or the editor, not to page shortcuts. */
export const isTyping = (event: KeyboardEvent): boolean => {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return (
    target.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) ||
    target.closest('.monaco-editor') !== null
  );
};
