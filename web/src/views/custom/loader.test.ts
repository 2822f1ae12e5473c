import { describe, expect, it } from 'vitest';
import { customViewKey, customViewProblem } from './loader.ts';

describe("a pattern's own view", () => {
  const bundled = new Set([customViewKey('caching', 'heatmap.view.tsx')]);

  it('is found in the build by pattern and file name', () => {
    expect(customViewProblem('caching', 'heatmap.view.tsx', bundled)).toBeUndefined();
  });

  it('says to rebuild when the file is not in the build', () => {
    expect(customViewProblem('caching', 'other.view.tsx', bundled)).toMatch(/not in this build.*npm run build/);
  });

  it('refuses a path that is not a view file of the pattern folder', () => {
    expect(customViewProblem('caching', '../kit/x.view.tsx', bundled)).toMatch(/heatmap\.view\.tsx/);
    expect(customViewProblem('caching', 'heatmap.tsx', bundled)).toMatch(/named like/);
  });
});
