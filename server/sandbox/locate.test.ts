import { describe, expect, it } from 'vitest';
import { parseStack, userLocation } from './locate.ts';

const code = { rootDir: '/work/app', userCodeDirs: ['/work/app/patterns/circuit-breaker'] };

describe('parseStack', () => {
  it('reads named, anonymous, async and URL frames, skipping other lines', () => {
    const stack = [
      'Error: boom',
      '    at CircuitBreaker.call (/work/app/patterns/circuit-breaker/breaker.ts:12:5)',
      '    at file:///work/app/patterns/circuit-breaker/lab.ts:30:9',
      '    at async Promise.all (index 0)',
      '    at async run (node:internal/modules/esm/module_job:325:25)',
    ].join('\n');
    expect(parseStack(stack)).toEqual([
      { file: '/work/app/patterns/circuit-breaker/breaker.ts', line: 12, column: 5 },
      { file: 'file:///work/app/patterns/circuit-breaker/lab.ts', line: 30, column: 9 },
      { file: 'node:internal/modules/esm/module_job', line: 325, column: 25 },
    ]);
  });

  it('returns no frames for a missing stack', () => {
    expect(parseStack(undefined)).toEqual([]);
  });
});

describe('userLocation', () => {
  it('takes the first frame in the learner folders, relative to the root, not kit or engine frames', () => {
    const frames = parseStack(
      [
        'Error: x',
        '    at Emitter.fire (/work/app/patterns/kit/events.ts:70:9)',
        '    at Engine.tick (/work/app/server/runs/engine.ts:40:3)',
        '    at retry (file:///work/app/patterns/circuit-breaker/retry.ts:8:11)',
        '    at lab (/work/app/patterns/circuit-breaker/lab.ts:3:1)',
      ].join('\n'),
    );
    expect(userLocation(frames, code)).toEqual({ file: 'patterns/circuit-breaker/retry.ts', line: 8, column: 11 });
  });

  it('gives nothing when no frame is learner code', () => {
    const frames = parseStack('Error: x\n    at f (/work/app/patterns/circuit-breaker-extra/x.ts:1:1)\n    at node:internal/x:1:1');
    expect(userLocation(frames, code)).toBeUndefined();
  });
});
