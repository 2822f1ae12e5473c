import { describe, expect, it } from 'vitest';
import {
  SUGGESTED_PATH,
  categoryLabel,
  exerciseCounts,
  groupByCategory,
  isPatternDone,
  marksDone,
  nextStep,
  progressMarks,
  suggestedPath,
  type LearnerMarks,
  type ProgressMark,
} from './catalog.ts';

describe('exerciseCounts', () => {
  it('counts solved and total exercises per pattern', () => {
    const counts = exerciseCounts([
      { patternId: 'circuit-breaker', status: 'solved' },
      { patternId: 'circuit-breaker', status: 'started' },
      { patternId: 'circuit-breaker', status: 'new' },
      { patternId: 'middleware', status: 'new' },
    ]);
    expect(counts.get('circuit-breaker')).toEqual({ solved: 1, total: 3 });
    expect(counts.get('middleware')).toEqual({ solved: 0, total: 1 });
    expect(counts.has('repository')).toBe(false);
  });
});

describe('categoryLabel', () => {
  it('is the catalog’s own word for a category, the same as its heading', () => {
    expect(categoryLabel('resilience')).toBe('Resilience');
    expect(categoryLabel('api')).toBe('APIs');
    expect(categoryLabel('operations')).toBe('Operations');
    const pattern = { id: 'p', title: 'P', category: 'api', summary: '', liveRuns: [] } as unknown as Parameters<typeof groupByCategory>[0][number];
    expect(groupByCategory([pattern])[0]!.label).toBe(categoryLabel('api'));
  });

  it('falls back to the id for a category the catalog does not know', () => {
    expect(categoryLabel('mystery')).toBe('mystery');
  });
});

const NOTHING: LearnerMarks = { lessonRead: false, labTried: false, tourDone: false };
const ALL: LearnerMarks = { lessonRead: true, labTried: true, tourDone: true };

describe('progressMarks', () => {
  it('says each of the four marks in words', () => {
    expect(progressMarks(NOTHING, { solved: 0, total: 3 })).toEqual([
      { key: 'lesson', state: 'todo', text: 'Lesson not read yet' },
      { key: 'lab', state: 'todo', text: 'Lab not tried yet' },
      { key: 'tour', state: 'todo', text: 'Tour not done yet' },
      { key: 'exercises', state: 'todo', text: '0 / 3 exercises solved' },
    ]);
    expect(progressMarks({ lessonRead: true, labTried: false, tourDone: true }, { solved: 3, total: 3 }).map((m) => [m.state, m.text])).toEqual([
      ['done', 'Lesson read'],
      ['todo', 'Lab not tried yet'],
      ['done', 'Tour done'],
      ['done', '3 / 3 exercises solved'],
    ]);
  });

  it('leaves the exercises out of the count for a pattern without any', () => {
    const marks = progressMarks(ALL, undefined);
    expect(marks[3]).toEqual({ key: 'exercises', state: 'none', text: 'No exercises' });
    expect(marksDone(marks)).toEqual({ done: 3, total: 3 });
    expect(isPatternDone(marks)).toBe(true);
    expect(progressMarks(ALL, { solved: 0, total: 0 })[3]!.state).toBe('none');
  });

  it('is a pattern done only when every mark that applies is', () => {
    expect(isPatternDone(progressMarks(ALL, { solved: 2, total: 3 }))).toBe(false);
    expect(isPatternDone(progressMarks(ALL, { solved: 3, total: 3 }))).toBe(true);
    expect(isPatternDone(progressMarks({ ...ALL, tourDone: false }, undefined))).toBe(false);
    expect(marksDone(progressMarks({ ...NOTHING, lessonRead: true }, { solved: 1, total: 2 }))).toEqual({ done: 1, total: 4 });
  });
});

describe('SUGGESTED_PATH', () => {
  // The folders under patterns/ that hold a pattern (the kit and the template do not).
  const patternIds = Object.keys(import.meta.glob('../../../../patterns/*/pattern.ts'))
    .map((path) => path.split('/').at(-2)!)
    .sort();

  it('takes every pattern exactly once, by its real id', () => {
    expect(patternIds.length).toBeGreaterThanOrEqual(12);
    const onPath = SUGGESTED_PATH.flatMap((t) => t.patterns);
    expect(new Set(onPath).size).toBe(onPath.length);
    expect([...onPath].sort()).toEqual(patternIds);
  });

  it('builds in the order the issue asks for', () => {
    const track = (id: string) => SUGGESTED_PATH.find((t) => t.id === id)!.patterns;
    expect(SUGGESTED_PATH.map((t) => t.title)).toEqual(['Structure', 'Resilience', 'Messaging', 'Operations']);
    expect(track('structure')).toEqual(['repository', 'service-layer', 'dependency-injection', 'cqrs']);
    expect(track('resilience')).toEqual(['retry-backoff', 'circuit-breaker']);
  });
});

describe('suggestedPath and nextStep', () => {
  const patterns = [
    { id: 'repository', title: 'Repository' },
    { id: 'service-layer', title: 'Service layer' },
    { id: 'retry-backoff', title: 'Retry with exponential backoff' },
    { id: 'circuit-breaker', title: 'Circuit breaker' },
  ];
  const tracks = [
    { id: 'structure', title: 'Structure', why: '', patterns: ['repository', 'service-layer', 'unknown'] },
    { id: 'resilience', title: 'Resilience', why: '', patterns: ['retry-backoff', 'circuit-breaker'] },
    { id: 'gone', title: 'Gone', why: '', patterns: ['nowhere'] },
  ];
  const marksFrom =
    (done: Record<string, boolean>) =>
    (id: string): ProgressMark[] =>
      progressMarks(done[id] ? ALL : { ...NOTHING, lessonRead: id === 'service-layer' }, undefined);

  it('follows the tracks over the patterns the server has, with each step’s titles and done state', () => {
    const path = suggestedPath(patterns, marksFrom({ repository: true }), tracks);
    expect(path.map((t) => t.id)).toEqual(['structure', 'resilience']);
    expect(path[0]!.steps).toEqual([
      { patternId: 'repository', title: 'Repository', done: true, progress: { done: 3, total: 3 } },
      { patternId: 'service-layer', title: 'Service layer', done: false, progress: { done: 1, total: 3 } },
    ]);
    expect(path[1]!.steps.map((s) => s.patternId)).toEqual(['retry-backoff', 'circuit-breaker']);
  });

  it('starts at the first step not yet done, track by track', () => {
    expect(nextStep(suggestedPath(patterns, marksFrom({}), tracks))?.patternId).toBe('repository');
    expect(nextStep(suggestedPath(patterns, marksFrom({ repository: true }), tracks))?.patternId).toBe('service-layer');
    // A later step done first does not move the start past an earlier one left undone.
    expect(nextStep(suggestedPath(patterns, marksFrom({ 'service-layer': true }), tracks))?.patternId).toBe('repository');
    expect(nextStep(suggestedPath(patterns, marksFrom({ repository: true, 'service-layer': true }), tracks))?.patternId).toBe('retry-backoff');
    const all = Object.fromEntries(patterns.map((p) => [p.id, true]));
    expect(nextStep(suggestedPath(patterns, marksFrom(all), tracks))).toBeUndefined();
  });

  it('uses the catalog’s own path by default', () => {
    const path = suggestedPath(patterns, marksFrom({}));
    expect(path.map((t) => t.title)).toEqual(['Structure', 'Resilience']);
  });
});
