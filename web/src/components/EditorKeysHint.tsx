/** Under a code editor: Tab is the editor's (it indents), and the key that lets Tab leave it. */
import { TAB_FOCUS_KEYS } from './shortcuts.ts';

export const EditorKeysHint = () => (
  <p className="muted small editor-keys">
    In the editor Tab indents: press <kbd>{TAB_FOCUS_KEYS}</kbd> to make Tab move on to the next control instead. <kbd>?</kbd> lists every shortcut.
  </p>
);
