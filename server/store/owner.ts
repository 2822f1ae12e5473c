/**
 * One database has one owner: the workbench that opened it first. Ownership is
 * an OS lock on a companion file `<db>.lock`, held by an SQLite connection in
 * exclusive locking mode for as long as the connection is open. The OS drops
 * the lock when the process ends, even by kill -9, so there is never a stale
 * lock to clean up; SQLite also honours it between connections of one process.
 * The database itself stays open to other programs (the sqlite3 tool, a backup).
 */
import Database from 'better-sqlite3';
import { isBusy, StoreOpenError } from './errors.ts';

/** The settings key under which the owner says who it is, for the message a second workbench shows. */
export const OWNER_KEY = 'workbench.owner';

export interface OwnerRecord {
  pid: number;
  /** Where the owner serves (no token), once it listens. */
  url: string | null;
  since: number;
}

/**
 * How long a second workbench waits for the lock before it is refused. Not zero: two
 * workbenches started at the same instant must not both lose (see takeOwnership).
 */
const ACQUIRE_TIMEOUT_MS = 500;

export const lockPath = (dbPath: string): string => `${dbPath}.lock`;

/** Who owns `dbPath`, as the owner recorded it in the database's settings; undefined if unknown. */
export const readOwner = (dbPath: string): OwnerRecord | undefined => {
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: ACQUIRE_TIMEOUT_MS });
    const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(OWNER_KEY) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as OwnerRecord) : undefined;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
};

/**
 * Takes ownership of `dbPath`, or throws a StoreOpenError naming the owner. Close the
 * returned connection to give ownership up. Keep a reference to it: a connection that is
 * garbage-collected closes, and the lock goes with it.
 */
export const takeOwnership = (dbPath: string): Database.Database => {
  const lock = new Database(lockPath(dbPath));
  try {
    lock.pragma(`busy_timeout = ${ACQUIRE_TIMEOUT_MS}`);
    // BEGIN EXCLUSIVE in the normal locking mode first: when two workbenches race, the loser's
    // attempt fails and lets go of its read lock, so the winner gets through. Had exclusive mode
    // been on from the start, each would keep its read lock and both would be refused.
    lock.exec('BEGIN EXCLUSIVE');
    // From here on the connection keeps its exclusive lock after commit, until it closes.
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS owner (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, since INTEGER NOT NULL)');
    lock.prepare('INSERT OR REPLACE INTO owner (id, pid, since) VALUES (1, ?, ?)').run(process.pid, Date.now());
    lock.exec('COMMIT');
    return lock;
  } catch (error) {
    lock.close();
    if (!isBusy(error)) {
      throw new StoreOpenError(`cannot take ownership of ${dbPath} through ${lockPath(dbPath)}: ${(error as Error).message}`);
    }
    const owner = readOwner(dbPath);
    const who = owner
      ? `the workbench with pid ${owner.pid}${owner.url ? ` at ${owner.url}` : ''}`
      : 'another workbench';
    throw new StoreOpenError(
      `${dbPath} is in use by ${who}. One database has one workbench: use that one, stop it first, ` +
        'or start this one on another database file with --db PATH',
    );
  }
};
