/**
 * The engine's side of `ctx.db`: a run's SQLite database (better-sqlite3),
 * behind the kit's `LabDatabase` interface. The run owns it (one per run, the
 * same for every lab instance a redeploy or a params change starts) and closes
 * it when the run stops; lab code only ever sees the interface.
 *
 * Each statement, in order: the `database` fault point decides it (latency
 * waited on the run's clock, then busy/locked thrown, each marked by a
 * `fault.injected`); it waits while another request's transaction is open;
 * SQLite runs it; a `sql` event records it with its rows and its duration on
 * the run's clock (injected latency and waiting included).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Clock, FaultDecision, FaultError, LabDatabase, RunResult, SqlValue, TelemetryInput } from '../../patterns/kit/index.ts';
import { DatabaseError } from '../../patterns/kit/index.ts';
import { instanceScope } from './instance-resources.ts';

export interface RunDatabaseOptions {
  /** The database file; default `:memory:`. */
  file?: string;
  clock: Clock;
  emit: (event: TelemetryInput) => void;
  /** The `database` fault point: its id and the decision for the next statement. Without it, no faults. */
  faults?: { point: string; next: () => FaultDecision };
  /** The inbound request being served, for the events. */
  requestId?: () => string | undefined;
}

/** A transaction in progress; `open` turns false when it ends (late statements of its async context are not part of it). */
interface Tx {
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

/** The first keyword of each statement in `sql`, skipping comments and quoted text. */
export const leadingKeywords = (sql: string): string[] => {
  const keywords: string[] = [];
  let atStart = true;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) j += 2; // a doubled quote
          else break;
        } else j++;
      }
      i = j + 1;
      atStart = false;
    } else if (c === ';') {
      atStart = true;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0];
      if (atStart) keywords.push(word.toUpperCase());
      atStart = false;
      i += word.length;
    } else {
      atStart = false;
      i++;
    }
  }
  return keywords;
};

/** Statements that would reach another file than the run's database. */
const OTHER_FILES = new Set(['ATTACH', 'DETACH', 'VACUUM']);
/**
 * Transaction control by hand: on the one connection every request shares, a
 * BEGIN held across an `await` would take other requests' statements into it.
 * (`END` is left out: it also closes a trigger's body.)
 */
const TRANSACTION_CONTROL = new Set(['BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE']);

const refuseUnsafe = (sql: string): void => {
  for (const keyword of leadingKeywords(sql)) {
    if (OTHER_FILES.has(keyword)) {
      throw new DatabaseError('SQLITE_AUTH', `${keyword} is not allowed: a lab has one database, the run's own (ctx.db)`);
    }
    if (TRANSACTION_CONTROL.has(keyword)) {
      throw new DatabaseError('SQLITE_MISUSE', `${keyword} is not allowed here: use db.transaction(async (tx) => …), which commits or rolls back for you`);
    }
  }
};

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

/** SQLite's errors (better-sqlite3's SqliteError) become the kit's DatabaseError, with the same code. */
const asDatabaseError = (error: unknown): DatabaseError => {
  if (error instanceof DatabaseError) return error;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseError(typeof code === 'string' ? code : 'SQLITE_ERROR', message);
};

const asNumber = (id: number | bigint): number => (typeof id === 'bigint' ? Number(id) : id);

export class RunDatabase implements LabDatabase {
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly scope = new AsyncLocalStorage<Tx>();
  /** The open transaction every other statement waits for. */
  private current: Tx | undefined;
  private closed = false;

