/**
 * Whether an element is wider inside than its box, so it scrolls sideways
 * (re-measured when it resizes). Such a box takes the keyboard's focus
 * (tabIndex 0) so the arrow keys can scroll it; one that fits is no tab stop.
 */
import { useLayoutEffect, useRef, useState } from 'react';

/** `content`: what is drawn inside (measured again when it changes, or when the element first appears). */
export const useScrollsSideways = <T extends HTMLElement>(content?: unknown) => {
  const ref = useRef<T>(null);
  const [scrolls, setScrolls] = useState(false);
  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    const measure = () => setScrolls(box.scrollWidth > box.clientWidth + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(box);
    return () => observer.disconnect();
  }, [content]);
  return { ref, scrolls };
};

