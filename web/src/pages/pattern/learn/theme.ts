/**
 * The app's light/dark theme as a React value. The theme toggle announces a
 * change with the `workbench-theme` window event; a change of the system theme
 * only flips `data-theme` on <html>, so that attribute is watched as well.
 */
import { useSyncExternalStore } from 'react';
import { currentTheme } from '../../../components/ThemeToggle.tsx';

export type AppTheme = 'light' | 'dark';

const subscribe = (onChange: () => void): (() => void) => {
  window.addEventListener('workbench-theme', onChange);
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => {
    window.removeEventListener('workbench-theme', onChange);
    observer.disconnect();
  };
};

/** The current app theme; re-renders the caller when it changes. */
export const useAppTheme = (): AppTheme => useSyncExternalStore(subscribe, currentTheme);

/** The value of one of the theme's CSS variables (`--accent`), as currently applied. */
export const themeColor = (name: string): string =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim();
