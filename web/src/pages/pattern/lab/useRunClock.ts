/**
 * The run's current time, for things that must happen "now" in run time
 * (a fault window starting now). The newest event's `t` anchors it, advanced
 * by the wall time since it arrived while the run is going — so it stays
 * right while the view is paused or scrubbed.
 */
import { useCallback, useEffect, useRef } from 'react';

export const useRunClock = (lastT: number, going: boolean): (() => number) => {
  const anchor = useRef({ t: lastT, at: performance.now() });
  useEffect(() => {
    anchor.current = { t: lastT, at: performance.now() };
  }, [lastT]);
  const goingRef = useRef(going);
  goingRef.current = going;
  return useCallback(() => {
    const { t, at } = anchor.current;
    return goingRef.current ? t + (performance.now() - at) : t;
  }, []);
};
