/**
 * Schema migrations, keyed on SQLite's `user_version`: migration N takes the
 * database from version N to N+1. Append new ones; never edit old ones.
 */
export const migrations: string[] = [
  `
  CREATE TABLE file_versions (
    pattern_id TEXT NOT NULL,
    file       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    content    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- 'saved' by the learner, 'reset' to the reference, 'restored' from an earlier version
    origin     TEXT NOT NULL,
    -- NULL when it compiled and loaded; otherwise the error as JSON
    error      TEXT,
    PRIMARY KEY (pattern_id, file, version)
  ) WITHOUT ROWID;

  CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    pattern_id  TEXT NOT NULL,
    lab         TEXT NOT NULL,
    seed        INTEGER NOT NULL,
    status      TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    stopped_at  INTEGER,
    error       TEXT,
    event_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX runs_by_pattern ON runs (pattern_id, started_at);

  CREATE TABLE run_events (
    run_id TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    t      REAL NOT NULL,
    type   TEXT NOT NULL,
    data   TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE exercise_attempts (
    id          INTEGER PRIMARY KEY,
    exercise_id TEXT NOT NULL,
    code        TEXT NOT NULL,
    status      TEXT NOT NULL,
    results     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX exercise_attempts_by_exercise ON exercise_attempts (exercise_id, created_at);

  -- The learner's work in progress, saved as they type.
  CREATE TABLE exercise_drafts (
    exercise_id TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE exercise_progress (
    exercise_id     TEXT PRIMARY KEY,
    -- 'started' until every check passes once, then 'solved' for good
    status          TEXT NOT NULL,
    -- task numbers whose checks all passed in the best attempt, as JSON
    tasks_passed    TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    solved_at       INTEGER,
    solution_viewed INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- Bytes of each run's stored events (their JSON), so the events of stopped runs can be kept
  -- within a total size (Store.pruneHistory).
  ALTER TABLE runs ADD COLUMN event_bytes INTEGER NOT NULL DEFAULT 0;
  -- 1 once the run's events were deleted to keep that bound; the run itself stays listed.
  ALTER TABLE runs ADD COLUMN events_pruned INTEGER NOT NULL DEFAULT 0;
  UPDATE runs SET event_bytes = (SELECT COALESCE(SUM(octet_length(data)), 0) FROM run_events WHERE run_events.run_id = runs.id);
  `,
];
