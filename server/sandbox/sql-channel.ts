/**
 * The message channel between the run engine (inside the sandbox, where
 * native addons cannot load) and the SQL host (in the server, which holds the
 * SQLite connections: see sql-host.ts). The engine's `SqlClient` numbers each
 * request and sends it at once, in call order; the host runs requests in the
 * order they arrive and answers each with a reply carrying the same `id`. The
 * engine relies on that order: a statement sent after a BEGIN runs inside
 * that transaction, one sent before it does not (see lab-database.ts).
 *
 * Messages are structured clones (Node IPC with `serialization: 'advanced'`):
 * bigint, Uint8Array, null and undefined cross as they are. No imports of
 * better-sqlite3 here: the engine loads this file.
 */
import type { SqlValue } from '../../patterns/kit/index.ts';

/** Which database a connection opens: the run's own file (the host was told which), or a fresh one in memory. */
export type SqlTarget = 'run' | 'memory';

/**
 * Transaction control, sent only by the engine's `RunDatabase` (a lab's own BEGIN
 * or SAVEPOINT is refused): a closed set, savepoints named `sp<n>`.
 */
export type ControlStatement = 'BEGIN' | 'COMMIT' | 'ROLLBACK' | `SAVEPOINT sp${number}` | `RELEASE sp${number}` | `ROLLBACK TO sp${number}`;

/** What a `run` statement did; `lastInsertRowid` as a number, as the kit's `RunResult`. */
export interface SqlRunResult {
  changes: number;
  lastInsertRowid: number;
}

export type SqlOperation =
  | { op: 'open'; target: SqlTarget }
  /** Any number of statements, no parameters; answers the rows they changed. */
  | { op: 'exec'; handle: number; sql: string }
  | { op: 'run' | 'get' | 'all'; handle: number; sql: string; params: SqlValue[] }
  | { op: 'control'; handle: number; statement: ControlStatement }
  /**
   * Ends a failed transaction (or, with `savepoint`, rolls back to it and releases it) if
   * one is still open: SQLite may have rolled it back already. Answers the statements run.
   */
  | { op: 'rollback-if-open'; handle: number; savepoint?: `sp${number}` }
  | { op: 'close'; handle: number };

export type SqlRequest = SqlOperation & { id: number };

/** SQLite's extended result code (`SQLITE_CONSTRAINT_UNIQUE`, …) and its message. */
export interface SqlErrorInfo {
  code: string;
  message: string;
}

export type SqlReply = { id: number } & ({ ok: true; value: unknown } | { ok: false; error: SqlErrorInfo });

/** A failure the host answered with (or the channel's end): SQLite's code and message. */
export class SqlError extends Error {
  override readonly name = 'SqlError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One open database, by its handle on the host. Each call sends its request before it returns. */
export interface SqlConnection {
  /** Rows changed by the statements (SQLite's total_changes before and after). */
  exec(sql: string): Promise<number>;
  run(sql: string, params: SqlValue[]): Promise<SqlRunResult>;
  get(sql: string, params: SqlValue[]): Promise<unknown>;
  all(sql: string, params: SqlValue[]): Promise<unknown[]>;
  control(statement: ControlStatement): Promise<void>;
  /** The statements it ran: none when no transaction was open. */
  rollbackIfOpen(savepoint?: `sp${number}`): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The engine's end: sends each request as it is asked for (so requests leave in
 * call order) and settles it when its reply arrives. `failAll` is for a channel
 * that is gone: what waits, and whatever is asked later, fails.
 */
export class SqlClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: SqlError) => void }>();
  private failed: SqlError | undefined;

  constructor(private readonly send: (request: SqlRequest) => void) {}

  /** A reply from the host; one for no request waiting (already failed) is ignored. */
  receive(reply: SqlReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new SqlError(reply.error.code, reply.error.message));
  }

  async open(target: SqlTarget): Promise<SqlConnection> {
    const handle = (await this.request({ op: 'open', target })) as number;
    return {
      exec: (sql) => this.request({ op: 'exec', handle, sql }) as Promise<number>,
      run: (sql, params) => this.request({ op: 'run', handle, sql, params }) as Promise<SqlRunResult>,
      get: (sql, params) => this.request({ op: 'get', handle, sql, params }),
      all: (sql, params) => this.request({ op: 'all', handle, sql, params }) as Promise<unknown[]>,
      control: (statement) => this.request({ op: 'control', handle, statement }) as Promise<void>,
      rollbackIfOpen: (savepoint) =>
        this.request({ op: 'rollback-if-open', handle, ...(savepoint !== undefined && { savepoint }) }) as Promise<string[]>,
      close: () => this.request({ op: 'close', handle }) as Promise<void>,
    };
  }

  /** Fails every request waiting for a reply, and every later one: the host is gone. */
  failAll(reason: string, code = 'SQLITE_IOERR'): void {
    this.failed ??= new SqlError(code, reason);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of waiting) reject(this.failed);
  }

  /** Sends now, before returning: the order of calls is the order the host runs them in. */
  private request(operation: SqlOperation): Promise<unknown> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.send({ ...operation, id } as SqlRequest);
      } catch (error) {
        // A channel that closed under us: the request never left.
        this.pending.delete(id);
        reject(new SqlError('SQLITE_IOERR', `the database could not be reached: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  }
}

/** What answers requests: the SQL host, in whichever process it lives. */
export interface SqlRequestHandler {
  handle(request: SqlRequest): SqlReply;
}

/**
 * A client whose host is in this process (tests on virtual time, and sandbox
 * entries until they talk to the server's host): each request runs as it is
 * sent and its reply settles the promise, with nothing copied.
 */
export const directSqlClient = (host: SqlRequestHandler): SqlClient => {
  const client: SqlClient = new SqlClient((request) => client.receive(host.handle(request)));
  return client;
};
