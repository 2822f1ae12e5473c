/**
 * What the learner has done with each pattern beyond its exercises (those are
 * the server's): lesson read, lab tried, tour done. The workbench keeps no
 * record of these, so they live in this browser's localStorage, as the first
 * time each was marked: `{ [patternId]: { lessonRead?: epochMs, … } }`.
 *
 * No React here: the catalog reads it, the Learn tab, the Lab tab and the
 * tour mark it (see ./hooks.ts), and the tests run it against a Map.
 */

export type LearnerStep = 'lessonRead' | 'labTried' | 'tourDone';
export const LEARNER_STEPS: readonly LearnerStep[] = ['lessonRead', 'labTried', 'tourDone'];

export type PatternProgress = Readonly<Record<LearnerStep, boolean>>;
export const NO_PROGRESS: PatternProgress = { lessonRead: false, labTried: false, tourDone: false };

/** As stored: when each step was first marked (epoch ms), per pattern id. */
export type StoredProgress = Readonly<Record<string, Readonly<Partial<Record<LearnerStep, number>>>>>;

export const STORAGE_KEY = 'workbench.learner-progress.v1';
/** Fired on `window` when this page marks a step (other tabs hear `storage`). */
export const PROGRESS_EVENT = 'workbench:learner-progress';
/** The Learn tab open this long counts as the lesson read (or its end scrolled into view). */
export const LESSON_READ_MS = 10_000;
/** How close (px) the lesson's bottom must come to the bottom of the window to count as its end. */
export const END_SLACK_PX = 48;

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The stored progress, keeping only well-formed entries: a corrupt or foreign value reads as nothing done. */
export const parseProgress = (raw: string | null | undefined): StoredProgress => {
  if (!raw) return {};
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!isRecord(data)) return {};
  const result: Record<string, Partial<Record<LearnerStep, number>>> = {};
  for (const [patternId, entry] of Object.entries(data)) {
    if (!isRecord(entry)) continue;
    const steps: Partial<Record<LearnerStep, number>> = {};
    for (const step of LEARNER_STEPS) {
      const at = entry[step];
      if (typeof at === 'number' && Number.isFinite(at)) steps[step] = at;
    }
    if (Object.keys(steps).length > 0) result[patternId] = steps;
  }
  return result;
};

/** One pattern's three marks. */
export const progressOf = (stored: StoredProgress, patternId: string): PatternProgress => {
  const entry = stored[patternId];
  if (!entry) return NO_PROGRESS;
  return { lessonRead: entry.lessonRead !== undefined, labTried: entry.labTried !== undefined, tourDone: entry.tourDone !== undefined };
};

/** `stored` with `step` marked for the pattern at `now`; the same object when it was marked already (the first time is kept). */
export const withMark = (stored: StoredProgress, patternId: string, step: LearnerStep, now: number): StoredProgress => {
  if (stored[patternId]?.[step] !== undefined) return stored;
  return { ...stored, [patternId]: { ...stored[patternId], [step]: now } };
};

const browserStorage = (): KeyValueStore | undefined => {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    // Storage disabled (privacy settings): progress is simply not kept.
    return undefined;
  }
};

export const readProgress = (storage: KeyValueStore | null | undefined = browserStorage()): StoredProgress => {
  try {
    return parseProgress(storage?.getItem(STORAGE_KEY));
  } catch {
    return {};
  }
};

/**
 * Marks a step done for a pattern. True when it is newly marked (and saved);
 * false when it was already, or storage is unavailable. Never throws: a mark
 * not kept must not break the page that makes it.
 */
export const markProgress = (
  patternId: string,
  step: LearnerStep,
  options: { storage?: KeyValueStore | null; now?: number } = {},
): boolean => {
  // `storage: null` means none (the browser's is used only when no storage is given).
  const storage = options.storage === undefined ? browserStorage() : options.storage;
  const now = options.now ?? Date.now();
  if (!storage || !patternId) return false;
  const stored = readProgress(storage);
  const next = withMark(stored, patternId, step, now);
  if (next === stored) return false;
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    return false;
  }
  if (typeof window !== 'undefined' && typeof window.dispatchEvent === 'function') {
    window.dispatchEvent(new CustomEvent(PROGRESS_EVENT, { detail: { patternId, step } }));
  }
  return true;
};

/** Calls `onChange` when progress is marked in this page or in another tab. Returns the unsubscribe. */
export const subscribeProgress = (onChange: () => void): (() => void) => {
  if (typeof window === 'undefined') return () => undefined;
  const onStorage = (event: StorageEvent) => {
    if (event.key === null || event.key === STORAGE_KEY) onChange();
  };
  window.addEventListener(PROGRESS_EVENT, onChange);
  window.addEventListener('storage', onStorage);
  return () => {
    window.removeEventListener(PROGRESS_EVENT, onChange);
    window.removeEventListener('storage', onStorage);
  };
};

/** Whether the lesson's end is in view: its bottom (from getBoundingClientRect) at most `slack` px below the window's bottom. */
export const reachedEnd = (bottom: number, viewportHeight: number, slack = END_SLACK_PX): boolean => bottom <= viewportHeight + slack;
