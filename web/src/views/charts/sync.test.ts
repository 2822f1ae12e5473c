import { describe, expect, it } from 'vitest';
import { nearestTick } from './sync.ts';

describe('nearestTick', () => {
  const ticks = [1000, 2000, 3000].map((value) => ({ value }));

  it('picks the point nearest the hovered time, as labels come as text', () => {
    expect(nearestTick(ticks, { activeLabel: '2003' })).toBe(1);
    expect(nearestTick(ticks, { activeLabel: 2600 })).toBe(2);
  });

  it('shows no cursor where a chart has no point within a second', () => {
    expect(nearestTick(ticks, { activeLabel: 5000 })).toBe(-1);
    expect(nearestTick(ticks, {})).toBe(-1);
    expect(nearestTick([], { activeLabel: 1000 })).toBe(-1);
  });
});
