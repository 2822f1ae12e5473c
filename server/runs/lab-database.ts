/**
 * The engine's side of `ctx.db`: a run's SQLite database, behind the kit's
 * `LabDatabase` interface. The run owns it (one per run, the same for every
 * lab instance a redeploy or a params change starts) and closes it when the
 * run stops; lab code only ever sees the interface.
 *
 * SQLite itself runs in the server (the SQL host, server/sandbox/sql-host.ts:
 * native addons cannot load in the sandbox); this side sends it statements
 * over a connection (sql-channel.ts), which runs them in the order they are
 * sent. Everything else happens here, on the run's clock.
 *
 * Each statement, in order: the `database` fault point decides it (latency
 * waited on the run's clock, then busy/locked thrown, each marked by a
 * `fault.injected`); it waits while another request's transaction is open;
 * it is sent, with no await between that check and the send; a `sql` event
 * records it with its rows and its duration on the run's clock (injected
 * latency and waiting included).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock, FaultDecision, FaultError, LabDatabase, RunResult, SqlValue, TelemetryInput } from '../../patterns/kit/index.ts';
import { DatabaseError } from '../../patterns/kit/index.ts';
import type { ControlStatement, SqlConnection } from '../sandbox/sql-channel.ts';
import { refusalOf } from '../sandbox/sql-refusals.ts';
import { instanceScope } from './instance-resources.ts';

export { leadingKeywords } from '../sandbox/sql-refusals.ts';

export interface RunDatabaseOptions {
  /**
   * Where its statements go: a connection to the run's file or to memory, or the
   * promise of one (statements wait for it; a failure to open fails each of them).
   */
  connection: Promise<SqlConnection> | SqlConnection;
  clock: Clock;
  emit: (event: TelemetryInput) => void;
  /** The `database` fault point: its id and the decision for the next statement. Without it, no faults. */
  faults?: { point: string; next: () => FaultDecision };
  /** The inbound request being served, for the events. */
  requestId?: () => string | undefined;
}

/** A transaction in progress; `open` turns false when it ends (late statements of its async context are not part of it). */
interface Tx {
  connection: SqlConnection;
  open: boolean;
  ended: Promise<void>;
  savepoints: number;
}

/**
 * How long a statement waits for another request's transaction before it fails
 * with SQLITE_BUSY, on the run's clock: SQLite's busy timeout (better-sqlite3's
 * default too). A transaction that never ends cannot stall every other request.
 */
export const BUSY_TIMEOUT_MS = 5_000;

/** Statements stored in events are cut at this length. */
const MAX_STATEMENT = 2000;

/**
 * The error an injected fault makes a statement fail with, shaped as SQLite's
 * own, and the kind it counts as. HTTP-shaped errors mean nothing to a
 * database (a spec sent without an error has the default, an HTTP 503): the
 * nearest is busy.
 */
export const injectedDatabaseError = (error: FaultError, point: string): { kind: 'busy' | 'locked' | 'exception'; error: DatabaseError } => {
  switch (error.kind) {
    case 'locked':
      return { kind: 'locked', error: new DatabaseError('SQLITE_LOCKED', `database table is locked (SQLITE_LOCKED, injected at '${point}')`, true) };
    case 'exception':
      return { kind: 'exception', error: new DatabaseError('SQLITE_ERROR', error.message ?? `injected fault at '${point}' (exception)`, true) };
    default:
      return { kind: 'busy', error: new DatabaseError('SQLITE_BUSY', `database is locked (SQLITE_BUSY, injected at '${point}')`, true) };
  }
};

/** SQLite's errors (the host's SqlError, with SQLite's code) become the kit's DatabaseError, with the same code. */
const asDatabaseError = (error: unknown): DatabaseError => {
  if (error instanceof DatabaseError) return error;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseError(typeof code === 'string' ? code : 'SQLITE_ERROR', message);
};

