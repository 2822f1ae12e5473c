import { defineChecks, type LabDatabase, type SqlValue, type VirtualClock } from '../../../patterns/kit/index.ts';
import type { UserRepository } from '../../../patterns/repository/repository.ts';
import { ensureSchema, SqliteUserRepository } from '../../../patterns/repository/sqlite-repository.ts';

/** `db`, remembering every query sent through it (to ask SQLite how it runs them). */
const recording = (db: LabDatabase, queries: Array<{ sql: string; params: SqlValue[] }>): LabDatabase => ({
  exec: (sql) => db.exec(sql),
  run: (sql, ...params) => db.run(sql, ...params),
  get: (sql, ...params) => (queries.push({ sql, params }), db.get(sql, ...params)),
  all: (sql, ...params) => (queries.push({ sql, params }), db.all(sql, ...params)),
  transaction: (fn) => db.transaction(fn),
});

/** `count` users, ids 1 … count, added with one statement. */
const withUsers = async (db: LabDatabase, clock: VirtualClock, count: number, queries: Array<{ sql: string; params: SqlValue[] }> = []) => {
  await ensureSchema(db);
  await db.run(
    `INSERT INTO users (id, email, name, version, created_at)
     WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     SELECT n, 'user' || n || '@example.com', 'User ' || n, 1, 0 FROM seq`,
    count,
  );
  return new SqliteUserRepository(recording(db, queries), clock);
};

/** Every page from `after`, following `next` until there is none; `between` runs after each page. */
const pageThrough = async (users: UserRepository, limit: number, between: (page: number) => Promise<void> = async () => undefined) => {
  const seen: number[] = [];
  let after: number | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await users.list({ limit, after });
    seen.push(...result.items.map((u) => u.id));
    if (result.next === undefined) return seen;
    await between(page);
    after = result.next;
  }
  throw new Error('100 pages and still a next one: does `next` move forward?');
};

export default defineChecks([
  {
    task: 1,
    name: 'pages through every user once, in id order, and says when there is no next page',
    async run({ db, clock, expect }) {
      const users = await withUsers(db, clock, 7);
      expect.equal(await pageThrough(users, 3), [1, 2, 3, 4, 5, 6, 7], 'the ids seen paging 7 users 3 at a time');
      expect.equal((await users.list({ limit: 7 })).next, undefined, 'next, for a page that ends exactly at the last user');
    },
  },
  {
    task: 1,
    name: 'a user removed before the cursor between two pages makes nobody skipped',
    async run({ db, clock, expect }) {
      const users = await withUsers(db, clock, 9);
      // After the first page (users 1, 2, 3), user 1 closes their account.
      const seen = await pageThrough(users, 3, async (page) => {
        if (page === 0) await users.remove(1);
      });
      expect.equal(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9], 'the ids seen paging 3 at a time, with user 1 removed after the first page');
    },
  },
  {
    task: 1,
    name: 'a page continues after the last user seen, even once that user is gone',
    async run({ db, clock, expect }) {
      const users = await withUsers(db, clock, 10);
      const first = await users.list({ limit: 4 });
      // Users 3 and 4, on that page, are removed before the next page is asked for.
      await users.remove(3);
      await users.remove(4);
      const second = await users.list({ limit: 4, after: first.next });
      expect.equal(
        second.items.map((u) => u.id),
        [5, 6, 7, 8],
        'the next page after users 1 to 4, once users 3 and 4 were removed',
      );
    },
  },
  {
    task: 2,
    name: 'a deep page is found through the primary key, not by scanning from the first row',
    async run({ db, clock, expect }) {
      const queries: Array<{ sql: string; params: SqlValue[] }> = [];
      const users = await withUsers(db, clock, 1_000, queries);
      const first = await users.list({ limit: 20 });
      let after = first.next;
      for (let page = 1; page < 45 && after !== undefined; page++) after = (await users.list({ limit: 20, after })).next;
      queries.length = 0;
      const deep = await users.list({ limit: 20, after });
      expect.equal(deep.items.map((u) => u.id).slice(0, 3), [901, 902, 903], 'the first ids of the 46th page of 20');
      // Every query the deep page sent, as SQLite plans to run it.
      for (const query of queries) {
        const plan = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${query.sql}`, ...query.params);
        const scan = plan.find((step) => /^SCAN users\b/.test(step.detail));
        expect.ok(
          scan === undefined,
          `SQLite runs the page query with "${scan?.detail}": it reads the users table from its first row and throws away every row before the page (900 here, 99,980 for the last page of the lab's 100,000 users). Plan: ${plan.map((s) => s.detail).join('; ')}`,
        );
      }
    },
  },
]);
