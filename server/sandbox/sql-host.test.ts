/**
 * The SQL host is the trust boundary for a run's database: whatever the
 * sandbox sends, it opens only the run's file or memory, never reaches
 * another file, loads no extension, runs only a closed set of transaction
 * control, keeps a bounded number of databases open, and answers failures
 * with SQLite's codes.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlOperation, SqlReply } from './sql-channel.ts';
import { MAX_CONNECTIONS, SqlHost } from './sql-host.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sql-host-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

const makeHost = (runFile?: string) => {
  const host = new SqlHost({ runFile });
  cleanups.push(() => host.dispose());
  let id = 0;
  const send = (operation: SqlOperation | Record<string, unknown>): SqlReply => host.handle({ ...operation, id: ++id } as never);
  /** The value of a request that must succeed. */
  const ok = (operation: SqlOperation): unknown => {
    const reply = send(operation);
    if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return reply.value;
  };
  const open = (target: 'run' | 'memory' = 'memory') => ok({ op: 'open', target }) as number;
  return { host, send, ok, open };
};

describe('what the SQL host opens', () => {
  it("opens the run's file (WAL, foreign keys on) or memory, and nothing when it was given no file", () => {
    const dir = tempDir();
    const file = join(dir, 'lab.sqlite');
    const { ok, open, send } = makeHost(file);
    const handle = open('run');
    expect(existsSync(file)).toBe(true);
    expect(ok({ op: 'get', handle, sql: 'PRAGMA journal_mode', params: [] })).toEqual({ journal_mode: 'wal' });
    expect(ok({ op: 'get', handle, sql: 'PRAGMA foreign_keys', params: [] })).toEqual({ foreign_keys: 1 });
    const memory = open('memory');
    expect(ok({ op: 'get', handle: memory, sql: 'PRAGMA foreign_keys', params: [] })).toEqual({ foreign_keys: 1 });
    // Any other target (a path, say) is refused.
    expect(send({ op: 'open', target: join(dir, 'other.sqlite') })).toMatchObject({ ok: false, error: { code: 'SQLITE_CANTOPEN' } });
    expect(readdirSync(dir).filter((name) => !name.startsWith('lab.sqlite'))).toEqual([]);

    const { send: sendWithout } = makeHost();
    expect(sendWithout({ op: 'open', target: 'run' })).toMatchObject({ ok: false, error: { code: 'SQLITE_CANTOPEN', message: expect.stringContaining('no database file') } });
  });

  it(`keeps at most ${MAX_CONNECTIONS} databases open at once: a loop of opens cannot fill the server's memory`, () => {
    const { host, send, open, ok } = makeHost();
    const handles = Array.from({ length: MAX_CONNECTIONS }, () => open());
    expect(send({ op: 'open', target: 'memory' })).toMatchObject({ ok: false, error: { code: 'SQLITE_CANTOPEN', message: expect.stringContaining('too many') } });
    ok({ op: 'close', handle: handles[0]! });
    expect(open()).toBeGreaterThan(0);
    expect(host.openConnections).toBe(MAX_CONNECTIONS);
  });

  it('dispose closes every database; a closed handle, or any request after dispose, fails as closed', () => {
    const dir = tempDir();
    const { host, send, open, ok } = makeHost(join(dir, 'lab.sqlite'));
    const run = open('run');
    const memory = open('memory');
    ok({ op: 'control', handle: run, statement: 'BEGIN' });
    ok({ op: 'close', handle: memory });
    expect(send({ op: 'all', handle: memory, sql: 'SELECT 1', params: [] })).toMatchObject({ ok: false, error: { code: 'SQLITE_MISUSE', message: expect.stringContaining('closed') } });
    host.dispose();
    expect(host.openConnections).toBe(0);
    expect(send({ op: 'all', handle: run, sql: 'SELECT 1', params: [] })).toMatchObject({ ok: false, error: { code: 'SQLITE_MISUSE' } });
    expect(send({ op: 'open', target: 'memory' })).toMatchObject({ ok: false });
    // Nothing holds the file any more: WAL files are checkpointed away on close.
    expect(existsSync(join(dir, 'lab.sqlite-wal'))).toBe(false);
  });
});

