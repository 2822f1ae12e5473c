/**
 * The workbench's one SQLite file: code versions, runs with their recorded
 * events, settings. better-sqlite3 is synchronous, so a method that returns
 * has committed: a save is acknowledged only after it is durable.
 *
 * The file has one owner (see owner.ts); the owner checks it at start (that it
 * is a workbench database, undamaged) and keeps it bounded: the events of
 * stopped runs within a total size, the oldest runs' going first, and the file
 * compacted as they go (incremental auto-vacuum, a bounded WAL).
 */
import Database from 'better-sqlite3';
import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { TelemetryEvent } from '../../patterns/kit/index.ts';
import { DatabaseBusyError, isBusy, reportBusyAs, sqliteCode, StoreOpenError } from './errors.ts';
import { migrations } from './migrations.ts';
import { OWNER_KEY, takeOwnership, type OwnerRecord } from './owner.ts';
import { ProgressStore } from './progress.ts';
import { WriteHealth } from './recorder.ts';

export interface FileVersion {
  patternId: string;
  file: string;
  version: number;
  content: string;
  createdAt: number;
  origin: 'saved' | 'reset' | 'restored';
  error: StoredError | null;
}

export interface StoredError {
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export type RunStatus = 'running' | 'stopped' | 'error';

export interface RunRecord {
  id: string;
  patternId: string;
  lab: string;
  seed: number;
  status: RunStatus;
  startedAt: number;
  stoppedAt: number | null;
  error: string | null;
  /** Events recorded (stored) for the run, including any pruned since. */
  eventCount: number;
  /** Bytes of the run's stored events (their JSON). */
  eventBytes: number;
  /** True once the run's events were deleted to keep the history within its bound. */
  eventsPruned: boolean;
}

export const DEFAULT_HISTORY_MB = 200;
const MB = 1024 * 1024;

export interface StoreOptions {
  /** Most events kept per run; older ones are pruned as new ones arrive. */
  maxEventsPerRun?: number;
  /**
   * Most bytes of events (their JSON) kept for stopped runs, all together; beyond it the
   * oldest stopped runs lose their events (see pruneHistory). Default DEFAULT_HISTORY_MB.
   */
  historyBytes?: number;
  /** Most attempts kept per exercise, newest first. */
  maxAttemptsPerExercise?: number;
  /**
   * Open as the workbench that owns the file: take the ownership lock (refusing to open
   * when another workbench has it), check the file for damage, and compact it. Tools and
   * tests that only look into a file leave this off.
   */
  owner?: boolean;
  /** Where recording troubles are told (one warning per episode). */
  log?: Logger;
}

interface FileVersionRow {
  pattern_id: string;
  file: string;
  version: number;
  content: string;
  created_at: number;
  origin: FileVersion['origin'];
  error: string | null;
}

interface RunRow {
  id: string;
  pattern_id: string;
  lab: string;
  seed: number;
  status: RunStatus;
  started_at: number;
  stopped_at: number | null;
  error: string | null;
  event_count: number;
  event_bytes: number;
  events_pruned: number;
}

const toFileVersion = (row: FileVersionRow): FileVersion => ({
  patternId: row.pattern_id,
  file: row.file,
  version: row.version,
  content: row.content,
  createdAt: row.created_at,
  origin: row.origin,
  error: row.error === null ? null : (JSON.parse(row.error) as StoredError),
});

const toRunRecord = (row: RunRow): RunRecord => ({
  id: row.id,
  patternId: row.pattern_id,
  lab: row.lab,
  seed: row.seed,
  status: row.status,
  startedAt: row.started_at,
  stoppedAt: row.stopped_at,
  error: row.error,
  eventCount: row.event_count,
  eventBytes: row.event_bytes,
  eventsPruned: row.events_pruned === 1,
});

/** What an SQLite file starts with. */
const SQLITE_HEADER = 'SQLite format 3\0';
/** The tables every workbench database has (from the first migration). */
const CORE_TABLES = ['file_versions', 'runs', 'run_events', 'settings'];
/**
 * How long a write waits for another program's lock. Short on purpose: better-sqlite3 is
 * synchronous, so the whole server waits with it. A write still refused after that fails
 * with a DatabaseBusyError (an API call answers 503; recording backs off, see recorder.ts).
 * Write transactions begin IMMEDIATE (`.immediate()`) so that they do wait: a deferred one
 * that reads first and then meets the lock fails at once, without waiting at all.
 */
const BUSY_TIMEOUT_MS = 100;
/** At start-up nothing else is being served yet, so opening may wait longer for a lock. */
const OPEN_BUSY_TIMEOUT_MS = 5000;
/** The WAL file is truncated back to this size after a checkpoint. */
const WAL_LIMIT_BYTES = 16 * MB;

const advice = 'move it aside or start with --db PATH';

/**
 * Checks what can be checked before SQLite opens the file: its folder exists (or is created)
 * and is writable, and the file, if it has content, is an SQLite file.
 */
const checkFile = (path: string): void => {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StoreOpenError(`cannot create the folder ${folder} for the database (${code}): start with --db PATH in a folder you can write to`);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new StoreOpenError(`cannot write to the folder ${folder} (the database keeps its journal beside it): start with --db PATH in a folder you can write to`);
  }
  let size = 0;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new StoreOpenError(`${path} is a folder, not a database file: start with --db PATH naming a file`);
    size = stats.size;
  } catch (error) {
    if (error instanceof StoreOpenError) throw error;
    return; // no file yet: SQLite creates it
  }
  if (size === 0) return; // an empty file is an empty database
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) throw new StoreOpenError(`${path} is not a workbench database: ${advice}`);
};

