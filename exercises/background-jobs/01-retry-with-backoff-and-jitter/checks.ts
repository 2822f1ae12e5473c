import { defineChecks, SeededRandom } from '../../../patterns/kit/index.ts';
import { retryDelay, type BackoffPolicy } from '../../../patterns/background-jobs/backoff.ts';
import { SqliteJobQueue } from '../../../patterns/background-jobs/sqlite-queue.ts';
import { Worker } from '../../../patterns/background-jobs/worker.ts';

const policy: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000 };

/** The delays of `n` jobs that all failed their attempt `attempt`. */
const delaysAfter = (attempt: number, n: number, seed = 11) => {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => retryDelay(attempt, policy, random));
};

export default defineChecks([
  {
    task: 1,
    name: 'no job waits longer than maxMs, however many attempts it failed',
    async run({ expect }) {
      for (const attempt of [6, 10, 20, 40]) {
        for (const delay of delaysAfter(attempt, 20)) expect.atMost(delay, policy.maxMs, `the delay after failed attempt ${attempt} (maxMs 30 000)`);
      }
    },
  },
  {
    task: 1,
    name: 'below the cap the delay still doubles with each failed attempt',
    async run({ expect }) {
      // The largest of many draws is close to the ceiling: 1 s, 2 s, 4 s, 8 s.
      const ceilings = [1, 2, 3, 4].map((attempt) => Math.max(...delaysAfter(attempt, 200)));
      [1_000, 2_000, 4_000, 8_000].forEach((ceiling, i) =>
        expect.between(ceilings[i]!, ceiling * 0.9, ceiling, `the longest of 200 delays after failed attempt ${i + 1}`),
      );
    },
  },
  {
    task: 2,
    name: 'jobs that failed together get different delays, each between half and all of the capped exponential delay',
    async run({ expect }) {
      const delays = delaysAfter(3, 50);
      expect.atLeast(new Set(delays).size, 40, 'different delays among 50 jobs that failed their third attempt together');
      for (const delay of delays) expect.between(delay, 2_000, 4_000, 'a delay after the third failed attempt (ceiling 4 s)');
      for (const delay of delaysAfter(25, 50)) expect.between(delay, 15_000, 30_000, 'a delay after failed attempt 25 (capped at 30 s)');
    },
  },
  {
    task: 2,
    name: 'ten jobs that fail at once on a worker are given ten different delays',
    async run({ clock, db, expect }) {
      const queue = await SqliteJobQueue.open({ db, clock, random: new SeededRandom(1) });
      const worker = new Worker({
        id: 'w1',
        queue,
        clock,
        random: new SeededRandom(2),
        concurrency: 10,
        pollMs: 10,
        // Long enough that the lease never lapses while the statements go to the database and back.
        leaseMs: 600_000,
        backoff: policy,
        handlers: {
          send: async () => {
            throw new Error('mail server down');
          },
        },
      });
      const delays: number[] = [];
      worker.onTransition((move) => move.to === 'retrying' && delays.push(move.retryInMs!));
      for (let n = 0; n < 10; n++) await queue.enqueue('send', { n }, { attempts: 2 });
      worker.start();
      // Small steps: the database answers between them.
      for (let step = 0; step < 5_000 && delays.length < 10; step++) await clock.advance(5);
      await worker.stop();
      expect.equal(delays.length, 10, 'jobs sent back to retrying after their first attempt failed');
      expect.atLeast(new Set(delays).size, 9, `different delays among the ten (got ${delays.join(', ')} ms)`);
    },
  },
]);
