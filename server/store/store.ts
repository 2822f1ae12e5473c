/**
 * The workbench's one SQLite file: code versions, runs with their recorded
 * events, settings. better-sqlite3 is synchronous, so a method that returns
 * has committed: a save is acknowledged only after it is durable.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TelemetryEvent } from '../../patterns/kit/index.ts';
import { migrations } from './migrations.ts';
import { ProgressStore } from './progress.ts';

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
  eventCount: number;
}

export interface StoreOptions {
  /** Most events kept per run; older ones are pruned as new ones arrive. */
  maxEventsPerRun?: number;
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
});

export class Store {
  private readonly db: Database.Database;
  private readonly maxEventsPerRun: number;
  /** Exercise attempts, drafts and progress. */
  readonly progress: ProgressStore;

  constructor(path: string, options: StoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before the call returns, so an acknowledged save survives a crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.maxEventsPerRun = options.maxEventsPerRun ?? 100_000;
    this.migrate();
    this.progress = new ProgressStore(this.db);
  }

  /** The schema version after migrations. */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    for (let version = current; version < migrations.length; version++) {
      this.db.transaction(() => {
        this.db.exec(migrations[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
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
    return this.getFileVersion(input.patternId, input.file, insert())!;
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

  finishRun(id: string, status: Exclude<RunStatus, 'running'>, error?: string): void {
    this.db
      .prepare('UPDATE runs SET status = ?, stopped_at = ?, error = ? WHERE id = ? AND status = \'running\'')
      .run(status, Date.now(), error ?? null, id);
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

  /** Appends a batch of events in one transaction, pruning the oldest beyond the per-run bound. */
  appendEvents(runId: string, events: readonly TelemetryEvent[]): void {
    if (events.length === 0) return;
    const append = this.db.transaction(() => {
      const { count } = this.db.prepare('SELECT event_count AS count FROM runs WHERE id = ?').get(runId) as {
        count: number;
      };
      const insert = this.db.prepare('INSERT INTO run_events (run_id, seq, t, type, data) VALUES (?, ?, ?, ?, ?)');
      let seq = count;
      for (const event of events) {
        insert.run(runId, seq++, event.t, event.type, JSON.stringify(event));
      }
      this.db.prepare('UPDATE runs SET event_count = ? WHERE id = ?').run(seq, runId);
      // Prune in slices of a tenth so the delete runs rarely, not on every batch.
      const slack = Math.ceil(this.maxEventsPerRun / 10);
      const crossedSlice = Math.floor(seq / slack) !== Math.floor(count / slack);
      if (seq > this.maxEventsPerRun + slack && crossedSlice) {
        this.db.prepare('DELETE FROM run_events WHERE run_id = ? AND seq < ?').run(runId, seq - this.maxEventsPerRun);
      }
    });
    append();
  }

  /** Recorded events of a run in order, optionally from a sequence number and within a time span. */
  readEvents(
    runId: string,
    options: { afterSeq?: number; fromT?: number; toT?: number; limit?: number } = {},
  ): Array<{ seq: number; event: TelemetryEvent }> {
    const rows = this.db
      .prepare(
        `SELECT seq, data FROM run_events
         WHERE run_id = ? AND seq > ? AND t >= ? AND t <= ?
         ORDER BY seq LIMIT ?`,
      )
      .all(
        runId,
        options.afterSeq ?? -1,
        options.fromT ?? -Infinity,
        options.toT ?? Infinity,
        options.limit ?? 10_000,
      ) as Array<{ seq: number; data: string }>;
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.data) as TelemetryEvent }));
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