  constructor(private readonly options: RunDatabaseOptions) {
    this.file = options.file ?? ':memory:';
    this.db = new Database(this.file);
    if (this.file !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
  }

  /** Where the data lives (`:memory:` or a file path). */
  get location(): string {
    return this.file;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  exec(sql: string): Promise<void> {
    return this.statement(sql, () => {
      const before = this.totalChanges();
      this.db.exec(sql);
      return { value: undefined, rows: this.totalChanges() - before };
    });
  }

  run(sql: string, ...params: SqlValue[]): Promise<RunResult> {
    return this.statement(sql, () => {
      const info = this.db.prepare(sql).run(...params);
      return { value: { changes: info.changes, lastInsertRowid: asNumber(info.lastInsertRowid) }, rows: info.changes };
    });
  }

  get<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    return this.statement(sql, () => {
      const row = this.db.prepare(sql).get(...params) as T | undefined;
      return { value: row, rows: row === undefined ? 0 : 1 };
    });
  }

  all<T = Record<string, unknown>>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return this.statement(sql, () => {
      const rows = this.db.prepare(sql).all(...params) as T[];
      return { value: rows, rows: rows.length };
    });
  }

  async transaction<T>(fn: (tx: LabDatabase) => Promise<T> | T): Promise<T> {
    this.refuseDisposed();
    const outer = this.ownTransaction();
    if (outer) return this.savepoint(outer, fn);
    // Checked again after every wait, and the transaction taken without an await in between.
    const deadline = this.options.clock.now() + BUSY_TIMEOUT_MS;
    for (let other = this.blocking(); other; other = this.blocking()) await this.waitFor(other, deadline);
    let end!: () => void;
    const tx: Tx = { open: true, ended: new Promise<void>((resolve) => (end = resolve)), savepoints: 0 };
    this.current = tx;
    try {
      this.control('BEGIN');
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
      this.control('COMMIT');
      return result;
    } catch (error) {
      if (!this.closed && this.db.inTransaction) this.control('ROLLBACK');
      throw error;
    } finally {
      tx.open = false;
      if (this.current === tx) this.current = undefined;
      end();
    }
  }

  /** Closes the database (a transaction still open is rolled back) and, for a file, removes it. */
  close(options: { remove?: boolean } = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
    if (options.remove && this.file !== ':memory:') {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(this.file + suffix, { force: true });
    }
  }

  private async savepoint<T>(tx: Tx, fn: (tx: LabDatabase) => Promise<T> | T): Promise<T> {
    const name = `sp${++tx.savepoints}`;
    this.control(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      this.control(`RELEASE ${name}`);
      return result;
    } catch (error) {
      if (!this.closed && this.db.inTransaction) {
        this.control(`ROLLBACK TO ${name}`);
        this.control(`RELEASE ${name}`);
      }
      throw error;
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

  private totalChanges(): number {
    return (this.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  }

  private ensureOpen(): void {
    if (this.closed) throw new DatabaseError('SQLITE_MISUSE', 'the database is closed: the run has stopped');
  }

  /** Code of a disposed lab instance (a callback it left behind) no longer touches the run's data. */
  private refuseDisposed(): void {
    if (instanceScope.getStore()?.isOver) {
      throw new DatabaseError('SQLITE_MISUSE', 'the code running this statement was disposed (replaced by a redeploy)');
    }
  }

  /** BEGIN, COMMIT, savepoints: recorded, never faulted. */
  private control(sql: string): void {
    const start = this.options.clock.now();
    let error: unknown;
    try {
      this.ensureOpen();
      this.db.exec(sql);
    } catch (thrown) {
      error = asDatabaseError(thrown);
      throw error;
    } finally {
      this.record(sql, 0, start, error);
    }
  }

  private async statement<T>(sql: string, execute: () => { value: T; rows: number }): Promise<T> {
    const { clock, faults } = this.options;
    const start = clock.now();
    let rows = 0;
    let error: unknown;
    try {
      this.ensureOpen();
      this.refuseDisposed();
      refuseUnsafe(sql);
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
      // Run only once no other request's transaction is open, with no await between that check and the statement.
      const deadline = clock.now() + BUSY_TIMEOUT_MS;
      for (let other = this.blocking(); other; other = this.blocking()) await this.waitFor(other, deadline);
      this.ensureOpen();
      const result = execute();
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
