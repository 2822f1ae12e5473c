import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kit/index.ts';
import { ConnectionPool, PoolTimeoutError } from './quote-service.ts';

describe('ConnectionPool', () => {
  it('hands a released connection to the next caller waiting, and times out those that wait too long', async () => {
    const clock = new VirtualClock();
    const pool = new ConnectionPool(clock, 1);
    const release = await pool.acquire(100);
    const second = pool.acquire(100);
    const third = pool.acquire(50);
    const thirdFailed = third.then(
      () => false,
      (error: unknown) => error instanceof PoolTimeoutError,
    );
    expect(pool.state).toEqual({ inUse: 1, size: 1, waiting: 2 });
    await clock.advance(60);
    expect(await thirdFailed).toBe(true);
    release();
    const releaseSecond = await second;
    expect(pool.state).toEqual({ inUse: 1, size: 1, waiting: 0 });
    releaseSecond();
    releaseSecond(); // twice is once
    expect(pool.state.inUse).toBe(0);
  });

  it('grows live: a larger size lets waiting callers in at once', async () => {
    const clock = new VirtualClock();
    const pool = new ConnectionPool(clock, 1);
    await pool.acquire(100);
    const waiting = [pool.acquire(1_000), pool.acquire(1_000)];
    pool.resize(3);
    await Promise.all(waiting);
    expect(pool.state).toEqual({ inUse: 3, size: 3, waiting: 0 });
    await clock.runUntilIdle(2_000);
    expect(clock.pending).toBe(0);
  });
});
