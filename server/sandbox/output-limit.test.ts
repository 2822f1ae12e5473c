import { describe, expect, it } from 'vitest';
import { droppedSummary, LineBudget } from './output-limit.ts';

const limits = { linesPerSecond: 10, burst: 3, maxLineChars: 5 };

describe('LineBudget', () => {
  it('lets a burst through, drops and counts the rest, and refills at the rate', () => {
    let now = 0;
    const budget = new LineBudget(limits, () => now);
    expect(budget.admit('a\nb\nc\nd\ne\n')).toBe('a\nb\nc\n');
    expect(budget.takeDropped()).toBe(2);
    expect(budget.takeDropped()).toBe(0);
    expect(budget.hasRoom()).toBe(false);
    now += 100; // one line's worth at 10 a second
    expect(budget.hasRoom()).toBe(true);
    expect(budget.admit('f\ng\n')).toBe('f\n');
    expect(budget.dropped).toBe(1);
    now += 60_000; // a long quiet spell refills only up to the burst
    expect(budget.admit('1\n2\n3\n4\n')).toBe('1\n2\n3\n');
  });

  it('counts a write without a newline as a line, and a trailing partial line too', () => {
    const budget = new LineBudget({ ...limits, burst: 1 }, () => 0);
    expect(budget.admit('.')).toBe('.');
    expect(budget.admit('x\ny')).toBe('');
    expect(budget.takeDropped()).toBe(2);
  });

  it('cuts a long line and says how much was cut', () => {
    const budget = new LineBudget(limits, () => 0);
    expect(budget.admit('abcdefghij\n')).toBe('abcde… (5 more characters cut)\n');
  });

  it('counts refused calls it never saw', () => {
    const budget = new LineBudget(limits, () => 0);
    budget.drop(12_000);
    expect(droppedSummary(budget.takeDropped(), limits)).toBe(
      "[sandbox] 12,000 lines of output dropped: the lab printed more than 10 lines a second (the sandbox's limit)",
    );
    expect(droppedSummary(1, limits)).toMatch(/^\[sandbox\] 1 line of output dropped/);
  });
});
