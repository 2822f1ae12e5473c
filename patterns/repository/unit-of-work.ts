/**
 * A unit of work: several repository calls that succeed or fail together.
 * Service code asks for one and gets repositories bound to it; it never sees
 * the transaction, so the same code runs on SQLite and in memory.
 *
 *   await unitOfWork.run(async ({ users, orders }) => {
 *     const user = await users.add({ email, name });
 *     await orders.add({ userId: user.id, amountCents: 4_200 });
 *   }); // both written, or (if anything threw) neither
 *
 * Why not commit inside each repository method (as the widely copied Python
 * version does): then "add the user, then the order" commits the user before
 * the order is tried, and a failure in between leaves half the work behind.
 */
import type { Clock, LabDatabase } from '../kit/index.ts';
import { MemoryOrderRepository, MemoryStore, MemoryUserRepository } from './memory-repository.ts';
import type { Repositories } from './repository.ts';
import { SqliteOrderRepository, SqliteUserRepository } from './sqlite-repository.ts';

export interface UnitOfWork {
  /** Runs `work` with repositories bound to one unit: committed when it resolves, rolled back when it throws (the error is rethrown). */
  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}

/**
 * Units of work do not nest, on either storage: code already inside a unit
 * passes the repositories it was given down, rather than starting another unit.
 */
const NESTED = 'units of work do not nest: run() was called inside a unit of this unit of work; pass the repositories the outer unit gave you down instead';

/**
 * One SQLite transaction per unit (`db.transaction`). A unit started inside
 * one of its own units is refused at once (the database would make it a
 * savepoint; the memory unit of work cannot nest, and both keep one contract).
 */
export class SqliteUnitOfWork implements UnitOfWork {
  /**
   * Units of this unit of work now running. The database runs one transaction
   * at a time (another request's waits before its work starts), so a unit that
   * starts while this is above 0 was started inside one.
   */
  private running = 0;

  constructor(
    private readonly db: LabDatabase,
    private readonly clock: Clock,
  ) {}

  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      if (this.running > 0) throw new Error(NESTED);
      this.running++;
      try {
        return await work({ users: new SqliteUserRepository(tx, this.clock), orders: new SqliteOrderRepository(tx, this.clock) });
      } finally {
        this.running--;
      }
    });
  }
}

/** How long a unit waits for the units queued before it, as SQLite's busy timeout: then it gives up. */
export const UNIT_WAIT_MS = 5_000;

/**
 * The in-memory counterpart: a snapshot of the store before the work, put back
 * if it throws. Units run one at a time (as SQLite's transactions do), so a
 * failing unit never restores over another unit's work. Unlike SQLite, calls
 * made on the store outside any unit meanwhile are not held back: use units
 * for every write when that matters.
 *
 * A unit waits at most UNIT_WAIT_MS for the ones before it, then fails, as a
 * SQLite transaction gives up with SQLITE_BUSY. Code here cannot tell a unit
 * started inside another from one started alongside it, so a nested unit (which
 * would wait for the unit it is inside of) is refused that way: after the wait.
 */
export class MemoryUnitOfWork implements UnitOfWork {
  /** When the last unit queued is over (done, or given up waiting): the next one starts after it. Never rejects. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: MemoryStore,
    private readonly clock: Clock,
  ) {}

  async run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    const before = this.queue;
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    // The next unit waits for the units before this one and for this one, whatever becomes of it.
    this.queue = before.then(() => ended);
    try {
      await this.waitFor(before);
      const snapshot = this.store.snapshot();
      try {
        return await work({ users: new MemoryUserRepository(this.clock, this.store), orders: new MemoryOrderRepository(this.clock, this.store) });
      } catch (error) {
        this.store.restore(snapshot);
        throw error;
      }
    } finally {
      end();
    }
  }

  private async waitFor(before: Promise<void>): Promise<void> {
    const stop = new AbortController();
    const waited = this.clock.sleep(UNIT_WAIT_MS, stop.signal).then(
      () => true,
      () => false,
    );
    try {
      const gaveUp = await Promise.race([before.then(() => false), waited]);
      if (gaveUp) throw new Error(`gave up after ${UNIT_WAIT_MS} ms waiting for the unit of work before this one to end (if this one was started inside it: ${NESTED})`);
    } finally {
      stop.abort();
    }
  }
}
