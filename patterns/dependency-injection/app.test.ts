import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseError, VirtualClock } from '../kit/index.ts';
import { RunDatabase } from '../../server/runs/lab-database.ts';
import { memoryDatabase } from '../../server/runs/testing.ts';
import {
  ConnectionClosedError,
  ConnectionPool,
  Database,
  DbConnection,
  EmailTaken,
  FakeEmailSender,
  IdGenerator,
  PoolExhaustedError,
  SignupHandler,
  UserRepository,
  UserService,
  type PoolEvent,
} from './app.ts';

const opened: RunDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

/** The engine's own database, in memory, on `clock`; `statements` records each statement's first word (and its error). */
const makeDb = (clock: VirtualClock, fault?: () => DatabaseError | undefined) => {
  const statements: string[] = [];
  let failing = fault;
  const db = new RunDatabase({
    connection: memoryDatabase(),
    clock,
    emit: (e) => void (e.type === 'sql' && statements.push(`${e.statement.split(/\s/)[0]}${e.error ? ` (${e.error})` : ''}`)),
    faults: {
      point: 'database',
      next: () => {
        const error = failing?.();
        return error ? { latencyMs: 0, error: { kind: error.code === 'SQLITE_LOCKED' ? 'locked' : 'busy' } } : { latencyMs: 0 };
      },
    },
  });
  opened.push(db);
  return { db, statements, fail: (next: typeof fault) => (failing = next) };
};

const makePool = (size = 2, acquireTimeoutMs = 100) => {
  const clock = new VirtualClock();
  const pool = new ConnectionPool({ clock, database: new Database(makeDb(clock).db), size, acquireTimeoutMs });
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
  it('leases one connection on its first statement, keeps it for later ones, and gives it back on dispose', async () => {
    const { pool } = makePool(2);
    const connection = new DbConnection(pool);
    expect(pool.state.inUse).toBe(0);
    await connection.get('SELECT COUNT(*) AS n FROM users');
    await expect(connection.get('SELECT COUNT(*) AS n FROM users')).resolves.toEqual({ n: 0 });
    expect(pool.state.inUse).toBe(1);
    expect(connection.connectionId).toBe('conn-1');
    await connection.dispose();
    expect(pool.state.inUse).toBe(0);
  });

  it('refuses to be used after it was disposed: whoever still holds it outlived its request', async () => {
    const { pool } = makePool(2);
    const connection = new DbConnection(pool);
    await connection.get('SELECT 1');
    await connection.dispose();
    await expect(connection.get('SELECT 1')).rejects.toThrow(ConnectionClosedError);
    expect(pool.state.inUse).toBe(0);
  });

  it('disposes cleanly when its lease failed: there is nothing to give back', async () => {
    const { clock, pool } = makePool(1, 50);
    await pool.acquire();
    const connection = new DbConnection(pool);
    const query = connection.get('SELECT 1');
    const failed = expect(query).rejects.toThrow(PoolExhaustedError);
    await clock.advance(50);
    await failed;
    await expect(connection.dispose()).resolves.toBeUndefined();
    expect(pool.state.inUse).toBe(1);
  });
});

describe('the sign-up, on SQLite', () => {
  const makeApp = (fault?: () => DatabaseError | undefined) => {
    const clock = new VirtualClock();
    const { db, statements, fail } = makeDb(clock, fault);
    const pool = new ConnectionPool({ clock, database: new Database(db), size: 2, acquireTimeoutMs: 100 });
    const email = new FakeEmailSender();
    /** One request: its own connection, given back at the end. */
    const signUp = async (address: string) => {
      const connection = new DbConnection(pool);
      try {
        return await new SignupHandler(new UserService(new UserRepository(connection, clock), email, new IdGenerator({ next: () => 0.5 }))).handle({
          email: address,
          name: 'Ada',
        });
      } finally {
        await connection.dispose();
      }
    };
    return { clock, db, statements, fail, pool, email, signUp };
  };

  it('creates the users table once, then stores each user as a row: version 1, created at the clock\'s time', async () => {
    const { clock, db, statements, signUp, email } = makeApp();
    await clock.advance(1_000);
    await expect(signUp('ada@example.test')).resolves.toEqual({
      status: 201,
      user: { id: 1, email: 'ada@example.test', name: 'Ada', version: 1, createdAt: clock.wallNow() },
    });
    await signUp('grace@example.test');
    expect(statements).toEqual(['CREATE', 'SELECT', 'INSERT', 'SELECT', 'INSERT']);
    expect(await db.all('SELECT id, email, version FROM users ORDER BY id')).toEqual([
      { id: 1, email: 'ada@example.test', version: 1 },
      { id: 2, email: 'grace@example.test', version: 1 },
    ]);
    expect(email.outbox.map((m) => `${m.id} ${m.to}`)).toEqual(['msg-80000000 ada@example.test', 'msg-80000000 grace@example.test']);
  });

  it('answers a taken email with 409, whether the look-up or the UNIQUE constraint catches it', async () => {
    const { db, signUp } = makeApp();
    await signUp('ada@example.test');
    await expect(signUp('ada@example.test')).resolves.toEqual({ status: 409, error: 'ada@example.test is already signed up' });
    // Two sign-ups can both pass the look-up: the insert's constraint refusal is the same domain error.
    const clock = new VirtualClock();
    const repository = new UserRepository(new DbConnection(new ConnectionPool({ clock, database: new Database(db), size: 1, acquireTimeoutMs: 100 })), clock);
    await expect(repository.insert({ email: 'ada@example.test', name: 'Ada again' })).rejects.toThrow(EmailTaken);
  });

  it('answers a busy or locked database with 503, without SQL, and tries the schema again after a failed first attempt', async () => {
    const { statements, fail, pool, signUp } = makeApp(() => new DatabaseError('SQLITE_BUSY', 'busy'));
    await expect(signUp('ada@example.test')).resolves.toEqual({ status: 503, error: 'the database is busy: try again in a moment' });
    fail(() => new DatabaseError('SQLITE_LOCKED', 'locked'));
    await expect(signUp('ada@example.test')).resolves.toEqual({ status: 503, error: 'the database is busy: try again in a moment' });
    fail(undefined);
    await expect(signUp('ada@example.test')).resolves.toMatchObject({ status: 201 });
    expect(statements.map((s) => s.split(' ')[0])).toEqual(['CREATE', 'CREATE', 'CREATE', 'SELECT', 'INSERT']);
    expect(pool.state.inUse).toBe(0);
  });
});
