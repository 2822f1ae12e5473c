/**
 * The browser tab's title follows the page: what is shown, most specific
 * first, then the workbench ("Circuit breaker · Lab — Patterns Workbench").
 */
import { useEffect } from 'react';

export const WORKBENCH_TITLE = 'Patterns Workbench';

/** The title for a page made of `parts`, most specific first; empty parts are left out. */
export const pageTitle = (...parts: ReadonlyArray<string | undefined | false>): string => {
  const named = parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return named.length > 0 ? `${named.join(' · ')} — ${WORKBENCH_TITLE}` : WORKBENCH_TITLE;
};

/**
 * Sets `document.title` to `pageTitle(...parts)` while the page is shown (the
 * workbench's own title when it goes). Parts still loading may be undefined.
 */
export const usePageTitle = (...parts: ReadonlyArray<string | undefined | false>): void => {
  const title = pageTitle(...parts);
  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(
    () => () => {
      document.title = WORKBENCH_TITLE;
    },
    [],
  );
};