export class RunDatabase implements LabDatabase {
  private readonly scope = new AsyncLocalStorage<Tx>();
  /** The connection's promise, and the connection itself once it is open: statements then go out without an await. */
  private readonly opening: Promise<SqlConnection>;
  private connection: SqlConnection | undefined;
  /** The open transaction every other statement waits for. */
  private current: Tx | undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly options: RunDatabaseOptions) {
    this.opening = Promise.resolve(options.connection);
    // Handled here once: a database never used must not turn a failed open into an unhandled rejection.
    this.opening.then(
      (connection) => (this.connection = connection),
      () => undefined,
    );
  }

  get isOpen(): boolean {
    return this.closed === undefined;
  }

  exec(sql: string): Promise<void> {
    return this.statement(sql, async (connection) => ({ value: undefined, rows: await connection.exec(sql) }));
  }

  run(sql: string, ...params: SqlValue[]): Promise<RunResult> {
    return this.statement(sql, async (connection) => {
      const result = await connection.run(sql, params);
      return { value: result, rows: result.changes };
    });
  }

  get<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    return this.statement(sql, async (connection) => {
      const row = (await connection.get(sql, params)) as T | undefined;
      return { value: row, rows: row === undefined ? 0 : 1 };
    });
  }

  all<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return this.statement(sql, async (connection) => {
      const rows = (await connection.all(sql, params)) as T[];
      return { value: rows, rows: rows.length };
    });
  }

  async transaction<T>(fn: (tx: LabDatabase) => Promise<T> | T): Promise<T> {
    this.refuseDisposed();
    const outer = this.ownTransaction();
    if (outer) return this.savepoint(outer, fn);
    const connection = this.connection ?? (await this.connected());
    // Checked again after every wait, and the transaction taken (its BEGIN sent) without an await in between.
    const deadline = this.options.clock.now() + BUSY_TIMEOUT_MS;
    for (let other = this.blocking(); other; other = this.blocking()) await this.waitFor(other, deadline);
    let end!: () => void;
    const tx: Tx = { connection, open: true, ended: new Promise<void>((resolve) => (end = resolve)), savepoints: 0 };
    this.current = tx;
    try {
      await this.control(connection, 'BEGIN');
      const work = this.scope.run(tx, () => fn(this));
      // A transaction of a lab instance that is disposed meanwhile (its timers ended, so it may
      // never finish) is rolled back then: it must not hold the run's database for ever.
      const owner = instanceScope.getStore();
      const result = owner
        ? await new Promise<T>((resolve, reject) => {
            const watch = owner.onDispose(() =>
              reject(new DatabaseError('SQLITE_ABORT', 'the transaction was rolled back: the code that opened it was disposed (replaced by a redeploy)')),
            );
            Promise.resolve(work)
              .then(resolve, reject)
              .finally(() => watch.dispose());
          })
        : await work;
      await this.control(connection, 'COMMIT');
      return result;
    } catch (error) {
      if (this.isOpen) await this.rollbackIfOpen(connection);
      throw error;
    } finally {
      tx.open = false;
      if (this.current === tx) this.current = undefined;
      end();
    }
  }

  /**
   * Closes the database (a transaction still open is rolled back by SQLite), once the
   * statements already sent have run. The file, if any, is the run host's to remove.
   */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    // Sent at once when the connection is open: it goes after every statement already sent.
    const closing = this.connection ? this.connection.close() : this.opening.then((connection) => connection.close());
    // The run is over either way: a host already gone has closed it too.
    this.closed = closing.catch(() => undefined);
    return this.closed;
  }

  private async savepoint<T>(tx: Tx, fn: (tx: LabDatabase) => Promise<T> | T): Promise<T> {
    const name = `sp${++tx.savepoints}` as const;
    await this.control(tx.connection, `SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      await this.control(tx.connection, `RELEASE ${name}`);
      return result;
    } catch (error) {
      if (this.isOpen) await this.rollbackIfOpen(tx.connection, name);
      throw error;
    }
  }

  /** The connection, once open; a failure to open fails the statement that waited for it. */
  private async connected(): Promise<SqlConnection> {
    try {
      return await this.opening;
    } catch (error) {
      throw asDatabaseError(error);
    }
  }

  /** The transaction this async context is part of, while it is open. */
  private ownTransaction(): Tx | undefined {
    const tx = this.scope.getStore();
    return tx?.open && tx === this.current ? tx : undefined;
  }

  /** Waits for `other` to end, or fails with SQLITE_BUSY at `deadline` (run clock), as SQLite's busy timeout does. */
  private async waitFor(other: Tx, deadline: number): Promise<void> {
    const { clock } = this.options;
    const left = deadline - clock.now();
    if (left <= 0) {
      throw new DatabaseError('SQLITE_BUSY', `database is locked: another request's transaction held it for ${BUSY_TIMEOUT_MS} ms`);
    }
    let timer: { dispose(): void } | undefined;
    try {
      await Promise.race([other.ended, new Promise<void>((resolve) => (timer = instanceScope.exit(() => clock.setTimeout(resolve, left))))]);
    } finally {
      timer?.dispose();
    }
  }

  /** Another request's open transaction, which a statement from here has to wait for. */
  private blocking(): Tx | undefined {
    return this.current && !this.ownTransaction() ? this.current : undefined;
  }

  private ensureOpen(): void {
    if (!this.isOpen) throw new DatabaseError('SQLITE_MISUSE', 'the database is closed: the run has stopped');
  }

  /** Code of a disposed lab instance (a callback it left behind) no longer touches the run's data. */
  private refuseDisposed(): void {
    if (instanceScope.getStore()?.isOver) {
      throw new DatabaseError('SQLITE_MISUSE', 'the code running this statement was disposed (replaced by a redeploy)');
    }
  }

  /** BEGIN, COMMIT, savepoints: recorded, never faulted. Sent before the first await. */
  private async control(connection: SqlConnection, statement: ControlStatement): Promise<void> {
    const start = this.options.clock.now();
    let error: unknown;
    try {
      this.ensureOpen();
      await connection.control(statement);
    } catch (thrown) {
      error = asDatabaseError(thrown);
      throw error;
    } finally {
      this.record(statement, 0, start, error);
    }
  }

  /** Ends a failed transaction (or rolls back to `savepoint`) if SQLite has not already; records what it ran. */
  private async rollbackIfOpen(connection: SqlConnection, savepoint?: `sp${number}`): Promise<void> {
    const start = this.options.clock.now();
    let ran: string[] = [];
    let error: unknown;
    try {
      ran = await connection.rollbackIfOpen(savepoint);
    } catch (thrown) {
      error = asDatabaseError(thrown);
      throw error;
    } finally {
      if (error !== undefined) this.record(savepoint === undefined ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}`, 0, start, error);
      for (const statement of ran) this.record(statement, 0, start, undefined);
    }
  }

  private async statement<T>(sql: string, execute: (connection: SqlConnection) => Promise<{ value: T; rows: number }>): Promise<T> {
    const { clock, faults } = this.options;
    const start = clock.now();
    let rows = 0;
    let error: unknown;
    try {
      this.ensureOpen();
      this.refuseDisposed();
      const refusal = refusalOf(sql);
      if (refusal) throw new DatabaseError(refusal.code, refusal.message);
      if (faults) {
        const decision = faults.next();
        const requestId = this.options.requestId?.();
        if (decision.latencyMs > 0) {
          this.options.emit({ type: 'fault.injected', point: faults.point, kind: 'latency', latencyMs: decision.latencyMs, requestId });
          // The engine's wait, not the lab's: it is not ended with the lab instance that asked.
          await instanceScope.exit(() => clock.sleep(decision.latencyMs));
        }
        if (decision.error) {
          const injected = injectedDatabaseError(decision.error, faults.point);
          this.options.emit({ type: 'fault.injected', point: faults.point, kind: injected.kind, requestId });
          throw injected.error;
        }
      }
      const connection = this.connection ?? (await this.connected());
      // Sent only once no other request's transaction is open, with no await between that check and
      // the send: the host runs statements in the order they are sent, so this one cannot land inside
      // a transaction that another request begins later.
      const deadline = clock.now() + BUSY_TIMEOUT_MS;
      for (let other = this.blocking(); other; other = this.blocking()) await this.waitFor(other, deadline);
      this.ensureOpen();
      const result = await execute(connection);
      rows = result.rows;
      return result.value;
    } catch (thrown) {
      error = asDatabaseError(thrown);
      throw error;
    } finally {
      this.record(sql, rows, start, error);
    }
  }

  private record(sql: string, rows: number, start: number, error: unknown): void {
    const statement = sql.trim();
    const requestId = this.options.requestId?.();
    this.options.emit({
      type: 'sql',
      statement: statement.length > MAX_STATEMENT ? statement.slice(0, MAX_STATEMENT) + '…' : statement,
      rows,
      durationMs: this.options.clock.now() - start,
      ...(error !== undefined && { error: (error as Error).message }),
      ...(requestId !== undefined && { requestId }),
    });
  }
}
