/** Small DOM hooks for the Code tab's layout and page-level keys. */
import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

/**
 * Sizes the element to end at the bottom of the window (whatever the page
 * header above it takes), so the editor fits the page without scrolling it.
 */
export const useFitToViewport = (ref: RefObject<HTMLElement | null>, bottomGapPx = 20): void => {
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const fit = () => {
      const top = element.getBoundingClientRect().top + window.scrollY;
      element.style.height = `max(24rem, calc(100vh - ${Math.round(top + bottomGapPx)}px))`;
    };
    fit();
    window.addEventListener('resize', fit);
    return () => window.removeEventListener('resize', fit);
  }, [ref, bottomGapPx]);
};

/** Ctrl/Cmd+S anywhere on the page calls `onSave` instead of the browser's "save page". */
export const useSaveShortcut = (onSave: () => void): void => {
  const latest = useRef(onSave);
  latest.current = onSave;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
        event.preventDefault();
        latest.current();
      }
    };
    // Capture: before the editor sees the key.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
};

/** Asks before the page is closed or reloaded while `when` holds (unsaved edits). */
export const useLeaveWarning = (when: boolean): void => {
  useEffect(() => {
    if (!when) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [when]);
};
