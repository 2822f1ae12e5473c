/**
 * The run's database, as lab and pattern code see it: `ctx.db`, a real SQLite
 * database that lives as long as the run. A redeploy or a params change swaps
 * the code, not the data: every new lab instance gets the same database.
 *
 *   await db.exec('CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT UNIQUE)');
 *   const { lastInsertRowid } = await db.run('INSERT INTO users (email) VALUES (?)', email);
 *   const user = await db.get<{ id: number; email: string }>('SELECT * FROM users WHERE id = ?', id);
 *   await db.transaction(async (tx) => {
 *     await tx.run('UPDATE accounts SET balance = balance - ? WHERE id = ?', amount, from);
 *     await tx.run('UPDATE accounts SET balance = balance + ? WHERE id = ?', amount, to);
 *   });
 *
 * Why every method returns a promise although SQLite answers at once: a
 * statement can be slowed down or refused by the `database` fault point, and
 * that delay passes on the run's clock (virtual time in tests and checks), so
 * the caller has to wait for it like for any other I/O. Code written against
 * this interface reads like code against any real, asynchronous database.
 *
 * Every statement becomes a `sql` telemetry event (statement, rows, durationMs,
 * error). The driver itself stays out of reach: lab code cannot import it, open
 * another file, or close the run's database.
 */

/** A value bound to a `?` placeholder. (SQLite has no booleans: use 0 and 1.) */
export type SqlValue = string | number | bigint | null;

/** What a write statement did. */
export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
  /** The rowid of the last row inserted. */
  lastInsertRowid: number;
}

export interface LabDatabase {
  /** Runs one or more statements without parameters (schema set-up). */
  exec(sql: string): Promise<void>;
  /** Runs one statement that writes. */
  run(sql: string, ...params: SqlValue[]): Promise<RunResult>;
  /** The first row of a query, or `undefined` when there is none. */
  get<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): Promise<T | undefined>;
  /** Every row of a query. */
  all<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): Promise<T[]>;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it
   * throws (the error is rethrown). While it runs, statements of other requests
   * wait for it, so they never see or join its half-done work (after 5 s of
   * run time they give up with SQLITE_BUSY, as SQLite's busy timeout does); statements made
   * inside it (through `tx` or through this database) are part of it. A
   * transaction inside a transaction is a savepoint. (BEGIN, COMMIT and
   * ROLLBACK by hand are refused: on the connection every request shares,
   * they would sweep other requests' statements into the transaction.)
   */
  transaction<T>(fn: (tx: LabDatabase) => Promise<T> | T): Promise<T>;
}

/**
 * `SQLITE_BUSY` (another connection holds the lock), `SQLITE_LOCKED` (a table is
 * locked), `SQLITE_CONSTRAINT_UNIQUE`, … — SQLite's extended result code names.
 */
export type DatabaseErrorCode = 'SQLITE_BUSY' | 'SQLITE_LOCKED' | (string & {});

/** A statement failed: refused by SQLite, or by an injected fault (`injected`). */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';

  constructor(
    readonly code: DatabaseErrorCode,
    message: string,
    /** True when the `database` fault point made it fail, not SQLite. */
    readonly injected = false,
  ) {
    super(message);
  }
}

export const isDatabaseError = (error: unknown): error is DatabaseError => error instanceof DatabaseError;

/** A database every call of which rejects with `reason`: where no database is provided. */
export const unavailableDatabase = (reason: string): LabDatabase => {
  const refuse = async (): Promise<never> => {
    throw new DatabaseError('SQLITE_MISUSE', reason);
  };
  return { exec: refuse, run: refuse, get: refuse, all: refuse, transaction: refuse };
};
