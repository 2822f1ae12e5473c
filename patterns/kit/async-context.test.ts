import { describe, expect, it } from 'vitest';
import { AsyncContext } from './async-context.ts';
import { VirtualClock } from './clock.ts';

describe('AsyncContext', () => {
  it('keeps each run its own value across awaits, while runs interleave', async () => {
    const clock = new VirtualClock();
    const context = new AsyncContext<string>();
    const seen: string[] = [];
    const handle = (id: string, waitMs: number) =>
      context.run(id, async () => {
        await clock.sleep(waitMs);
        seen.push(`${id}:${context.get()}`);
      });
    const both = Promise.all([handle('a', 20), handle('b', 10)]);
    await clock.advance(20);
    await both;
    expect(seen).toEqual(['b:b', 'a:a']);
    expect(context.get()).toBeUndefined();
  });
});
