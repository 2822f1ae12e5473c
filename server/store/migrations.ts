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
];
