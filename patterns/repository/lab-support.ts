/**
 * What the store lab needs around the repositories: the users and orders it
 * starts with (in SQLite and in memory alike), a view of `ctx.db` that counts
 * one request's statements, offset paging as the widely copied Python version
 * does it (to put beside keyset paging), and the edit count the edit
 * workloads keep in a user's name. Lab code, readable, not the pattern.
 */
import type { LabDatabase, RunResult, SqlValue } from '../kit/index.ts';
import type { User } from './domain.ts';
import type { MemoryStore } from './memory-repository.ts';
import { SEEDED_USERS } from './params.ts';

/** Seeded users were created one a minute from this instant (epoch ms): the data looks the same in every run. */
const FIRST_CREATED_AT = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const MINUTE = 60_000;

/** User n has n % 3 orders (0, 1 or 2): 100,000 orders for 100,000 users. */
const ordersOf = (n: number): number => n % 3;
export interface Seeded {
  users: number;
  orders: number;
  /** Nothing was added: an earlier lab instance of this run had seeded it (the run's database outlives redeploys). */
  alreadyThere: boolean;
}

/**
 * Fills an empty SQLite database with the lab's users and orders. Each table
 * is one statement (a recursive CTE counts 1, 2, … and INSERT … SELECT turns
 * each number into a row): 100,000 single-row INSERTs would be 100,000 `sql`
 * events and take seconds. The CTE yields no row at all when the table
 * already has one, so seeding again (a redeploy, a params change) adds
 * nothing and costs almost nothing. Both in one transaction: a statement
 * failed by the `database` fault leaves nothing half-seeded.
 */
export async function seedSqlite(db: LabDatabase): Promise<Seeded> {
  const [users, orders] = await db.transaction(async (tx): Promise<[RunResult, RunResult]> => {
    const addedUsers = await tx.run(
      `INSERT INTO users (id, email, name, version, created_at)
       WITH RECURSIVE seq(n) AS (
         SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM users)
         UNION ALL SELECT n + 1 FROM seq WHERE n < ?
       )
       SELECT n, 'user' || n || '@example.com', 'User ' || n, 1, ? + n * ? FROM seq`,
      SEEDED_USERS,
      FIRST_CREATED_AT,
      MINUTE,
    );
    const addedOrders = await tx.run(
      `INSERT INTO orders (user_id, amount_cents, created_at)
       WITH RECURSIVE seq(n) AS (
         SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM orders)
         UNION ALL SELECT n + 1 FROM seq WHERE n < ?
       )
       SELECT n, 500 + (n * 37 + k.i * 1301) % 9500, ? + n * ? + k.i * 1000
         FROM seq JOIN (SELECT 0 AS i UNION ALL SELECT 1) AS k ON k.i < n % 3
        ORDER BY n, k.i`,
      SEEDED_USERS,
      FIRST_CREATED_AT,
      MINUTE,
    );
    return [addedUsers, addedOrders];
  });
  return { users: users.changes, orders: orders.changes, alreadyThere: users.changes === 0 && orders.changes === 0 };
}

/** The same users and orders in a memory store, written straight into its state (the repositories would copy each). */
export function seedMemory(store: MemoryStore): Seeded {
  const { state } = store;
  if (state.users.size > 0) return { users: 0, orders: 0, alreadyThere: true };
  let orders = 0;
  for (let n = 1; n <= SEEDED_USERS; n++) {
    const createdAt = FIRST_CREATED_AT + n * MINUTE;
    state.users.set(n, { id: n, email: `user${n}@example.com`, name: `User ${n}`, version: 1, createdAt });
    const own = [];
    for (let i = 0; i < ordersOf(n); i++) {
      own.push({ id: state.nextOrderId++, userId: n, amountCents: 500 + ((n * 37 + i * 1301) % 9500), createdAt: createdAt + i * 1000 });
    }
    if (own.length > 0) state.ordersByUser.set(n, own);
    orders += own.length;
  }
  state.nextUserId = SEEDED_USERS + 1;
  return { users: SEEDED_USERS, orders, alreadyThere: false };
}

/** One request's statement count: what the request log's "statements" column also shows. */
export interface StatementCounter {
  statements: number;
}

/**
 * `db` as one request uses it: every statement goes to `db` and is counted in
 * `counter`. A transaction counts its BEGIN and its COMMIT (or ROLLBACK) too,
 * as the query log shows them.
 */
export function countingDatabase(db: LabDatabase, counter: StatementCounter): LabDatabase {
  const counted = <T>(send: () => Promise<T>): Promise<T> => {
    counter.statements++;
    return send();
  };
  return {
    exec: (sql: string) => counted(() => db.exec(sql)),
    run: (sql: string, ...params: SqlValue[]) => counted(() => db.run(sql, ...params)),
    get: <T>(sql: string, ...params: SqlValue[]) => counted(() => db.get<T>(sql, ...params)),
    all: <T>(sql: string, ...params: SqlValue[]) => counted(() => db.all<T>(sql, ...params)),
    transaction: <T>(fn: (tx: LabDatabase) => Promise<T> | T) => {
      counter.statements += 2;
      return db.transaction((tx) => fn(countingDatabase(tx, counter)));
    },
  };
}

/**
 * A page by offset: what the widely copied Python version's `list(skip, limit)`
 * sends (`.offset(skip).limit(limit)`). SQLite cannot jump to row `offset`:
 * it walks the table from the start and throws away every row before it, so
 * the deeper the page, the slower. Not part of the repository interface, on
 * purpose: it is here only to be compared with `UserRepository.list`.
 */
export async function offsetPageSqlite(db: LabDatabase, offset: number, limit: number): Promise<User[]> {
  const rows = await db.all<{ id: number; email: string; name: string; version: number; created_at: number }>(
    'SELECT id, email, name, version, created_at FROM users ORDER BY id LIMIT ? OFFSET ?',
    limit,
    offset,
  );
  return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, version: r.version, createdAt: r.created_at }));
}

/** The same in memory: a walk over the users in id order, counting `offset` of them off first. */
export function offsetPageMemory(store: MemoryStore, offset: number, limit: number): User[] {
  const page: User[] = [];
  let index = 0;
  for (const user of store.state.users.values()) {
    if (index++ < offset) continue;
    page.push({ ...user });
    if (page.length === limit) break;
  }
  return page;
}

/**
 * The edit workloads keep a count of edits in the user's name ("User 7 (edit
 * 12)"): each edit reads the name, adds one and writes it back, the classic
 * read-modify-write. Seeded names have no count: 0.
 */
export const editsIn = (name: string): number => Number(/ \(edit (\d+)\)$/.exec(name)?.[1] ?? 0);
export const withEdits = (name: string, edits: number): string => `${name.replace(/ \(edit \d+\)$/, '')} (edit ${edits})`;
