import { describe, expect, it } from 'vitest';
import { categoryLabel, exerciseCounts, groupByCategory } from './catalog.ts';

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