/** An error met while opening, as a message that names the file and what to do. */
const describeOpenError = (path: string, error: unknown): Error => {
  if (error instanceof StoreOpenError || error instanceof DatabaseBusyError) return error;
  if (isBusy(error)) return new DatabaseBusyError(path);
  const message = error instanceof Error ? error.message : String(error);
  // Extended codes (SQLITE_IOERR_SHORT_READ…) start with their primary code.
  const code = sqliteCode(error) ?? '';
  const is = (primary: string) => code === primary || code.startsWith(`${primary}_`);
  if (is('SQLITE_NOTADB')) return new StoreOpenError(`${path} is not a workbench database: ${advice}`);
  if (is('SQLITE_CORRUPT')) {
    return new StoreOpenError(`${path} is damaged (${message}): ${advice}; the sqlite3 tool's .recover command may save what is in it`);
  }
  if (is('SQLITE_FULL')) {
    return new StoreOpenError(`the disk holding ${path} is full: free some space, or start with --db PATH on another disk`);
  }
  if (is('SQLITE_READONLY') || is('SQLITE_CANTOPEN') || is('SQLITE_PERM')) {
    return new StoreOpenError(`cannot open ${path} for writing (${message}): check its permissions and its folder's, or start with --db PATH`);
  }
  if (is('SQLITE_IOERR')) return new StoreOpenError(`cannot read or write ${path} (${message}): check the disk, or start with --db PATH`);
  return new StoreOpenError(`cannot open ${path}: ${message}`);
};

export class Store {
  private readonly db: Database.Database;
  /** The ownership lock's connection, while this store owns the file. */
  private readonly ownerLock: Database.Database | undefined;
  private readonly maxEventsPerRun: number;
  private readonly historyBytes: number;
  /** Exercise attempts, drafts and progress. */
  readonly progress: ProgressStore;
  /** Whether recording writes are failing now; shared by every run's recorder. */
  readonly writes: WriteHealth;

