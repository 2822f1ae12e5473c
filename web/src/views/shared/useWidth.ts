/** An element's width, kept up to date as it resizes: for axes that fit their ticks to it. */
import { useCallback, useRef, useState } from 'react';

/** `[ref, width]`: a callback ref for the element, and its width (`fallback` until it is measured). */
export const useWidth = <T extends HTMLElement>(fallback: number): [(element: T | null) => void, number] => {
  const [width, setWidth] = useState(fallback);
  const observer = useRef<ResizeObserver | undefined>(undefined);
  const ref = useCallback((element: T | null) => {
    observer.current?.disconnect();
    observer.current = undefined;
    if (!element) return;
    const update = () => {
      if (element.clientWidth > 0) setWidth(element.clientWidth);
    };
    update();
    observer.current = new ResizeObserver(update);
    observer.current.observe(element);
  }, []);
  return [ref, width];
};
