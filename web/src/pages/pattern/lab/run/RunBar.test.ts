import { describe, expect, it } from 'vitest';
import { describeDropped } from './RunBar.tsx';

/** Numbers as the page formats them, in whatever locale the test runs. */
const n = (value: number) => value.toLocaleString();

describe('describeDropped', () => {
  it('says how many events were dropped, then by type, the most dropped first', () => {
    expect(describeDropped(1240, { log: 140, request: 1100 })).toBe(`${n(1240)} events dropped to keep up (request ${n(1100)}, log 140)`);
  });

  it('orders types dropped as often by name, and leaves out types with none', () => {
    expect(describeDropped(4, { 'retry.attempt': 2, log: 2, request: 0 })).toBe('4 events dropped to keep up (log 2, retry.attempt 2)');
  });

  it('reads right for one event, and without a breakdown', () => {
    expect(describeDropped(1, { request: 1 })).toBe('1 event dropped to keep up (request 1)');
    expect(describeDropped(3, {})).toBe('3 events dropped to keep up');
  });
});
