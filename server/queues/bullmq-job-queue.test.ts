/**
 * The BullMQ engine keeps the job queue contract the SQLite one keeps, on a
 * redis-server of the tests' own (skipped, saying so, where none is found;
 * a failure under CI=true). Real time: the contract's leases are short.
 */
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { queueContract } from '../../patterns/background-jobs/queue.contract.ts';
import { redisServerPath, startRedis, type RedisServer } from '../../test/support/redis.ts';
import { BullMqJobQueue } from './bullmq-job-queue.ts';

describe.skipIf(!redisServerPath)('the job queue on BullMQ and Redis', () => {
  let redis: RedisServer;
  const opened: BullMqJobQueue[] = [];
  let next = 0;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const queue of opened.splice(0)) {
      await queue.obliterate();
      await queue.close();
    }
  });
  afterAll(async () => {
    await redis?.stop();
  });

  queueContract('BullMQ', async () => {
    // A queue of its own per test: every test starts empty.
    const queue = new BullMqJobQueue({ name: `contract-${process.pid}-${next++}`, connection: redis.url });
    opened.push(queue);
    return {
      queue,
      now: () => Date.now(),
      wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
  });
});
