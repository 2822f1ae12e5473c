/**
 * The repository lab's findings, timed on real SQLite rather than virtual
 * time: a page of 20 users by OFFSET against one by key, deeper and deeper
 * into the lab's 100,000 users, and a page of users with their orders read
 * N+1 (one query per user) against one join. Each pair runs on the same
 * seeded database, through the same `ctx.db` the lab gets (in this process:
 * a live run adds a round trip to its database process per statement, which
 * widens the N+1 gap).
 */
import { RealClock } from '../../patterns/kit/index.ts';
import { offsetPageSqlite, seedSqlite } from '../../patterns/repository/lab-support.ts';
import { ensureSchema, SqliteOrderRepository, SqliteUserRepository } from '../../patterns/repository/sqlite-repository.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import type { BenchResult } from './result.ts';

const PAGE = 20;
const ROUNDS = 200;

/** The median of `ROUNDS` timings of `fn`, ms, after a warm-up. */
const median = async (fn: () => Promise<unknown>): Promise<number> => {
  for (let i = 0; i < 10; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
};

export const benchRepository = async (): Promise<BenchResult[]> => {
  const clock = new RealClock();
  const db = new RunDatabase({ connection: memoryDatabase(), clock, emit: () => undefined });
  const results: BenchResult[] = [];
  try {
    await ensureSchema(db);
    const seedStarted = performance.now();
    const seeded = await seedSqlite(db);
    const seedMs = performance.now() - seedStarted;
    results.push({ name: `seed ${seeded.users.toLocaleString()} users, ${seeded.orders.toLocaleString()} orders`, value: seedMs, unit: 'ms' });
    console.log(`  seeded ${seeded.users.toLocaleString()} users and ${seeded.orders.toLocaleString()} orders in ${seedMs.toFixed(0)} ms`);

    const users = new SqliteUserRepository(db, clock);
    const orders = new SqliteOrderRepository(db, clock);
    for (const depth of [0, 10_000, 50_000, 90_000, 99_980]) {
      const offset = await median(() => offsetPageSqlite(db, depth, PAGE));
      const keyset = await median(() => users.list({ limit: PAGE, after: depth }));
      console.log(`  page of ${PAGE} at depth ${depth.toLocaleString()}: OFFSET ${offset.toFixed(3)} ms, by key ${keyset.toFixed(3)} ms (${(offset / keyset).toFixed(1)}×)`);
      results.push(
        { name: `page at ${depth}, OFFSET`, value: offset, unit: 'ms' },
        { name: `page at ${depth}, by key`, value: keyset, unit: 'ms', note: `OFFSET/key ${(offset / keyset).toFixed(1)}×` },
      );
    }

    const nPlusOne = await median(async () => {
      const page = await users.list({ limit: PAGE, after: 50_000 });
      for (const user of page.items) await orders.listByUser(user.id);
    });
    const join = await median(() => users.listWithOrders({ limit: PAGE, after: 50_000 }));
    console.log(`  ${PAGE} users with their orders: N+1 (${PAGE + 1} statements) ${nPlusOne.toFixed(3)} ms, one join ${join.toFixed(3)} ms (${(nPlusOne / join).toFixed(1)}×)`);
    results.push(
      { name: `${PAGE} users with orders, N+1`, value: nPlusOne, unit: 'ms' },
      { name: `${PAGE} users with orders, join`, value: join, unit: 'ms', note: `N+1/join ${(nPlusOne / join).toFixed(1)}×` },
    );
  } finally {
    await db.close();
  }
  return results;
};
