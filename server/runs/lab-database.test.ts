/**
 * ctx.db: the run's SQLite database. Statements become `sql` events with rows
 * and durations on the run's clock; the `database` fault point makes them
 * slow, busy or locked; the data outlives redeploys and params changes and is
 * gone when the run stops.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultSpec, LabManifest, TelemetryInput, UnsequencedEvent } from '../../patterns/kit/index.ts';
import { DatabaseError, healthySpec, isDatabaseError, makeCheckContext, VirtualClock } from '../../patterns/kit/index.ts';
import { eventsOf, makeTestLabContext } from '../../patterns/kit/testing.ts';
import { dbCounterLab, dbCounterModule, type Hit } from './__fixtures__/db-counter-lab.ts';
import { LabRun } from './engine.ts';
import { BUSY_TIMEOUT_MS, leadingKeywords, RunDatabase } from './lab-database.ts';
import { simulatedServices } from './simulated-services.ts';
import { memoryDatabase } from './testing.ts';
import { directSqlClient } from '../sandbox/sql-channel.ts';
import { SqlHost } from '../sandbox/sql-host.ts';

type Ev = UnsequencedEvent;
const sqlEvents = (events: Ev[]) => events.filter((e): e is Extract<Ev, { type: 'sql' }> => e.type === 'sql');
const injected = (events: Ev[]) => events.filter((e): e is Extract<Ev, { type: 'fault.injected' }> => e.type === 'fault.injected');

const fault = (spec: Partial<FaultSpec>): FaultSpec => ({ ...healthySpec(), enabled: true, ...spec });

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const startRun = async (options: { databaseFile?: string; lab?: LabManifest } = {}) => {
  const clock = new VirtualClock();
  const events: Ev[] = [];
  const sql = new SqlHost({ runFile: options.databaseFile });
  cleanups.push(() => sql.dispose());
  const run = new LabRun({
    runId: 'db-test',
    patternId: 'fixtures',
    lab: options.lab ?? dbCounterLab,
    seed: 3,
    clock,
    services: simulatedServices,
    emit: (event) => events.push(event),
    openDatabase: () => directSqlClient(sql).open(options.databaseFile === undefined ? 'memory' : 'run'),
  });
  cleanups.push(() => run.stop());
  await run.deploy(dbCounterModule(1));
  return { run, clock, events, sql };
};

describe('RunDatabase (ctx.db) on its own', () => {
  const open = () => {
    const clock = new VirtualClock();
    const events: TelemetryInput[] = [];
    const db = new RunDatabase({ connection: memoryDatabase(), clock, emit: (e) => events.push(e) });
    cleanups.push(() => db.close());
    return { clock, events, db };
  };

  it('runs exec, run, get and all, each a sql event with its rows', async () => {
    const { db, events } = open();
    await db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)');
    expect(await db.run('INSERT INTO users (email) VALUES (?)', 'a@example.com')).toEqual({ changes: 1, lastInsertRowid: 1 });
    await db.run('INSERT INTO users (email) VALUES (?)', 'b@example.com');
    expect(await db.get<{ email: string }>('SELECT email FROM users WHERE id = ?', 2)).toEqual({ email: 'b@example.com' });
    expect(await db.get('SELECT email FROM users WHERE id = ?', 99)).toBeUndefined();
    expect(await db.all<{ id: number }>('SELECT id FROM users ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await db.run('UPDATE users SET email = email || ?', '.org')).toMatchObject({ changes: 2 });
    expect(events).toEqual([
      { type: 'sql', statement: expect.stringContaining('CREATE TABLE users'), rows: 0, durationMs: 0 },
      { type: 'sql', statement: 'INSERT INTO users (email) VALUES (?)', rows: 1, durationMs: 0 },
      { type: 'sql', statement: 'INSERT INTO users (email) VALUES (?)', rows: 1, durationMs: 0 },
      { type: 'sql', statement: 'SELECT email FROM users WHERE id = ?', rows: 1, durationMs: 0 },
      { type: 'sql', statement: 'SELECT email FROM users WHERE id = ?', rows: 0, durationMs: 0 },
      { type: 'sql', statement: 'SELECT id FROM users ORDER BY id', rows: 2, durationMs: 0 },
      { type: 'sql', statement: 'UPDATE users SET email = email || ?', rows: 2, durationMs: 0 },
    ]);
  });

  it("turns SQLite's errors into DatabaseError with SQLite's code, and records them", async () => {
    const { db, events } = open();
    await db.exec('CREATE TABLE users (email TEXT UNIQUE)');
    await db.run('INSERT INTO users VALUES (?)', 'a');
    const duplicate = await db.run('INSERT INTO users VALUES (?)', 'a').catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(DatabaseError);
    expect(duplicate).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE', injected: false });
    const typo = await db.all('SELEC 1').catch((e: unknown) => e);
    expect(isDatabaseError(typo) && typo.code).toBe('SQLITE_ERROR');
    expect(sqlEvents(events as Ev[]).slice(-2)).toEqual([
      expect.objectContaining({ rows: 0, error: expect.stringContaining('UNIQUE constraint failed') }),
      expect.objectContaining({ statement: 'SELEC 1', error: expect.stringContaining('syntax error') }),
    ]);
  });

  it('commits a transaction, rolls it back on a throw, and makes nested ones savepoints', async () => {
    const { db, events } = open();
    await db.exec('CREATE TABLE t (n INTEGER)');
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (1)');
      await tx.run('INSERT INTO t VALUES (2)');
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (3)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (4)');
      await tx.transaction(async (inner) => {
        await inner.run('INSERT INTO t VALUES (5)');
        throw new Error('inner only');
      }).catch(() => undefined);
    });
    expect(await db.all('SELECT n FROM t ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
    const statements = sqlEvents(events as Ev[]).map((e) => e.statement);
    expect(statements).toContain('BEGIN');
    expect(statements).toContain('COMMIT');
    expect(statements).toContain('ROLLBACK');
    expect(statements).toContain('ROLLBACK TO sp1');
  });

  it('makes other statements wait for an open transaction: they never see its half-done work', async () => {
    const { db, clock } = open();
    await db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER)');
    await db.run('INSERT INTO accounts VALUES (1, 100), (2, 0)');
    const transfer = db.transaction(async (tx) => {
      await tx.run('UPDATE accounts SET balance = balance - 40 WHERE id = 1');
      await clock.sleep(100); // work in the middle of the transaction
      await tx.run('UPDATE accounts SET balance = balance + 40 WHERE id = 2');
    });
    let total: number | undefined;
    const read = db.get<{ total: number }>('SELECT sum(balance) AS total FROM accounts').then((row) => (total = row?.total));
    await clock.advance(50);
    expect(total).toBeUndefined(); // still waiting for the transfer
    await clock.advance(100);
    await Promise.all([transfer, read]);
    expect(total).toBe(100);
  });

  it('fails a statement with SQLITE_BUSY when another transaction holds the database past the busy timeout', async () => {
    const { db, clock, events } = open();
    await db.exec('CREATE TABLE t (n INTEGER)');
    let release!: () => void;
    const held = db.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (1)');
      await new Promise<void>((resolve) => (release = resolve)); // a transaction that waits on something slow
    });
    const blocked = db.all('SELECT n FROM t').catch((e: unknown) => e);
    await clock.advance(BUSY_TIMEOUT_MS);
    expect(await blocked).toMatchObject({ code: 'SQLITE_BUSY', injected: false, message: expect.stringContaining('database is locked') });
    expect(sqlEvents(events as Ev[]).at(-1)).toMatchObject({ statement: 'SELECT n FROM t', durationMs: BUSY_TIMEOUT_MS, error: expect.stringContaining('locked') });
    release();
    await held;
    expect(await db.all('SELECT n FROM t')).toEqual([{ n: 1 }]);
  });

  it('refuses statements that reach another file (ATTACH, DETACH, VACUUM INTO) and transaction control by hand', async () => {
    const { db } = open();
    for (const sql of ["ATTACH DATABASE '/tmp/other.db' AS other", "  -- hidden\n attach 'x' as y", "VACUUM INTO '/tmp/copy.db'", "SELECT 1; ATTACH 'x' AS y"]) {
      await expect(db.exec(sql), sql).rejects.toMatchObject({ code: 'SQLITE_AUTH', message: expect.stringContaining('not allowed') });
    }
    // The words inside strings and identifiers are just text.
    await db.exec(`CREATE TABLE "attach" (note TEXT); INSERT INTO "attach" VALUES ('ATTACH; VACUUM')`);
    expect(await db.get('SELECT note FROM "attach"')).toEqual({ note: 'ATTACH; VACUUM' });
    // Transactions go through transaction(): a BEGIN by hand would take other requests' statements into it.
    for (const sql of ['BEGIN', 'begin immediate', 'COMMIT', 'ROLLBACK', "SAVEPOINT a"]) {
      await expect(db.exec(sql), sql).rejects.toMatchObject({ code: 'SQLITE_MISUSE', message: expect.stringContaining('db.transaction') });
    }
    await db.exec('CREATE TABLE log (n); CREATE TRIGGER copy AFTER INSERT ON log BEGIN INSERT INTO log SELECT 0 WHERE 0; END;');
    expect(leadingKeywords(`/* c */ select 'a;attach' ; -- x\n insert into t values (';vacuum')`)).toEqual(['SELECT', 'INSERT']);
  });

  it('rejects every call once closed', async () => {
    const { db } = open();
    await db.close();
    await expect(db.get('SELECT 1')).rejects.toMatchObject({ code: 'SQLITE_MISUSE', message: expect.stringContaining('closed') });
  });
});

describe('ctx.db in a run (virtual time)', () => {
  it('records every statement as a sql event naming its request, with rows and durations on the run clock', async () => {
    const { run, events } = await startRun();
    await run.serve({ id: 'r1', clientKey: 'c' });
    const sql = sqlEvents(events);
    expect(sql.map((e) => [e.statement.split(' ')[0], e.rows, e.durationMs, e.requestId])).toEqual([
      ['CREATE', 0, 0, undefined],
      ['INSERT', 1, 0, 'r1'],
      ['SELECT', 1, 0, 'r1'],
    ]);
    expect(sql.every((e) => e.runId === 'db-test' && typeof e.t === 'number')).toBe(true);
  });

  it('a database fault with errorRate 1 and kind busy fails statements with SQLITE_BUSY, each marked by fault.injected', async () => {
    const { run, events } = await startRun();
    run.setFault('database', fault({ errorRate: 1, error: { kind: 'busy' } }));
    const result = await run.serve({ id: 'r1', clientKey: 'c' });
    expect(result).toMatchObject({ outcome: 'error', error: expect.stringContaining('database is locked (SQLITE_BUSY') });
    expect(injected(events)).toEqual([expect.objectContaining({ point: 'database', kind: 'busy', requestId: 'r1' })]);
    expect(sqlEvents(events).at(-1)).toMatchObject({ statement: expect.stringContaining('INSERT'), rows: 0, error: expect.stringContaining('SQLITE_BUSY') });
    // The lab sees the error's code, as it would SQLite's own.
    const error = await run.db!.get('SELECT 1').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DatabaseError', code: 'SQLITE_BUSY', injected: true });
  });

  it('locked, failFirst and schedule decide per statement through the same fault model', async () => {
    const { run, clock, events } = await startRun();
    run.setFault('database', fault({ failFirst: 1, error: { kind: 'locked' } }));
    const first = await run.serve({ id: 'r1', clientKey: 'c' });
    const second = await run.serve({ id: 'r2', clientKey: 'c' });
    expect(first).toMatchObject({ outcome: 'error', error: expect.stringContaining('SQLITE_LOCKED') });
    expect(second).toMatchObject({ outcome: 'ok' });
    expect(injected(events).map((e) => e.kind)).toEqual(['locked']);

    // A spec sent without an error kind (the default is an HTTP 503) fails statements as busy.
    run.setFault('database', fault({ errorRate: 1 }));
    expect(await run.serve({ id: 'r2b', clientKey: 'c' })).toMatchObject({ outcome: 'error', error: expect.stringContaining('SQLITE_BUSY') });
    expect(injected(events).at(-1)).toMatchObject({ kind: 'busy', requestId: 'r2b' });
    run.setFault('database', fault({}));

    // A window from t=1 s for 1 s: busy inside it, fine after.
    run.setFault('database', fault({ schedule: [{ startMs: 1_000, durationMs: 1_000, error: { kind: 'busy' } }] }));
    await clock.advance(1_200);
    expect(await run.serve({ id: 'r3', clientKey: 'c' })).toMatchObject({ outcome: 'error', error: expect.stringContaining('SQLITE_BUSY') });
    await clock.advance(1_000);
    expect(await run.serve({ id: 'r4', clientKey: 'c' })).toMatchObject({ outcome: 'ok' });
  });

  it('injected latency passes on the run clock and shows in durationMs', async () => {
    const { run, clock, events } = await startRun();
    run.setFault('database', fault({ latency: { baseMs: 50, jitterMs: 0, rate: 1 } }));
    const served = run.serve({ id: 'r1', clientKey: 'c' });
    await clock.advance(200);
    expect(await served).toMatchObject({ outcome: 'ok' });
    const sql = sqlEvents(events).filter((e) => e.requestId === 'r1');
    expect(sql.map((e) => e.durationMs)).toEqual([50, 50]);
    expect(injected(events)).toEqual([
      expect.objectContaining({ kind: 'latency', latencyMs: 50, requestId: 'r1' }),
      expect.objectContaining({ kind: 'latency', latencyMs: 50, requestId: 'r1' }),
    ]);
    const request = events.find((e) => e.type === 'request' && e.id === 'r1');
    expect(request).toMatchObject({ durationMs: 100 });
  });

  it('says whether new parameters restarted the lab or were taken in place (its updateParams)', async () => {
    const { run, events } = await startRun();
    await run.setParams({ label: 'b' });
    expect(events.filter((e) => e.type === 'params.changed')).toMatchObject([{ params: { label: 'b' }, restarted: true }]);

    const inPlace: string[] = [];
    await run.deploy({
      async start(ctx) {
        const instance = await dbCounterModule(3).start(ctx);
        return { ...instance, updateParams: (params) => void inPlace.push(String(params.label)) };
      },
    });
    await run.setParams({ label: 'a' });
    expect(inPlace).toEqual(['a']);
    expect(events.filter((e) => e.type === 'params.changed').at(-1)).toMatchObject({ params: { label: 'a' }, restarted: false });
  });

  it('keeps the data across a redeploy and a params change, and closes the file when the run stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-db-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'lab.sqlite');
    const { run, sql } = await startRun({ databaseFile: file });
    expect(existsSync(file)).toBe(true);
    await run.serve({ id: 'r1', clientKey: 'c' });
    await run.serve({ id: 'r2', clientKey: 'c' });

    await run.deploy(dbCounterModule(2)); // new code, same data
    expect(await run.serve({ id: 'r3', clientKey: 'c' })).toMatchObject({ route: 'v2:3' });

    await run.setParams({ label: 'b' }); // the lab has no updateParams: a restart with the new values
    expect(await run.serve({ id: 'r4', clientKey: 'c' })).toMatchObject({ route: 'v2:4' });

    const hits = await run.db!.all<Hit>('SELECT request, version, label FROM hits ORDER BY id');
    expect(hits).toEqual([
      { request: 'r1', version: 1, label: 'a' },
      { request: 'r2', version: 1, label: 'a' },
      { request: 'r3', version: 2, label: 'a' },
      { request: 'r4', version: 2, label: 'b' },
    ]);

    await run.stop();
    expect(run.db!.isOpen).toBe(false);
    // Closed on the host; the file goes with the run's folder, which the run host removes (run-host-db.test.ts).
    expect(sql.openConnections).toBe(0);
    expect(existsSync(file + '-wal')).toBe(false);
  });

  it('a lab that declares no database point gets a clear error from ctx.db', async () => {
    const lab: LabManifest = { ...dbCounterLab, faultPoints: [] };
    const clock = new VirtualClock();
    const run = new LabRun({ runId: 'x', patternId: 'fixtures', lab, seed: 1, clock, services: simulatedServices, emit: () => undefined });
    cleanups.push(() => run.stop());
    await expect(run.deploy(dbCounterModule(1))).rejects.toThrow(/declares no database.*kind: 'database'/);
    expect(run.db).toBeUndefined();
  });
});

describe('a database for lab tests and exercise checks', () => {
  it('makeTestLabContext({ db }) records sql events in the harness on virtual time', async () => {
    const harness = makeTestLabContext({
      params: { label: 'a' },
      db: (h) => new RunDatabase({ ...h, connection: memoryDatabase() }),
    });
    const lab = await dbCounterModule(1).start(harness.ctx);
    expect(await harness.send(lab, 'r1')).toMatchObject({ outcome: 'ok', route: 'v1:1' });
    expect(eventsOf(harness.events, 'sql').map((e) => e.requestId)).toEqual([undefined, 'r1', 'r1']);
  });

  it('without one, ctx.db says how to get one', async () => {
    const { ctx } = makeTestLabContext();
    await expect(ctx.db.get('SELECT 1')).rejects.toThrow(/makeTestLabContext\(\{ db \}\)/);
  });

  it("a check context's db is its own, on the check's clock", async () => {
    let made: RunDatabase | undefined;
    const context = makeCheckContext(1, (clock) => (made = new RunDatabase({ connection: memoryDatabase(), clock, emit: () => undefined })));
    cleanups.push(() => made?.close());
    await context.db.exec('CREATE TABLE t (n)');
    expect(await context.db.run('INSERT INTO t VALUES (1)')).toMatchObject({ changes: 1 });
    await expect(makeCheckContext(1).db.all('SELECT 1')).rejects.toThrow(/no database/);
  });
});
