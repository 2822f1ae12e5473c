/**
 * The SQL host: runs the statements of a run's database (`ctx.db`) on behalf
 * of the engine, which lives in the sandbox where native addons such as
 * better-sqlite3 cannot load. It answers the requests of sql-channel.ts one at
 * a time, synchronously, in the order they come.
 *
 * It is the trust boundary, so it decides what may be touched, whatever the
 * sandbox sends: it opens only the one file it was given (the run's database)
 * or fresh databases in memory, never more than MAX_CONNECTIONS at once (a
 * check looping over `open` cannot fill the server's memory); it refuses
 * statements that reach another file (ATTACH, DETACH, VACUUM INTO) and
 * transaction control by hand (see sql-refusals.ts); transaction control comes
 * only as `control` requests from a closed set. Extensions cannot be loaded:
 * better-sqlite3 leaves SQL's load_extension() off unless `loadExtension` is
 * called, which nothing here does.
 */
import Database from 'better-sqlite3';
import type { SqlErrorInfo, SqlReply, SqlRequest, SqlRequestHandler, SqlRunResult } from './sql-channel.ts';
import { refusalOf } from './sql-refusals.ts';

/** Databases open at once per host: far more than a run (one) or a check (one each) needs. */
export const MAX_CONNECTIONS = 64;

/** The transaction control the engine may send: nothing else reaches SQLite as a `control`. */
const CONTROL = /^(BEGIN|COMMIT|ROLLBACK|(SAVEPOINT|RELEASE|ROLLBACK TO) sp[0-9]{1,9})$/;
const SAVEPOINT = /^sp[0-9]{1,9}$/;

export interface SqlHostOptions {
  /** The run's database file, what `open('run')` opens; without it, only memory can be opened. */
  runFile?: string | undefined;
  /**
   * The driver's native addon, already loaded. In a sandbox process it is loaded before the
   * guards take `process.dlopen` away (child-main.ts), and handed over here.
   */
  nativeBinding?: object | undefined;
}

interface Connection {
  db: Database.Database;
  totalChanges: Database.Statement;
}

/** A failure to answer with, shaped as SQLite's: its code and message. */
class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** better-sqlite3's errors carry SQLite's extended code; its own misuse errors (TypeError, RangeError) count as SQLITE_ERROR. */
const errorInfo = (error: unknown): SqlErrorInfo => {
  const code = (error as { code?: unknown })?.code;
  return {
    code: typeof code === 'string' && code.startsWith('SQLITE_') ? code : 'SQLITE_ERROR',
    message: error instanceof Error ? error.message : String(error),
  };
};

const asNumber = (id: number | bigint): number => (typeof id === 'bigint' ? Number(id) : id);

/** Blobs arrive as Uint8Array after a structured clone; better-sqlite3 binds Buffers. */
const bindable = (params: unknown): unknown[] => {
  if (!Array.isArray(params)) throw new Refused('SQLITE_MISUSE', 'statement parameters must be an array');
  return params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
};

const statementOf = (sql: unknown): string => {
  if (typeof sql !== 'string') throw new Refused('SQLITE_MISUSE', 'a statement must be a string');
  const refusal = refusalOf(sql);
  if (refusal) throw new Refused(refusal.code, refusal.message);
  return sql;
};

export class SqlHost implements SqlRequestHandler {
  private readonly connections = new Map<number, Connection>();
  private nextHandle = 1;
  private disposed = false;

  constructor(private readonly options: SqlHostOptions = {}) {}

  /** Databases open now. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** Runs one request; never throws: a failure is the reply. */
  handle(request: SqlRequest): SqlReply {
    try {
      return { id: request.id, ok: true, value: this.execute(request) };
    } catch (error) {
      return { id: request.id, ok: false, error: errorInfo(error) };
    }
  }

