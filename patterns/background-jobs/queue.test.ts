import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom, VirtualClock } from '../kit/index.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import { queueContract } from './queue.contract.ts';
import { SqliteJobQueue } from './sqlite-queue.ts';

const opened: RunDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

queueContract('on SQLite', async () => {
  const clock = new VirtualClock();
  // The engine's own ctx.db, over a fresh in-memory SQLite database.
  const db = new RunDatabase({ connection: await memoryDatabase(), clock, emit: () => undefined });
  opened.push(db);
  const queue = await SqliteJobQueue.open({ db, clock, random: new SeededRandom(1) });
  return { queue, now: () => clock.wallNow(), wait: (ms) => clock.advance(ms) };
});

describe('the SQLite queue', () => {
  it('keeps its jobs when it is opened again on the same database, as after a redeploy', async () => {
    const clock = new VirtualClock();
    const db = new RunDatabase({ connection: await memoryDatabase(), clock, emit: () => undefined });
    opened.push(db);
    const before = await SqliteJobQueue.open({ db, clock, random: new SeededRandom(1) });
    const { id } = await before.enqueue('work', { n: 1 }, { key: 'order-1' });
    await before.claim('old-worker', 1_000);
    const after = await SqliteJobQueue.open({ db, clock, random: new SeededRandom(2) });
    expect(await after.get(id)).toMatchObject({ state: 'active', workerId: 'old-worker' });
    await clock.advance(1_001);
    expect(await after.recoverExpired()).toEqual([{ jobId: id, workerId: 'old-worker', attempt: 1, state: 'retrying' }]);
  });

  it('gives two claims with one seed different tokens', async () => {
    const clock = new VirtualClock();
    const db = new RunDatabase({ connection: await memoryDatabase(), clock, emit: () => undefined });
    opened.push(db);
    const queue = await SqliteJobQueue.open({ db, clock, random: new SeededRandom(1) });
    await queue.enqueue('work', {});
    await queue.enqueue('work', {});
    const [a, b] = [await queue.claim('w', 1_000), await queue.claim('w', 1_000)];
    expect(a!.lease.token).not.toBe(b!.lease.token);
  });
});
