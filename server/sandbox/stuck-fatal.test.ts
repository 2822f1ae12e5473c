import { describe, expect, it } from 'vitest';
import { stuckFatal } from './stuck-fatal.ts';

const MB = 2 ** 20;
const location = { file: 'patterns/retry-backoff/retry.ts', line: 42, column: 7 };
const stuck = (heapMb: number) => ({ location, heapUsedBytes: heapMb * MB, silentMs: 1500, heapLimitMb: 256 });

describe('stuckFatal', () => {
  it('calls a sandbox holding little memory an infinite loop, at the learner line', () => {
    const fatal = stuckFatal(stuck(12));
    expect(fatal).toMatchObject({ kind: 'infinite-loop', file: 'patterns/retry-backoff/retry.ts', line: 42, column: 7 });
    expect(fatal.message).toBe(
      'The code stopped responding for over 1.5 s (an infinite loop?) and was stopped. It was running patterns/retry-backoff/retry.ts:42.',
    );
  });

  it('mentions the heap of a loop that was filling memory', () => {
    expect(stuckFatal(stuck(100)).message).toContain('It held 100 MB of its 256 MB heap.');
  });

  it('calls a sandbox holding half its heap or more out of memory, naming the limit', () => {
    const fatal = stuckFatal(stuck(140));
    expect(fatal).toMatchObject({ kind: 'out-of-memory', line: 42 });
    expect(fatal.message).toContain('it held 140 MB of the 256 MB heap');
  });

  it('still reports the loop when no line is known', () => {
    expect(stuckFatal({ silentMs: 1500, heapLimitMb: 256 })).toEqual({
      kind: 'infinite-loop',
      message: 'The code stopped responding for over 1.5 s (an infinite loop?) and was stopped.',
    });
  });
});
