/**
 * Opening the database: a file that is not a workbench's, or is damaged, or
 * sits in a folder that cannot be written, is refused at start with a message
 * that names it and says what to do. A database from before bounded history is
 * upgraded in place.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreOpenError } from './errors.ts';
import { migrations } from './migrations.ts';
import { Store } from './store.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-open-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const openError = (path: string): string => {
  let store: Store | undefined;
  try {
    store = new Store(path, { owner: true });
  } catch (error) {
    expect(error).toBeInstanceOf(StoreOpenError);
    return (error as Error).message;
  }
  store.close();
  throw new Error(`${path} opened`);
};

/**
 * A workbench database with a few hundred rows, its WAL folded into the file, then bytes
 * overwritten in the middle of a table page (not the file's 100-byte header): SQLite still
 * opens it, but its b-tree is broken.
 */
const makeDamagedDb = (path: string): void => {
  const store = new Store(path);
  store.createRun({ id: 'r1', patternId: 'p', lab: 'l', seed: 1 });
  for (let i = 0; i < 20; i++) {
    store.appendEvents('r1', Array.from({ length: 50 }, (_, j) => ({ type: 'log', t: i * 50 + j, runId: 'r1', level: 'info', msg: 'x'.repeat(100), fields: {} }) as never));
  }
  store.close();
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const pages = statSync(path).size / pageSize;
  const fd = openSync(path, 'r+');
  try {
    // Past the page's own 8-byte header, over its cell pointers.
    const middle = Math.floor(pages / 2) * pageSize + 8;
    writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, middle);
  } finally {
    closeSync(fd);
  }
};

describe('opening the database', () => {
  it('a file that is not an SQLite database is refused, named, with what to do', () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'my shopping list\n'.repeat(100));
    expect(openError(path)).toBe(`${path} is not a workbench database: move it aside or start with --db PATH`);
  });

  it('an SQLite database of some other program is refused', () => {
    const path = join(tempDir(), 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    const message = openError(path);
    expect(message).toContain(`${path} is an SQLite database but not a workbench's`);
    expect(message).toContain('customers');
    expect(message).toContain('--db PATH');
    // Untouched: not migrated into a workbench database.
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(0);
    after.close();
  });

  it('a database from a newer workbench is refused, saying so', () => {
    const path = join(tempDir(), 'newer.db');
    new Store(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${migrations.length + 3}`);
    db.close();
    const message = openError(path);
    expect(message).toContain(`${path} was written by a newer version of the workbench`);
    expect(message).toContain(`schema ${migrations.length + 3}`);
  });

  it('a damaged file is found at start by a quick integrity check', () => {
    const path = join(tempDir(), 'damaged.db');
    makeDamagedDb(path);
    // A plain connection opens it (and would fail later, query by query)…
    new Store(path).close();
    // …the workbench refuses it at start.
    const message = openError(path);
    expect(message.startsWith(`${path} is damaged (SQLite's quick check found: `), message).toBe(true);
    expect(message).toContain('move it aside or start with --db PATH');
  });

  it('a folder that cannot be made or written is named', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), 'not a folder');
    const folder = join(dir, 'a-file', 'sub');
    const message = openError(join(folder, 'workbench.db'));
    expect(message).toContain(`cannot create the folder ${folder}`);
    expect(message).toContain('--db PATH');
    // A folder given as the database file.
    expect(openError(dir)).toBe(`${dir} is a folder, not a database file: start with --db PATH naming a file`);
  });

  it('an empty file is an empty database', () => {
    const path = join(tempDir(), 'empty.db');
    writeFileSync(path, '');
    const store = new Store(path, { owner: true });
    expect(store.schemaVersion).toBe(migrations.length);
    store.close();
  });

  it('upgrades a database from before bounded history: counts its events\' bytes and switches on incremental vacuum', () => {
    const path = join(tempDir(), 'old.db');
    // The schema as it was (the first two migrations), without auto-vacuum, with a run and events.
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    for (const [index, sql] of migrations.slice(0, 2).entries()) {
      old.exec(sql);
      old.pragma(`user_version = ${index + 1}`);
    }
    old.prepare("INSERT INTO runs (id, pattern_id, lab, seed, status, started_at, event_count) VALUES ('old', 'p', 'l', 1, 'stopped', 1, 2)").run();
    const insert = old.prepare('INSERT INTO run_events (run_id, seq, t, type, data) VALUES (?, ?, ?, ?, ?)');
    insert.run('old', 0, 0, 'log', '{"type":"log","t":0}');
    insert.run('old', 1, 1, 'log', '{"type":"log","t":1,"msg":"é"}');
    old.close();

    const store = new Store(path, { owner: true });
    expect(store.schemaVersion).toBe(migrations.length);
    expect(store.getRun('old')).toMatchObject({ eventCount: 2, eventBytes: 20 + 31, eventsPruned: false });
    store.close();
    const after = new Database(path, { readonly: true });
    expect(after.pragma('auto_vacuum', { simple: true })).toBe(2);
    after.close();
  });
});
