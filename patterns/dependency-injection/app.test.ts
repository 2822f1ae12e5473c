import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kit/index.ts';
import { ConnectionClosedError, ConnectionPool, Database, DbConnection, PoolExhaustedError, type PoolEvent } from './app.ts';

const makePool = (size = 2, acquireTimeoutMs = 100) => {
  const clock = new VirtualClock();
  const pool = new ConnectionPool({ clock, database: new Database(), size, acquireTimeoutMs });
  const events: PoolEvent[] = [];
  pool.onChange((e) => events.push(e));
  return { clock, pool, events };
};

describe('ConnectionPool', () => {
  it('lends up to its size, then makes callers wait, and hands a returned connection to the longest waiter', async () => {
    const { clock, pool, events } = makePool(2);
    const a = await pool.acquire();
    await pool.acquire();
    const order: string[] = [];
    const third = pool.acquire().then((l) => order.push(`third ${l.id}`));
    const fourth = pool.acquire().then(
      (l) => order.push(`fourth ${l.id}`),
      (error: unknown) => order.push(`fourth: ${(error as Error).name}`),
    );
    expect(pool.state).toEqual({ size: 2, inUse: 2, waiting: 2 });
    await clock.advance(30);
    pool.release(a);
    await third;
    expect(order).toEqual(['third conn-3']);
    expect(events.at(-1)).toMatchObject({ kind: 'leased', connectionId: 'conn-3', waitedMs: 30, inUse: 2, waiting: 1 });
    // Nobody returns another connection: the fourth gives up 100 ms after it began to wait.
    await clock.advance(100);
    await fourth;
    expect(order).toEqual(['third conn-3', 'fourth: PoolExhaustedError']);
  });

  it('fails a caller with PoolExhaustedError after the acquire timeout, and forgets it', async () => {
    const { clock, pool, events } = makePool(1, 100);
    await pool.acquire();
    const waiting = pool.acquire();
    const failed = expect(waiting).rejects.toThrow(PoolExhaustedError);
    await clock.advance(100);
    await failed;
    await expect(waiting).rejects.toThrow('connection pool exhausted: all 1 connections in use, none returned within 100 ms');
    expect(pool.state).toEqual({ size: 1, inUse: 1, waiting: 0 });
    expect(events.at(-1)).toMatchObject({ kind: 'exhausted', waitedMs: 100 });
    expect(clock.pending).toBe(0);
  });

  it('ignores a second release of the same connection', async () => {
    const { pool } = makePool(2);
    const a = await pool.acquire();
    await pool.acquire();
    pool.release(a);
    pool.release(a);
    expect(pool.state.inUse).toBe(1);
  });

  it('grows live: waiters get the new connections at once', async () => {
    const { pool } = makePool(1);
    await pool.acquire();
    const waiting = pool.acquire();
    pool.resize(2);
    await expect(waiting).resolves.toMatchObject({ id: 'conn-2' });
    expect(() => pool.resize(1.5)).toThrow('pool size must be a whole number ≥ 1, got 1.5');
    expect(() => pool.setAcquireTimeout(-1)).toThrow('acquireTimeoutMs must be ≥ 0, got -1');
  });
});

describe('DbConnection', () => {
  it('leases one connection on its first query, keeps it for later queries, and gives it back on dispose', async () => {
    const { pool } = makePool(2);
    const connection = new DbConnection(pool);
    expect(pool.state.inUse).toBe(0);
    await connection.query((users) => users.size);
    await connection.query((users) => users.size);
    expect(pool.state.inUse).toBe(1);
    expect(connection.connectionId).toBe('conn-1');
    await connection.dispose();
    expect(pool.state.inUse).toBe(0);
  });

  it('refuses to be used after it was disposed: whoever still holds it outlived its request', async () => {
    const { pool } = makePool(2);
    const connection = new DbConnection(pool);
    await connection.query(() => undefined);
    await connection.dispose();
    await expect(connection.query(() => undefined)).rejects.toThrow(ConnectionClosedError);
    expect(pool.state.inUse).toBe(0);
  });

  it('disposes cleanly when its lease failed: there is nothing to give back', async () => {
    const { clock, pool } = makePool(1, 50);
    await pool.acquire();
    const connection = new DbConnection(pool);
    const query = connection.query(() => undefined);
    const failed = expect(query).rejects.toThrow(PoolExhaustedError);
    await clock.advance(50);
    await failed;
    await expect(connection.dispose()).resolves.toBeUndefined();
    expect(pool.state.inUse).toBe(1);
  });
});
