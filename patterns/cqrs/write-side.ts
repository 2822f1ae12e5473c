/**
 * The write side: the command handlers, over the tables that hold the truth
 * (`users`, `orders`) and the event log (`events`). Each handler checks its
 * command, changes its tables and appends the event that says what happened,
 * in one transaction: the log never misses a change and never holds one that
 * was rolled back. It answers with the event's position, the client's token
 * for reading its own write later.
 *
 * Nothing here is read by queries: the read side reads the read model, which
 * a projection (projection.ts) builds from the events.
 */
import { isDatabaseError, type Clock, type LabDatabase } from '../kit/index.ts';
import type { CommandBus } from './command-bus.ts';
import { InvalidCommand, type CommandOf, type CommandResults, type DomainEvent, type RecordedEvent, type UserSummary } from './messages.ts';

/** The write side's tables. `IF NOT EXISTS`: the run's database outlives every deploy, and its data stays. */
export const WRITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id),
  amount_cents INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);`;

/** The most an order may be: a typo of a few zeroes is refused, not charged. */
export const MAX_ORDER_CENTS = 1_000_000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class WriteSide {
  private readonly db: LabDatabase;
  private readonly clock: Clock;

  constructor(options: { db: LabDatabase; clock: Clock }) {
    this.db = options.db;
    this.clock = options.clock;
  }

  /** Registers this side's handlers on `bus`: one per command type. */
  registerOn(bus: CommandBus): void {
    bus.register('RegisterUser', (command) => this.registerUser(command));
    bus.register('PlaceOrder', (command) => this.placeOrder(command));
  }

  async registerUser(command: CommandOf<'RegisterUser'>): Promise<CommandResults['RegisterUser']> {
    const email = String(command.email ?? '').trim().toLowerCase();
    const name = String(command.name ?? '').trim();
    if (!EMAIL.test(email)) throw new InvalidCommand(`'${command.email}' is not an email address`);
    if (name === '') throw new InvalidCommand('a user needs a name');
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      let userId: number;
      try {
        ({ lastInsertRowid: userId } = await tx.run('INSERT INTO users (email, name, version, created_at) VALUES (?, ?, 1, ?)', email, name, now));
      } catch (error) {
        if (isDatabaseError(error) && error.code === 'SQLITE_CONSTRAINT_UNIQUE') throw new InvalidCommand(`${email} is already registered`);
        throw error;
      }
      const position = await append(tx, { type: 'UserRegistered', userId, email, name }, now);
      return { userId, position };
    });
  }

  async placeOrder(command: CommandOf<'PlaceOrder'>): Promise<CommandResults['PlaceOrder']> {
    const { userId, amountCents } = command;
    if (!Number.isInteger(amountCents) || amountCents <= 0 || amountCents > MAX_ORDER_CENTS) {
      throw new InvalidCommand(`an order is a whole number of cents from 1 to ${MAX_ORDER_CENTS}, not ${amountCents}`);
    }
    return this.db.transaction(async (tx) => {
      const user = await tx.get('SELECT id FROM users WHERE id = ?', userId);
      if (user === undefined) throw new InvalidCommand(`there is no user ${userId}`);
      const now = this.clock.now();
      const { lastInsertRowid: orderId } = await tx.run('INSERT INTO orders (user_id, amount_cents, created_at) VALUES (?, ?, ?)', userId, amountCents, now);
      const position = await append(tx, { type: 'OrderPlaced', orderId, userId, amountCents }, now);
      return { orderId, position };
    });
  }

  /**
   * A user's summary computed from the write side's own tables: always up to
   * date, and as expensive as the tables are big. Only for a client that must
   * read its own write before the read model has it (read-side.ts).
   */
  async summaryOf(userId: number): Promise<UserSummary | undefined> {
    const row = await this.db.get<{ id: number; email: string; name: string; n: number; total: number }>(
      `SELECT u.id, u.email, u.name, COUNT(o.id) AS n, COALESCE(SUM(o.amount_cents), 0) AS total
         FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.id = ? GROUP BY u.id`,
      userId,
    );
    return row && { userId: row.id, email: row.email, name: row.name, orderCount: row.n, totalCents: row.total };
  }
}

/** Appends `event` to the log inside `tx`; returns its position. */
const append = async (tx: LabDatabase, event: DomainEvent, now: number): Promise<number> => {
  const { lastInsertRowid } = await tx.run('INSERT INTO events (type, data, recorded_at) VALUES (?, ?, ?)', event.type, JSON.stringify(event), now);
  return lastInsertRowid;
};

/** Up to `limit` events after `position`, oldest first: what a projection reads next. */
export const readEvents = async (db: LabDatabase, position: number, limit: number): Promise<RecordedEvent[]> => {
  const rows = await db.all<{ position: number; data: string; recorded_at: number }>(
    'SELECT position, data, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT ?',
    position,
    limit,
  );
  return rows.map((row) => ({ position: row.position, recordedAt: row.recorded_at, event: JSON.parse(row.data) as DomainEvent }));
};

/** The newest event's position and time (0 and undefined when the log is empty). */
export const headOf = async (db: LabDatabase): Promise<{ position: number; recordedAt?: number }> => {
  const row = await db.get<{ position: number; recorded_at: number }>('SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1');
  return row ? { position: row.position, recordedAt: row.recorded_at } : { position: 0 };
};