  /** Closes every database (an open transaction is rolled back); later requests fail. */
  dispose(): void {
    this.disposed = true;
    for (const { db } of this.connections.values()) db.close();
    this.connections.clear();
  }

  private execute(request: SqlRequest): unknown {
    if (this.disposed) throw new Refused('SQLITE_MISUSE', 'the database is closed: the run has stopped');
    switch (request.op) {
      case 'open':
        return this.open(request.target);
      case 'exec': {
        const { db, totalChanges } = this.connection(request.handle);
        const sql = statementOf(request.sql);
        const before = totalChanges.get() as number;
        db.exec(sql);
        return (totalChanges.get() as number) - before;
      }
      case 'run': {
        const { db } = this.connection(request.handle);
        const info = db.prepare(statementOf(request.sql)).run(...bindable(request.params));
        return { changes: info.changes, lastInsertRowid: asNumber(info.lastInsertRowid) } satisfies SqlRunResult;
      }
      case 'get': {
        const { db } = this.connection(request.handle);
        return db.prepare(statementOf(request.sql)).get(...bindable(request.params));
      }
      case 'all': {
        const { db } = this.connection(request.handle);
        return db.prepare(statementOf(request.sql)).all(...bindable(request.params));
      }
      case 'control': {
        const { db } = this.connection(request.handle);
        if (typeof request.statement !== 'string' || !CONTROL.test(request.statement)) {
          throw new Refused('SQLITE_MISUSE', `not a transaction control statement: ${String(request.statement).slice(0, 100)}`);
        }
        db.exec(request.statement);
        return undefined;
      }
      case 'rollback-if-open': {
        const { db } = this.connection(request.handle);
        const { savepoint } = request;
        if (savepoint !== undefined && (typeof savepoint !== 'string' || !SAVEPOINT.test(savepoint))) {
          throw new Refused('SQLITE_MISUSE', `not a savepoint: ${String(savepoint).slice(0, 100)}`);
        }
        // SQLite ends a transaction by itself after some errors (SQLITE_FULL, an interrupt…).
        if (!db.inTransaction) return [];
        const statements = savepoint === undefined ? ['ROLLBACK'] : [`ROLLBACK TO ${savepoint}`, `RELEASE ${savepoint}`];
        for (const statement of statements) db.exec(statement);
        return statements;
      }
      case 'close': {
        const connection = this.connections.get(request.handle);
        this.connections.delete(request.handle);
        connection?.db.close();
        return undefined;
      }
      default:
        throw new Refused('SQLITE_MISUSE', `unknown database request: ${String((request as { op?: unknown }).op).slice(0, 100)}`);
    }
  }

  private driverOptions(): Database.Options {
    return this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding as never } : {};
  }

  private open(target: unknown): number {
    if (this.connections.size >= MAX_CONNECTIONS) {
      throw new Refused('SQLITE_CANTOPEN', `too many databases open at once (${MAX_CONNECTIONS}): close the ones you are done with`);
    }
    let db: Database.Database;
    if (target === 'memory') {
      db = new Database(':memory:', this.driverOptions());
    } else if (target === 'run') {
      if (this.options.runFile === undefined) throw new Refused('SQLITE_CANTOPEN', 'this run has no database file');
      db = new Database(this.options.runFile, this.driverOptions());
      db.pragma('journal_mode = WAL');
    } else {
      throw new Refused('SQLITE_CANTOPEN', `a database is 'run' or 'memory', not ${JSON.stringify(target)?.slice(0, 100)}`);
    }
    db.pragma('foreign_keys = ON');
    const handle = this.nextHandle++;
    this.connections.set(handle, { db, totalChanges: db.prepare('SELECT total_changes()').pluck() });
    return handle;
  }

  private connection(handle: unknown): Connection {
    const connection = typeof handle === 'number' ? this.connections.get(handle) : undefined;
    if (!connection) throw new Refused('SQLITE_MISUSE', 'the database is closed');
    return connection;
  }
}