  constructor(
    readonly path: string,
    options: StoreOptions = {},
  ) {
    this.maxEventsPerRun = options.maxEventsPerRun ?? 100_000;
    this.historyBytes = options.historyBytes ?? DEFAULT_HISTORY_MB * MB;
    const inMemory = path === ':memory:';
    if (!inMemory) checkFile(path);
    // Ownership first: a second workbench must not touch the file at all (migrate it,
    // vacuum it, close the owner's runs as abandoned).
    this.ownerLock = options.owner && !inMemory ? takeOwnership(path) : undefined;
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      db.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
      this.db = db;
      if (this.ownerLock) this.checkIntegrity();
      this.checkSchema();
      // Before WAL mode: on a new file it takes effect with the first table. An existing file
      // needs a VACUUM to switch (below).
      db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      // FULL: a commit is on disk before the call returns, so an acknowledged save survives a crash.
      db.pragma('synchronous = FULL');
      db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
      this.migrate();
      if (this.ownerLock && db.pragma('auto_vacuum', { simple: true }) !== 2) {
        // Once for a file made before bounded history: rewrite it with incremental auto-vacuum
        // (outside any transaction, as VACUUM must be).
        options.log?.info({ db: path }, 'compacting the database once, to let it give space back from now on');
        db.exec('VACUUM');
      }
      if (this.ownerLock) this.recordOwner({ pid: process.pid, url: null, since: Date.now() });
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } catch (error) {
      db?.close();
      this.ownerLock?.close();
      throw describeOpenError(path, error);
    }
    this.progress = new ProgressStore(this.db, { maxAttemptsPerExercise: options.maxAttemptsPerExercise ?? 50 });
    this.writes = new WriteHealth({ file: path, log: options.log });
    reportBusyAs(this, path);
    reportBusyAs(this.progress, path);
  }

  /** The schema version after migrations. */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** A damaged file is refused at start rather than answering 500s later. */
  private checkIntegrity(): void {
    const problems = this.db.pragma('quick_check(3)', { simple: false }) as Array<{ quick_check: string }>;
    if (problems.length > 0 && problems[0]!.quick_check !== 'ok') {
      const found = problems
        .flatMap((p) => p.quick_check.split('\n'))
        .filter((line) => !line.startsWith('***'))
        .join('; ');
      throw new StoreOpenError(
        `${this.path} is damaged (SQLite's quick check found: ${found}): ${advice}; the sqlite3 tool's .recover command may save what is in it`,
      );
    }
  }

  /** Refuses an SQLite file that some other program made, or a newer workbench. */
  private checkSchema(): void {
    const version = this.schemaVersion;
    const tables = (
      this.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>
    ).map((row) => row.name);
    if (version > migrations.length) {
      throw new StoreOpenError(
        `${this.path} was written by a newer version of the workbench (schema ${version}; this one knows up to ${migrations.length}): ` +
          'update the workbench, or start this one with --db PATH',
      );
    }
    const missing = CORE_TABLES.filter((table) => !tables.includes(table));
    if ((version === 0 && tables.length > 0) || (version > 0 && missing.length > 0)) {
      const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
      throw new StoreOpenError(
        `${this.path} is an SQLite database but not a workbench's (its tables: ${shown || 'none'}): ${advice}`,
      );
    }
  }

  private migrate(): void {
    const current = this.schemaVersion;
    for (let version = current; version < migrations.length; version++) {
      this.db.transaction(() => {
        this.db.exec(migrations[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      }).immediate();
    }
  }

  private recordOwner(owner: OwnerRecord): void {
    this.setSetting(OWNER_KEY, owner);
  }

  /**
   * Completes the owner's record with where it serves, for the message a second workbench
   * shows. Only a courtesy: it never throws (a database busy at that moment is no reason not
   * to start).
   */
  setOwnerUrl(url: string): void {
    if (!this.ownerLock) return;
    try {
      const owner = this.getSetting<OwnerRecord>(OWNER_KEY);
      this.recordOwner({ pid: process.pid, since: owner?.since ?? Date.now(), url });
    } catch {
      // The second workbench's message then gives the pid without the URL.
    }
  }

  /** Closes the database and gives ownership up. */
  close(): void {
    if (!this.db.open) return;
    this.writes.close();
    if (this.ownerLock) {
      try {
        this.db.prepare('DELETE FROM settings WHERE key = ?').run(OWNER_KEY);
      } catch {
        // Only a courtesy: the record matters only while the lock is held.
      }
    }
    this.db.close();
    this.ownerLock?.close();
  }

  // ── code versions ────────────────────────────────────────────────────

  /** Stores a new version of a pattern file and returns it, committed. */
  saveFileVersion(input: {
    patternId: string;
    file: string;
    content: string;
    origin: FileVersion['origin'];
    error?: StoredError | null;
  }): FileVersion {
    const insert = this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT COALESCE(MAX(version), 0) AS last FROM file_versions WHERE pattern_id = ? AND file = ?')
        .get(input.patternId, input.file) as { last: number };
      const version = row.last + 1;
      const createdAt = Date.now();
      this.db
        .prepare(
          'INSERT INTO file_versions (pattern_id, file, version, content, created_at, origin, error) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          input.patternId,
          input.file,
          version,
          input.content,
          createdAt,
          input.origin,
          input.error ? JSON.stringify(input.error) : null,
        );
      return version;
    });
    return this.getFileVersion(input.patternId, input.file, insert.immediate())!;
  }

  /** Records the compile or load error of a stored version (or clears it with null). */
  setFileVersionError(patternId: string, file: string, version: number, error: StoredError | null): void {
    this.db
      .prepare('UPDATE file_versions SET error = ? WHERE pattern_id = ? AND file = ? AND version = ?')
      .run(error ? JSON.stringify(error) : null, patternId, file, version);
  }

  getFileVersion(patternId: string, file: string, version: number): FileVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM file_versions WHERE pattern_id = ? AND file = ? AND version = ?')
      .get(patternId, file, version) as FileVersionRow | undefined;
    return row && toFileVersion(row);
  }

  /** The newest version, whether or not it compiled. */
  latestFileVersion(patternId: string, file: string): FileVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM file_versions WHERE pattern_id = ? AND file = ? ORDER BY version DESC LIMIT 1')
      .get(patternId, file) as FileVersionRow | undefined;
    return row && toFileVersion(row);
  }

  /** The newest version that compiled and loaded: what runs use. */
  latestGoodFileVersion(patternId: string, file: string): FileVersion | undefined {
    const row = this.db
      .prepare(
        'SELECT * FROM file_versions WHERE pattern_id = ? AND file = ? AND error IS NULL ORDER BY version DESC LIMIT 1',
      )
      .get(patternId, file) as FileVersionRow | undefined;
    return row && toFileVersion(row);
  }

  /** All versions of a file, newest first, without their contents. */
  listFileVersions(patternId: string, file: string): Array<Omit<FileVersion, 'content'>> {
    const rows = this.db
      .prepare(
        'SELECT pattern_id, file, version, created_at, origin, error, \'\' AS content FROM file_versions WHERE pattern_id = ? AND file = ? ORDER BY version DESC',
      )
      .all(patternId, file) as FileVersionRow[];
    return rows.map((row) => {
      const { content: _content, ...rest } = toFileVersion(row);
      return rest;
    });
  }

  // ── runs and their events ────────────────────────────────────────────

  createRun(run: { id: string; patternId: string; lab: string; seed: number }): RunRecord {
    this.db
      .prepare(
        "INSERT INTO runs (id, pattern_id, lab, seed, status, started_at) VALUES (?, ?, ?, ?, 'running', ?)",
      )
      .run(run.id, run.patternId, run.lab, run.seed, Date.now());
    return this.getRun(run.id)!;
  }

  /** Marks a run stopped (once), then keeps the history of stopped runs within its bound. */
  finishRun(id: string, status: Exclude<RunStatus, 'running'>, error?: string): void {
    this.db
      .prepare('UPDATE runs SET status = ?, stopped_at = ?, error = ? WHERE id = ? AND status = \'running\'')
      .run(status, Date.now(), error ?? null, id);
    this.pruneHistory();
  }

  /**
   * Keeps the events of stopped runs within the history bound: counting from the newest
   * stopped run, every older run whose events no longer fit loses them (the run stays listed,
   * marked eventsPruned). Exercise attempts are trimmed to their bound too. Freed pages go
   * back to the file system. Returns how many runs lost their events.
   */
  pruneHistory(): number {
    this.progress.pruneAttempts();
    const pruned = this.db.transaction(() => {
      const rows = this.db
        .prepare(
          "SELECT id, event_bytes FROM runs WHERE status != 'running' AND events_pruned = 0 ORDER BY started_at DESC, rowid DESC",
        )
        .all() as Array<{ id: string; event_bytes: number }>;
      const deleteEvents = this.db.prepare('DELETE FROM run_events WHERE run_id = ?');
      const markPruned = this.db.prepare('UPDATE runs SET events_pruned = 1, event_bytes = 0 WHERE id = ?');
      let total = 0;
      let count = 0;
      for (const row of rows) {
        total += row.event_bytes;
        if (total <= this.historyBytes || row.event_bytes === 0) continue;
        deleteEvents.run(row.id);
        markPruned.run(row.id);
        count++;
      }
      return count;
    }).immediate();
    if (pruned > 0) this.compact();
    return pruned;
  }

  /** Gives free pages back to the file system, and the WAL back to its bound. */
  private compact(): void {
    this.db.pragma('incremental_vacuum');
    // Copies the WAL into the file as far as readers allow, so the file shrinks now and the
    // next write restarts the WAL (truncated to journal_size_limit).
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /** Runs left 'running' by a workbench that died: they are not running any more. */
  closeAbandonedRuns(): number {
    return this.db
      .prepare("UPDATE runs SET status = 'stopped', stopped_at = ?, error = 'the workbench stopped' WHERE status = 'running'")
      .run(Date.now()).changes;
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRunRecord(row);
  }

  listRuns(patternId?: string, limit = 50): RunRecord[] {
    const rows = (
      patternId
        ? this.db.prepare('SELECT * FROM runs WHERE pattern_id = ? ORDER BY started_at DESC LIMIT ?').all(patternId, limit)
        : this.db.prepare('SELECT * FROM runs ORDER BY started_at DESC LIMIT ?').all(limit)
    ) as RunRow[];
    return rows.map(toRunRecord);
  }

  /**
   * Appends a batch of events in one transaction, pruning the oldest beyond the per-run bound.
   * Throws when the database refuses the write: RunRecorder is the caller that never throws.
   */
  appendEvents(runId: string, events: readonly TelemetryEvent[]): void {
    if (events.length === 0) return;
    const append = this.db.transaction(() => {
      const { count } = this.db.prepare('SELECT event_count AS count FROM runs WHERE id = ?').get(runId) as {
        count: number;
      };
      const insert = this.db.prepare('INSERT INTO run_events (run_id, seq, t, type, data) VALUES (?, ?, ?, ?, ?)');
      // The row's number is the event's own `seq` (its run's host numbered it); an event
      // without one (a tool, an old caller) takes the next number. Events the recorder had
      // to drop leave gaps; the numbers only ever grow.
      let seq = count;
      let bytes = 0;
      for (const event of events) {
        const own = (event as { seq?: unknown }).seq;
        const at = typeof own === 'number' && Number.isInteger(own) && own >= seq ? own : seq;
        const data = JSON.stringify(at === own ? event : { ...event, seq: at });
        bytes += Buffer.byteLength(data);
        insert.run(runId, at, event.t, event.type, data);
        seq = at + 1;
      }
      // Prune in slices of a tenth so the delete runs rarely, not on every batch.
      const slack = Math.ceil(this.maxEventsPerRun / 10);
      const crossedSlice = Math.floor(seq / slack) !== Math.floor(count / slack);
      if (seq > this.maxEventsPerRun + slack && crossedSlice) {
        const before = seq - this.maxEventsPerRun;
        const { freed } = this.db
          .prepare('SELECT COALESCE(SUM(octet_length(data)), 0) AS freed FROM run_events WHERE run_id = ? AND seq < ?')
          .get(runId, before) as { freed: number };
        this.db.prepare('DELETE FROM run_events WHERE run_id = ? AND seq < ?').run(runId, before);
        bytes -= freed;
      }
      this.db.prepare('UPDATE runs SET event_count = ?, event_bytes = event_bytes + ? WHERE id = ?').run(seq, bytes, runId);
    });
    append.immediate();
  }

  /**
   * A page of a run's recorded events, by `seq`: those after `afterSeq` and before `beforeSeq`
   * (both exclusive), optionally within a time span, at most `limit` of them. Oldest first,
   * or with `newestFirst` the newest ones (so `{ newestFirst, limit: N }` is the latest N, and
   * `{ newestFirst, beforeSeq }` pages back from there), optionally only some `types`. Each
   * event carries its `seq`.
   */
  readEvents(
    runId: string,
    options: {
      afterSeq?: number;
      beforeSeq?: number;
      fromT?: number;
      toT?: number;
      /** Only events of these types. */
      types?: readonly string[];
      limit?: number;
      newestFirst?: boolean;
    } = {},
  ): Array<{ seq: number; event: TelemetryEvent }> {
    const types = options.types ?? [];
    const rows = this.db
      .prepare(
        `SELECT seq, data FROM run_events
         WHERE run_id = ? AND seq > ? AND seq < ? AND t >= ? AND t <= ?
         ${types.length ? `AND type IN (${types.map(() => '?').join(', ')})` : ''}
         ORDER BY seq ${options.newestFirst ? 'DESC' : 'ASC'} LIMIT ?`,
      )
      .all(
        runId,
        options.afterSeq ?? -1,
        options.beforeSeq ?? Number.MAX_SAFE_INTEGER,
        options.fromT ?? -Infinity,
        options.toT ?? Infinity,
        ...types,
        options.limit ?? 10_000,
      ) as Array<{ seq: number; data: string }>;
    return rows.map((row) => {
      const event = JSON.parse(row.data) as TelemetryEvent;
      event.seq = row.seq;
      return { seq: row.seq, event };
    });
  }

  /** The lowest and highest `seq` of a run's stored events (undefined without any). */
  eventSeqRange(runId: string): { first: number; last: number } | undefined {
    const row = this.db
      .prepare('SELECT MIN(seq) AS first, MAX(seq) AS last FROM run_events WHERE run_id = ?')
      .get(runId) as { first: number | null; last: number | null };
    return row.first === null || row.last === null ? undefined : { first: row.first, last: row.last };
  }

  countEvents(runId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM run_events WHERE run_id = ?').get(runId) as { n: number }).n;
  }

  // ── settings ─────────────────────────────────────────────────────────

  getSetting<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setSetting(key: string, value: unknown): void {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, JSON.stringify(value));
  }
}
