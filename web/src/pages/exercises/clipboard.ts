/**
 * Copying text to the clipboard: the asynchronous Clipboard API where the
 * browser offers it (a secure context: localhost counts), else the old
 * select-and-`execCommand('copy')` on a hidden textarea. Whoever copies is
 * told whether it worked, so they can say so.
 */

/** The ways of copying at hand; each may be missing. */
export interface ClipboardWays {
  /** `navigator.clipboard.writeText`; rejects when the browser refuses. */
  writeText: ((text: string) => Promise<void>) | undefined;
  /** The select-and-copy fallback; false when the browser refuses. */
  fallback: ((text: string) => boolean) | undefined;
}

/** Copies `text`: the Clipboard API first, the fallback when it is missing or refuses. True when one of them copied. */
export const copyText = async (text: string, ways: ClipboardWays = browserClipboard()): Promise<boolean> => {
  if (ways.writeText) {
    try {
      await ways.writeText(text);
      return true;
    } catch {
      // Refused (no permission, the document not focused…): try the old way.
    }
  }
  if (!ways.fallback) return false;
  try {
    return ways.fallback(text);
  } catch {
    return false;
  }
};

/** Copies through a hidden textarea, then gives the focus back to where it was. */
const execCommandCopy = (text: string): boolean => {
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.setAttribute('aria-hidden', 'true');
  Object.assign(area.style, { position: 'fixed', top: '0', left: '0', width: '1px', height: '1px', opacity: '0' });
  document.body.append(area);
  try {
    area.select();
    return document.execCommand('copy');
  } finally {
    area.remove();
    focused?.focus();
  }
};

/** This browser's ways of copying. */
export const browserClipboard = (): ClipboardWays => ({
  writeText: typeof navigator !== 'undefined' && typeof navigator.clipboard?.writeText === 'function' ? (text) => navigator.clipboard.writeText(text) : undefined,
  fallback: typeof document !== 'undefined' ? execCommandCopy : undefined,
});