describe('what the SQL host refuses to run', () => {
  it('ATTACH, DETACH and VACUUM (INTO another file), however written: no other file is touched', () => {
    const dir = tempDir();
    const { send, open } = makeHost(join(dir, 'lab.sqlite'));
    const handle = open('run');
    const other = join(dir, 'other.sqlite');
    for (const sql of [
      `ATTACH DATABASE '${other}' AS other`,
      `  -- hidden\n attach '${other}' as y`,
      `/* x */ SELECT 1; ATTACH '${other}' AS y`,
      `VACUUM INTO '${other}'`,
      'VACUUM',
      'DETACH other',
    ]) {
      expect(send({ op: 'exec', handle, sql }), sql).toMatchObject({ ok: false, error: { code: 'SQLITE_AUTH', message: expect.stringContaining('not allowed') } });
    }
    expect(send({ op: 'run', handle, sql: `ATTACH ? AS other`, params: [other] })).toMatchObject({ ok: false, error: { code: 'SQLITE_AUTH' } });
    expect(send({ op: 'all', handle, sql: `vacuum into ?`, params: [other] })).toMatchObject({ ok: false, error: { code: 'SQLITE_AUTH' } });
    expect(existsSync(other)).toBe(false);
  });

  it("pragmas that move SQLite's files for the whole process", () => {
    const { send, open } = makeHost();
    const handle = open();
    for (const sql of [`PRAGMA temp_store_directory = '/tmp'`, `SELECT * FROM pragma_temp_store_directory`, `pragma DATA_STORE_DIRECTORY = '/tmp'`]) {
      expect(send({ op: 'exec', handle, sql }), sql).toMatchObject({ ok: false, error: { code: 'SQLITE_AUTH' } });
    }
  });

  it('loading an extension: load_extension() is off', () => {
    const { send, open } = makeHost();
    const handle = open();
    expect(send({ op: 'get', handle, sql: `SELECT load_extension('/usr/lib/x86_64-linux-gnu/libc.so.6')`, params: [] })).toMatchObject({
      ok: false,
      error: { code: 'SQLITE_ERROR', message: 'not authorized' },
    });
    expect(send({ op: 'exec', handle, sql: `SELECT load_extension('x')` })).toMatchObject({ ok: false, error: { message: 'not authorized' } });
  });

  it('transaction control in a statement; as a control request, only its closed set', () => {
    const { send, open, ok } = makeHost();
    const handle = open();
    for (const sql of ['BEGIN', 'commit', 'ROLLBACK', 'SAVEPOINT a', 'RELEASE a']) {
      expect(send({ op: 'exec', handle, sql }), sql).toMatchObject({ ok: false, error: { code: 'SQLITE_MISUSE', message: expect.stringContaining('db.transaction') } });
    }
    for (const statement of ["ATTACH 'x' AS y", 'BEGIN; ATTACH', 'SAVEPOINT x', 'SAVEPOINT sp1; VACUUM', 'begin']) {
      expect(send({ op: 'control', handle, statement }), statement).toMatchObject({ ok: false, error: { code: 'SQLITE_MISUSE' } });
    }
    expect(send({ op: 'rollback-if-open', handle, savepoint: "sp1; ATTACH 'x' AS y" })).toMatchObject({ ok: false, error: { code: 'SQLITE_MISUSE' } });
    ok({ op: 'control', handle, statement: 'BEGIN' });
    ok({ op: 'control', handle, statement: 'SAVEPOINT sp1' });
    expect(ok({ op: 'rollback-if-open', handle, savepoint: 'sp1' })).toEqual(['ROLLBACK TO sp1', 'RELEASE sp1']);
    expect(ok({ op: 'rollback-if-open', handle })).toEqual(['ROLLBACK']);
    expect(ok({ op: 'rollback-if-open', handle })).toEqual([]); // none open: nothing to do
  });

  it('requests that are not one: an unknown op, a statement that is not a string, parameters that are not a list', () => {
    const { send, open } = makeHost();
    const handle = open();
    expect(send({ op: 'load', handle })).toMatchObject({ ok: false, error: { code: 'SQLITE_MISUSE' } });
    expect(send({ op: 'exec', handle, sql: 42 })).toMatchObject({ ok: false, error: { code: 'SQLITE_MISUSE' } });
    expect(send({ op: 'run', handle, sql: 'SELECT 1', params: 'x' })).toMatchObject({ ok: false, error: { code: 'SQLITE_MISUSE' } });
  });
});

describe('what the SQL host answers', () => {
  it('exec: the rows changed; run: changes and the rowid as a number; get and all: rows', () => {
    const { ok, open } = makeHost();
    const handle = open();
    expect(ok({ op: 'exec', handle, sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE); INSERT INTO t (v) VALUES (1), (2)' })).toBe(2);
    expect(ok({ op: 'run', handle, sql: 'INSERT INTO t (v) VALUES (?)', params: ['c'] })).toEqual({ changes: 1, lastInsertRowid: 3 });
    expect(ok({ op: 'run', handle, sql: 'INSERT INTO t VALUES (?, ?)', params: [2n ** 40n, 'big'] })).toEqual({ changes: 1, lastInsertRowid: 2 ** 40 });
    expect(ok({ op: 'get', handle, sql: 'SELECT v FROM t WHERE id = ?', params: [3] })).toEqual({ v: 'c' });
    expect(ok({ op: 'get', handle, sql: 'SELECT v FROM t WHERE id = ?', params: [99] })).toBeUndefined();
    expect(ok({ op: 'all', handle, sql: 'SELECT id FROM t WHERE id < 3 ORDER BY id', params: [] })).toEqual([{ id: 1 }, { id: 2 }]);
    // A blob after a structured clone is a Uint8Array.
    expect(ok({ op: 'get', handle, sql: 'SELECT hex(?) AS h', params: [new Uint8Array([1, 255])] as never })).toEqual({ h: '01FF' });
  });

  it("failures carry SQLite's extended code and message", () => {
    const { send, ok, open } = makeHost();
    const handle = open();
    ok({ op: 'exec', handle, sql: 'CREATE TABLE t (v TEXT UNIQUE); CREATE TABLE c (p REFERENCES t (v))' });
    ok({ op: 'run', handle, sql: 'INSERT INTO t VALUES (?)', params: ['a'] });
    expect(send({ op: 'run', handle, sql: 'INSERT INTO t VALUES (?)', params: ['a'] })).toMatchObject({
      ok: false,
      error: { code: 'SQLITE_CONSTRAINT_UNIQUE', message: expect.stringContaining('UNIQUE constraint failed') },
    });
    expect(send({ op: 'run', handle, sql: 'INSERT INTO c VALUES (?)', params: ['zz'] })).toMatchObject({ ok: false, error: { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' } });
    expect(send({ op: 'all', handle, sql: 'SELEC 1', params: [] })).toMatchObject({ ok: false, error: { code: 'SQLITE_ERROR', message: expect.stringContaining('syntax error') } });
    // better-sqlite3's own misuse (get on a statement that returns no data) counts as SQLITE_ERROR.
    expect(send({ op: 'get', handle, sql: 'DELETE FROM c', params: [] })).toMatchObject({ ok: false, error: { code: 'SQLITE_ERROR' } });
  });
});
