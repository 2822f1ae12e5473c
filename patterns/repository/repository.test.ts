import { afterEach } from 'vitest';
import { VirtualClock } from '../kit/index.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import { repositoryContract } from './repository.contract.ts';
import { MemoryOrderRepository, MemoryStore, MemoryUserRepository } from './memory-repository.ts';
import { ensureSchema, SqliteOrderRepository, SqliteUserRepository } from './sqlite-repository.ts';
import { MemoryUnitOfWork, SqliteUnitOfWork } from './unit-of-work.ts';

const opened: RunDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

repositoryContract('in memory', async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore();
  return {
    clock,
    users: new MemoryUserRepository(clock, store),
    orders: new MemoryOrderRepository(clock, store),
    unitOfWork: new MemoryUnitOfWork(store, clock),
  };
});

repositoryContract('on SQLite', async () => {
  const clock = new VirtualClock();
  // The engine's own ctx.db, over a fresh in-memory SQLite database.
  const db = new RunDatabase({ connection: memoryDatabase(), clock, emit: () => undefined });
  opened.push(db);
  await ensureSchema(db);
  return {
    clock,
    users: new SqliteUserRepository(db, clock),
    orders: new SqliteOrderRepository(db, clock),
    unitOfWork: new SqliteUnitOfWork(db, clock),
  };
});
