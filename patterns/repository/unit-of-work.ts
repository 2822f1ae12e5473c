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

/** One SQLite transaction per unit (`db.transaction`); inside another unit, a savepoint. */
export class SqliteUnitOfWork implements UnitOfWork {
  constructor(
    private readonly db: LabDatabase,
    private readonly clock: Clock,
  ) {}

  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      work({ users: new SqliteUserRepository(tx, this.clock), orders: new SqliteOrderRepository(tx, this.clock) }),
    );
  }
}

/**
 * The in-memory counterpart: a snapshot of the store before the work, put back
 * if it throws. Units run one at a time (as SQLite's transactions do), so a
 * failing unit never restores over another unit's work. Unlike SQLite, calls
 * made on the store outside any unit meanwhile are not held back: use units
 * for every write when that matters.
 */
export class MemoryUnitOfWork implements UnitOfWork {
  /** The end of the last unit queued: the next one starts after it. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: MemoryStore,
    private readonly clock: Clock,
  ) {}

  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    const result = this.queue.then(async () => {
      const snapshot = this.store.snapshot();
      try {
        return await work({ users: new MemoryUserRepository(this.clock, this.store), orders: new MemoryOrderRepository(this.clock, this.store) });
      } catch (error) {
        this.store.restore(snapshot);
        throw error;
      }
    });
    // The next unit waits for this one whatever its outcome.
    this.queue = result.catch(() => undefined);
    return result;
  }
}
