/** React's side of the learner's progress (./learner-progress.ts): reading it live, and marking a lesson read. */
import { useEffect, useState, type RefObject } from 'react';
import { LESSON_READ_MS, markProgress, progressOf, reachedEnd, readProgress, subscribeProgress, type StoredProgress } from './learner-progress.ts';

/** The stored progress, read again whenever it is marked (here or in another tab). */
export const useLearnerProgress = (): StoredProgress => {
  const [stored, setStored] = useState<StoredProgress>(() => readProgress());
  useEffect(() => {
    // Anything marked between the first render and now.
    setStored(readProgress());
    return subscribeProgress(() => setStored(readProgress()));
  }, []);
  return stored;
};

/**
 * Marks the pattern's lesson read once the Learn tab has been open
 * `delayMs` (about 10 s), or as soon as the learner scrolls the end of the
 * lesson (`lesson`, its body) into view.
 */
export const useLessonReadMark = (patternId: string | undefined, lesson: RefObject<HTMLElement | null>, delayMs = LESSON_READ_MS): void => {
  useEffect(() => {
    if (!patternId || progressOf(readProgress(), patternId).lessonRead) return;
    let finished = false;
    const stop = () => {
      finished = true;
      window.clearTimeout(timer);
      // Capture: the lesson may scroll in a container of its own, not the window.
      window.removeEventListener('scroll', onScroll, true);
    };
    const mark = () => {
      if (finished) return;
      stop();
      markProgress(patternId, 'lessonRead');
    };
    const onScroll = () => {
      const box = lesson.current?.getBoundingClientRect();
      if (box && box.height > 0 && reachedEnd(box.bottom, window.innerHeight)) mark();
    };
    const timer = window.setTimeout(mark, delayMs);
    window.addEventListener('scroll', onScroll, { capture: true, passive: true });
    return stop;
  }, [patternId, lesson, delayMs]);
};
