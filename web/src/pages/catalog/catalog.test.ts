import { describe, expect, it } from 'vitest';
import { exerciseCounts } from './catalog.ts';

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
