/**
 * The engine's SQL client over a real asynchronous channel (a MessageChannel,
 * structured clones, replies on later ticks): requests reach the host in call
 * order, so `RunDatabase`'s transactions keep their isolation; a channel that
 * is gone fails what waits and what comes after.
 */
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryInput } from '../../patterns/kit/index.ts';
import { VirtualClock } from '../../patterns/kit/index.ts';
import { RunDatabase } from '../runs/lab-database.ts';
import { SqlClient, SqlError, type SqlReply, type SqlRequest } from './sql-channel.ts';
import { SqlHost } from './sql-host.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A host at the far end of a MessageChannel, as it will be at the far end of the sandbox's IPC; it notes the order requests arrive in. */
const overChannel = () => {
  const host = new SqlHost();
  const { port1, port2 } = new MessageChannel();
  const arrived: number[] = [];
  port1.on('message', (request: SqlRequest) => {
    arrived.push(request.id);
    port1.postMessage(host.handle(request));
  });
  const client = new SqlClient((request) => port2.postMessage(request));
  port2.on('message', (reply: SqlReply) => client.receive(reply));
  cleanups.push(() => {
    port1.close();
    port2.close();
    host.dispose();
  });
  return { client, host, arrived };
};

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('never happened');
};

describe('SqlClient over a message channel', () => {
  it('sends requests in call order and settles each with its own reply; values cross as structured clones', async () => {
    const { client, arrived } = overChannel();
    const db = await client.open('memory');
    await db.exec('CREATE TABLE t (n INTEGER, b BLOB)');
    // Fired without waiting: the host runs them in the order they were called.
    const writes = Array.from({ length: 50 }, (_, i) => db.run('INSERT INTO t (n) VALUES (?)', [i]));
    const reads = [db.get('SELECT count(*) AS c FROM t', []), db.all('SELECT n FROM t ORDER BY rowid LIMIT 3', [])];
    expect((await Promise.all(writes)).map((r) => r.lastInsertRowid)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await Promise.all(reads)).toEqual([{ c: 50 }, [{ n: 0 }, { n: 1 }, { n: 2 }]]);
    expect(arrived).toEqual([...arrived].sort((a, b) => a - b));
    expect(await db.get('SELECT ? AS big, ? AS absent', [2n ** 62n, null])).toEqual({ big: 2 ** 62, absent: null });
    expect(await db.run('INSERT INTO t (b) VALUES (?)', [new Uint8Array([1, 2, 3]) as never])).toMatchObject({ changes: 1 });
    const blob = (await db.get('SELECT b FROM t WHERE b IS NOT NULL', [])) as { b: Uint8Array };
    expect([...blob.b]).toEqual([1, 2, 3]);
    await expect(db.run('INSERT INTO nowhere VALUES (1)', [])).rejects.toMatchObject({ name: 'SqlError', code: 'SQLITE_ERROR' });
  });

  it('failAll fails what waits for a reply and every later request; late replies are ignored', async () => {
    const sent: SqlRequest[] = [];
    const client = new SqlClient((request) => sent.push(request));
    const opening = client.open('memory');
    client.receive({ id: sent[0]!.id, ok: true, value: 1 });
    const db = await opening;
    const waiting = db.all('SELECT 1', []);
    client.failAll('the run has ended');
    await expect(waiting).rejects.toEqual(new SqlError('SQLITE_IOERR', 'the run has ended'));
    client.receive({ id: sent[1]!.id, ok: true, value: [] });
    await expect(db.get('SELECT 1', [])).rejects.toMatchObject({ code: 'SQLITE_IOERR' });
    await expect(client.open('memory')).rejects.toMatchObject({ code: 'SQLITE_IOERR' });
    expect(sent).toHaveLength(2); // nothing is sent once failed
  });

  it('a send that throws (a closed channel) fails that request, not the caller', async () => {
    const client = new SqlClient(() => {
      throw new Error('channel closed');
    });
    await expect(client.open('memory')).rejects.toMatchObject({ code: 'SQLITE_IOERR', message: expect.stringContaining('channel closed') });
  });
});

describe('RunDatabase over a message channel', () => {
  const open = () => {
    const { client } = overChannel();
    const clock = new VirtualClock();
    const events: TelemetryInput[] = [];
    const db = new RunDatabase({ connection: client.open('memory'), clock, emit: (e) => events.push(e) });
    return { db, clock, events };
  };

  it("keeps a transaction's half-done work from other requests, and rolls back a failed one", async () => {
    const { db } = open();
    await db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER)');
    await db.run('INSERT INTO accounts VALUES (1, 100), (2, 0)');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let halfDone = false;
    const transfer = db.transaction(async (tx) => {
      await tx.run('UPDATE accounts SET balance = balance - 40 WHERE id = 1');
      halfDone = true;
      await gate;
      await tx.run('UPDATE accounts SET balance = balance + 40 WHERE id = 2');
    });
    await until(() => halfDone);
    const read = db.get<{ total: number }>('SELECT sum(balance) AS total FROM accounts');
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await transfer;
    expect(await read).toEqual({ total: 100 });

    await expect(
      db.transaction(async (tx) => {
        await tx.run('UPDATE accounts SET balance = 0');
        await tx.transaction(async (inner) => {
          await inner.run('UPDATE accounts SET balance = -1');
          throw new Error('inner only');
        }).catch(() => undefined);
        expect(await tx.all('SELECT balance FROM accounts ORDER BY id')).toEqual([{ balance: 0 }, { balance: 0 }]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.all('SELECT balance FROM accounts ORDER BY id')).toEqual([{ balance: 60 }, { balance: 40 }]);
  });

  it('a statement called before a transaction begins is sent before its BEGIN: the transaction can wait for it', async () => {
    const { db, events } = open();
    await db.exec('CREATE TABLE t (n INTEGER)');
    const insert = db.run('INSERT INTO t VALUES (1)');
    const seen = await db.transaction(async (tx) => {
      await insert;
      return tx.all('SELECT n FROM t');
    });
    expect(seen).toEqual([{ n: 1 }]);
    const statements = events.flatMap((e) => (e.type === 'sql' ? [e.statement] : []));
    expect(statements.slice(1)).toEqual(['INSERT INTO t VALUES (1)', 'BEGIN', 'SELECT n FROM t', 'COMMIT']);
  });

  it('closes after the statements already sent, and refuses later ones', async () => {
    const { db } = open();
    await db.exec('CREATE TABLE t (n INTEGER)');
    const last = db.run('INSERT INTO t VALUES (1)');
    const closed = db.close();
    expect(await last).toMatchObject({ changes: 1 });
    await closed;
    await expect(db.get('SELECT 1')).rejects.toMatchObject({ code: 'SQLITE_MISUSE', message: expect.stringContaining('closed') });
  });

  it("a connection that cannot be opened fails each statement with the host's code", async () => {
    const { client } = overChannel();
    const db = new RunDatabase({ connection: client.open('run'), clock: new VirtualClock(), emit: () => undefined });
    await expect(db.get('SELECT 1')).rejects.toMatchObject({ name: 'DatabaseError', code: 'SQLITE_CANTOPEN' });
    await db.close();
  });
});
