/** A value that changes at most every `ms`: heavy charts redraw a few times a second, not on every batch. */
import { useEffect, useRef, useState } from 'react';

export const useThrottled = <T>(value: T, ms: number): T => {
  const [shown, setShown] = useState(value);
  const lastShown = useRef(0);
  const latest = useRef(value);
  latest.current = value;
  useEffect(() => {
    const wait = lastShown.current + ms - performance.now();
    if (wait <= 0) {
      lastShown.current = performance.now();
      setShown(value);
      return;
    }
    const timer = setTimeout(() => {
      lastShown.current = performance.now();
      setShown(latest.current);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
};
