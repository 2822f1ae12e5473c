import { describe, expect, it } from 'vitest';
import { layoutFlow, NODE_WIDTH } from './layout.ts';

describe('flow layout', () => {
  it.each([2, 3, 4])('puts %i columns side by side, left to right, without overlap', (columns) => {
    const layout = layoutFlow(Array.from({ length: columns }, () => 2), 3);
    expect(layout.columnX).toHaveLength(columns);
    for (let c = 1; c < columns; c++) expect(layout.columnX[c]!).toBeGreaterThan(layout.columnX[c - 1]! + NODE_WIDTH);
    expect(layout.columnX.at(-1)! + NODE_WIDTH).toBeLessThan(layout.width);
  });

  it('centres each column against the tallest, nodes never overlapping', () => {
    const layout = layoutFlow([1, 3, 2], 3);
    const [one, three, two] = layout.nodeY;
    expect(one).toEqual([three![1]]);
    expect((two![0]! + two![1]!) / 2).toBeCloseTo(three![1]!);
    expect(three![1]! - three![0]!).toBeGreaterThan(layout.nodeHeight);
    expect(three![2]! + layout.nodeHeight / 2).toBeLessThan(layout.height);
  });

  it('makes room for more text lines', () => {
    expect(layoutFlow([1], 4).nodeHeight).toBeGreaterThan(layoutFlow([1], 3).nodeHeight);
  });
});
