/**
 * The job queue's two engines, on the same work: the background-jobs
 * pattern's embedded queue on SQLite (through the `ctx.db` a lab gets, in
 * this process: a live run adds a round trip to its database process per
 * statement) and the one on BullMQ and Redis (a redis-server of the bench's
 * own on loopback). Each enqueues N jobs, then eight workers claim and
 * complete them until none is left. Figures are jobs per second; the ratio
 * is SQLite's over BullMQ's. Skipped, saying so, where no redis-server is found.
 */
import type { JobQueue } from '../../patterns/kit/index.ts';
import { RealClock, SeededRandom } from '../../patterns/kit/index.ts';
import { SqliteJobQueue } from '../../patterns/background-jobs/sqlite-queue.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import { BullMqJobQueue } from '../../server/queues/bullmq-job-queue.ts';
import { redisServerPath, startRedis } from '../support/redis.ts';
import type { BenchResult } from './result.ts';

const JOBS = Number(process.env.WORKBENCH_BENCH_JOBS ?? 2_000);
const WORKERS = 8;

interface Figures {
  enqueuePerSecond: number;
  drainPerSecond: number;
}

const measure = async (queue: JobQueue): Promise<Figures> => {
  const enqueueStarted = performance.now();
  for (let i = 0; i < JOBS; i++) await queue.enqueue('credit-points', { order: i, points: 10 });
  const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;

  const drainStarted = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      for (;;) {
        const claimed = await queue.claim(`worker-${w}`, 30_000);
        if (!claimed) return;
        await queue.complete(claimed.lease, { credited: true });
        done++;
      }
    }),
  );
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  if (done !== JOBS) throw new Error(`drained ${done} of ${JOBS} jobs`);
  return { enqueuePerSecond: JOBS / enqueueSeconds, drainPerSecond: JOBS / drainSeconds };
};

export const benchQueue = async (): Promise<BenchResult[]> => {
  const clock = new RealClock();
  const db = new RunDatabase({ connection: memoryDatabase(), clock, emit: () => undefined });
  let sqlite: Figures;
  try {
    sqlite = await measure(await SqliteJobQueue.open({ db, clock, random: new SeededRandom(1) }));
  } finally {
    await db.close();
  }
  console.log(`  SQLite (embedded): enqueue ${sqlite.enqueuePerSecond.toFixed(0)} jobs/s, claim + complete with ${WORKERS} workers ${sqlite.drainPerSecond.toFixed(0)} jobs/s`);
  const results: BenchResult[] = [
    { name: `SQLite: enqueue ${JOBS} jobs`, value: sqlite.enqueuePerSecond, unit: 'jobs/s' },
    { name: `SQLite: claim + complete, ${WORKERS} workers`, value: sqlite.drainPerSecond, unit: 'jobs/s' },
  ];
  if (!redisServerPath) {
    console.warn('  NO REDIS-SERVER FOUND: the BullMQ side of this bench is skipped (apt-get install -y redis-server).');
    return results;
  }
  const redis = await startRedis();
  const bull = new BullMqJobQueue({ name: 'bench', connection: redis.url });
  try {
    const figures = await measure(bull);
    console.log(`  BullMQ on Redis:   enqueue ${figures.enqueuePerSecond.toFixed(0)} jobs/s, claim + complete with ${WORKERS} workers ${figures.drainPerSecond.toFixed(0)} jobs/s`);
    results.push(
      { name: `BullMQ: enqueue ${JOBS} jobs`, value: figures.enqueuePerSecond, unit: 'jobs/s', note: `SQLite/BullMQ ${(sqlite.enqueuePerSecond / figures.enqueuePerSecond).toFixed(2)}×` },
      { name: `BullMQ: claim + complete, ${WORKERS} workers`, value: figures.drainPerSecond, unit: 'jobs/s', note: `SQLite/BullMQ ${(sqlite.drainPerSecond / figures.drainPerSecond).toFixed(2)}×` },
    );
  } finally {
    await bull.obliterate().catch(() => undefined);
    await bull.close();
    await redis.stop();
  }
  return results;
};
