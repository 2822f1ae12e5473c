/**
 * The repositories over SQLite (`LabDatabase`, the run's `ctx.db`). The SQL
 * stays in this file: service code sees domain objects and domain errors.
 *
 *   const users = new SqliteUserRepository(ctx.db, ctx.clock);
 *   await ensureSchema(ctx.db);
 *   const ada = await users.add({ email: 'ada@example.com', name: 'Ada' });
 *   await users.update(ada.id, { name: 'Ada L.' }, ada.version);
 */
import { isDatabaseError, type Clock, type LabDatabase, type SqlValue } from '../kit/index.ts';
import type { NewOrder, NewUser, Order, User, UserChanges } from './domain.ts';
import { ConcurrencyError, DuplicateEmailError, NotFoundError } from './errors.ts';
import {
  checkLimit,
  givenChanges,
  type ListOptions,
  type OrderRepository,
  type Page,
  type UserRepository,
  type UserWithOrders,
} from './repository.ts';

/**
 * Creates the tables if they are missing. AUTOINCREMENT so that an id is never
 * given again after a removal (a stale reference must not find someone else).
 */
export async function ensureSchema(db: LabDatabase): Promise<void> {
  await db.exec(`
    CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      email TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      version INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS orders (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      user_id INTEGER NOT NULL,
      amount_cents INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id, id);
  `);
}

interface UserRow {
  id: number;
  email: string;
  name: string;
  version: number;
  created_at: number;
}

interface OrderRow {
  id: number;
  user_id: number;
  amount_cents: number;
  created_at: number;
}

const USER_COLUMNS = 'id, email, name, version, created_at';
const ORDER_COLUMNS = 'id, user_id, amount_cents, created_at';

const toUser = (row: UserRow): User => ({ id: row.id, email: row.email, name: row.name, version: row.version, createdAt: row.created_at });
const toOrder = (row: OrderRow): Order => ({ id: row.id, userId: row.user_id, amountCents: row.amount_cents, createdAt: row.created_at });

/**
 * The column of each editable field. Column names come from this table, never
 * from the caller's object: the SET clause cannot name a column it should not.
 */
const USER_FIELD_COLUMNS: Record<keyof UserChanges, string> = { email: 'email', name: 'name' };

/** SQLite refused a second row with this email: the one unique constraint besides the ids. */
const isDuplicateEmail = (error: unknown): boolean =>
  isDatabaseError(error) && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('users.email');

export class SqliteUserRepository implements UserRepository {
  constructor(
    private readonly db: LabDatabase,
    private readonly clock: Clock,
  ) {}

  async get(id: number): Promise<User | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, id);
    return row && toUser(row);
  }

  async list({ limit, after }: ListOptions): Promise<Page<User>> {
    checkLimit(limit);
    // Keyset paging: "the ids after the last one seen" uses the primary key's index and
    // neither skips nor repeats a row when rows are added or removed between pages.
    // One row more than asked tells whether there is a next page.
    const rows = await this.db.all<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE id > ? ORDER BY id LIMIT ?`,
      after ?? 0,
      limit + 1,
    );
    const items = rows.slice(0, limit).map(toUser);
    return { items, next: rows.length > limit ? items[items.length - 1]!.id : undefined };
  }

  async listWithOrders({ limit, after }: ListOptions): Promise<Page<UserWithOrders>> {
    checkLimit(limit);
    // One query for the page: the users (keyset-paged as in `list`) joined to their orders,
    // a row per order (a user without orders gets one row of NULLs, from the LEFT JOIN).
    const rows = await this.db.all<UserRow & { order_id: number | null; amount_cents: number | null; order_created_at: number | null }>(
      `SELECT u.id, u.email, u.name, u.version, u.created_at,
              o.id AS order_id, o.amount_cents, o.created_at AS order_created_at
         FROM (SELECT ${USER_COLUMNS} FROM users WHERE id > ? ORDER BY id LIMIT ?) AS u
         LEFT JOIN orders AS o ON o.user_id = u.id
        ORDER BY u.id, o.id`,
      after ?? 0,
      limit + 1,
    );
    const page: UserWithOrders[] = [];
    for (const row of rows) {
      if (page.at(-1)?.user.id !== row.id) page.push({ user: toUser(row), orders: [] });
      if (row.order_id !== null) {
        page.at(-1)!.orders.push({ id: row.order_id, userId: row.id, amountCents: row.amount_cents!, createdAt: row.order_created_at! });
      }
    }
    const items = page.slice(0, limit);
    return { items, next: page.length > limit ? items[items.length - 1]!.user.id : undefined };
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`, email);
    return row && toUser(row);
  }

  async add({ email, name, createdAt }: NewUser): Promise<User> {
    // No "SELECT first, then INSERT": between the two another request could add the same
    // email. The UNIQUE constraint decides, and its error is turned into the domain's.
    const row = await this.mapDuplicate(email, () =>
      this.db.get<UserRow>(
        `INSERT INTO users (email, name, version, created_at) VALUES (?, ?, 1, ?) RETURNING ${USER_COLUMNS}`,
        email,
        name,
        createdAt ?? this.clock.wallNow(),
      ),
    );
    return toUser(row!);
  }

  async update(id: number, changes: UserChanges, expectedVersion: number): Promise<User> {
    const given = givenChanges(changes);
    const fields = Object.keys(given) as Array<keyof UserChanges>;
    const assignments = [...fields.map((field) => `${USER_FIELD_COLUMNS[field]} = ?`), 'version = version + 1'];
    const values: SqlValue[] = fields.map((field) => given[field]!);
    // One statement: the version check and the write cannot be split by another request's update.
    const row = await this.mapDuplicate(given.email ?? '', () =>
      this.db.get<UserRow>(
        `UPDATE users SET ${assignments.join(', ')} WHERE id = ? AND version = ? RETURNING ${USER_COLUMNS}`,
        ...values,
        id,
        expectedVersion,
      ),
    );
    if (row) return toUser(row);
    // Nothing changed: either there is no such user, or its version moved on.
    const current = await this.db.get<{ version: number }>('SELECT version FROM users WHERE id = ?', id);
    if (!current) throw new NotFoundError('User', id);
    throw new ConcurrencyError('User', id, expectedVersion, current.version);
  }

  async remove(id: number): Promise<void> {
    const { changes } = await this.db.run('DELETE FROM users WHERE id = ?', id);
    if (changes === 0) throw new NotFoundError('User', id);
  }

  private async mapDuplicate<T>(email: string, statement: () => Promise<T>): Promise<T> {
    try {
      return await statement();
    } catch (error) {
      if (isDuplicateEmail(error)) throw new DuplicateEmailError(email);
      throw error;
    }
  }
}

export class SqliteOrderRepository implements OrderRepository {
  constructor(
    private readonly db: LabDatabase,
    private readonly clock: Clock,
  ) {}

  async add({ userId, amountCents, createdAt }: NewOrder): Promise<Order> {
    const row = await this.db.get<OrderRow>(
      `INSERT INTO orders (user_id, amount_cents, created_at) VALUES (?, ?, ?) RETURNING ${ORDER_COLUMNS}`,
      userId,
      amountCents,
      createdAt ?? this.clock.wallNow(),
    );
    return toOrder(row!);
  }

  async listByUser(userId: number): Promise<Order[]> {
    const rows = await this.db.all<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = ? ORDER BY id`, userId);
    return rows.map(toOrder);
  }
}
