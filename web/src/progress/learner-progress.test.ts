import { describe, expect, it } from 'vitest';
import {
  NO_PROGRESS,
  STORAGE_KEY,
  markProgress,
  parseProgress,
  progressOf,
  reachedEnd,
  readProgress,
  withMark,
  type KeyValueStore,
} from './learner-progress.ts';

const memoryStorage = (initial: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } => {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value) };
};

describe('parseProgress', () => {
  it('reads nothing done from nothing, corrupt JSON or a foreign shape', () => {
    expect(parseProgress(null)).toEqual({});
    expect(parseProgress('')).toEqual({});
    expect(parseProgress('{not json')).toEqual({});
    expect(parseProgress('[1,2]')).toEqual({});
    expect(parseProgress('"text"')).toEqual({});
  });

  it('keeps only the known steps with a time', () => {
    const raw = JSON.stringify({
      repository: { lessonRead: 10, labTried: 'yes', bogus: 3 },
      cqrs: 'nope',
      'retry-backoff': { tourDone: 20 },
      middleware: {},
    });
    expect(parseProgress(raw)).toEqual({ repository: { lessonRead: 10 }, 'retry-backoff': { tourDone: 20 } });
  });
});

describe('progressOf and withMark', () => {
  it('is nothing done for a pattern never marked', () => {
    expect(progressOf({}, 'repository')).toEqual(NO_PROGRESS);
  });

  it('marks one step of one pattern, keeping the first time', () => {
    const once = withMark({}, 'repository', 'lessonRead', 100);
    expect(progressOf(once, 'repository')).toEqual({ lessonRead: true, labTried: false, tourDone: false });
    expect(progressOf(once, 'cqrs')).toEqual(NO_PROGRESS);
    const twice = withMark(once, 'repository', 'lessonRead', 200);
    expect(twice).toBe(once);
    expect(twice.repository!.lessonRead).toBe(100);
    const more = withMark(once, 'repository', 'tourDone', 300);
    expect(more).toEqual({ repository: { lessonRead: 100, tourDone: 300 } });
    expect(once).toEqual({ repository: { lessonRead: 100 } });
  });
});

describe('markProgress and readProgress', () => {
  it('saves a mark in the storage and says whether it was new', () => {
    const storage = memoryStorage();
    expect(markProgress('circuit-breaker', 'labTried', { storage, now: 5 })).toBe(true);
    expect(markProgress('circuit-breaker', 'labTried', { storage, now: 6 })).toBe(false);
    expect(JSON.parse(storage.data.get(STORAGE_KEY)!)).toEqual({ 'circuit-breaker': { labTried: 5 } });
    expect(progressOf(readProgress(storage), 'circuit-breaker').labTried).toBe(true);
  });

  it('starts again from a corrupt value rather than failing', () => {
    const storage = memoryStorage({ [STORAGE_KEY]: '{oops' });
    expect(readProgress(storage)).toEqual({});
    expect(markProgress('settings', 'tourDone', { storage, now: 1 })).toBe(true);
    expect(readProgress(storage)).toEqual({ settings: { tourDone: 1 } });
  });

  it('never throws when storage is missing or refuses to save', () => {
    expect(markProgress('settings', 'tourDone', { storage: null })).toBe(false);
    const full: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(markProgress('settings', 'tourDone', { storage: full })).toBe(false);
    const broken: KeyValueStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
    };
    expect(readProgress(broken)).toEqual({});
  });

  it('marks nothing for an empty pattern id', () => {
    const storage = memoryStorage();
    expect(markProgress('', 'lessonRead', { storage })).toBe(false);
    expect(storage.data.size).toBe(0);
  });
});

describe('reachedEnd', () => {
  it('is the lesson’s bottom in view, with a little slack', () => {
    expect(reachedEnd(3000, 900)).toBe(false);
    expect(reachedEnd(900, 900)).toBe(true);
    expect(reachedEnd(940, 900)).toBe(true);
    expect(reachedEnd(960, 900)).toBe(false);
    expect(reachedEnd(-50, 900)).toBe(true);
  });
});
