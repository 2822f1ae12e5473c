import { describe, expect, it } from 'vitest';
import { stuckFatal } from './stuck-fatal.ts';
import type { StuckSnapshot } from './stuck-location.ts';

const context = {
  userCode: { rootDir: '/app', userCodeDirs: ['/app/patterns/retry-backoff'] },
  silentMs: 1500,
  heapLimitMb: 256,
};
const MB = 2 ** 20;

const snapshot = (heapMb: number): StuckSnapshot => ({
  frames: [
    { functionName: 'fire', file: 'file:///app/patterns/kit/events.ts', line: 70, column: 9 },
    { functionName: 'backoff', file: 'file:///app/patterns/retry-backoff/retry.ts', line: 42, column: 7 },
  ],
  heapUsedBytes: heapMb * MB,
});

describe('stuckFatal', () => {
  it('calls a worker holding little memory an infinite loop, at the first learner frame', () => {
    const fatal = stuckFatal(snapshot(12), context);
    expect(fatal).toMatchObject({ kind: 'infinite-loop', file: 'patterns/retry-backoff/retry.ts', line: 42, column: 7 });
    expect(fatal.message).toBe(
      'The code stopped responding for over 1.5 s (an infinite loop?) and was stopped. It was running patterns/retry-backoff/retry.ts:42.',
    );
    expect(fatal.stack).toContain('at backoff (file:///app/patterns/retry-backoff/retry.ts:42:7)');
  });

  it('mentions the heap of a loop that was filling memory', () => {
    expect(stuckFatal(snapshot(100), context).message).toContain('It held 100 MB of its 256 MB heap.');
  });

  it('calls a worker holding half its heap or more out of memory, naming the limit', () => {
    const fatal = stuckFatal(snapshot(140), context);
    expect(fatal).toMatchObject({ kind: 'out-of-memory', line: 42 });
    expect(fatal.message).toContain('it held 140 MB of the 256 MB heap');
  });

  it('still reports the loop when the inspector gave nothing in time', () => {
    expect(stuckFatal(undefined, context)).toEqual({
      kind: 'infinite-loop',
      message: 'The code stopped responding for over 1.5 s (an infinite loop?) and was stopped.',
    });
  });
});
