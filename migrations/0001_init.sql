-- Jobs: one row per ingestion job, with its progress as last recorded.
CREATE TABLE jobs (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('ingest')),
  status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  provider      TEXT NOT NULL,
  feed          TEXT NOT NULL,
  timeframe     TEXT NOT NULL,
  symbols       TEXT NOT NULL,            -- JSON array
  start_date    TEXT NOT NULL,            -- exchange-local YYYY-MM-DD, inclusive
  end_date      TEXT NOT NULL,            -- exchange-local YYYY-MM-DD, inclusive
  params        TEXT NOT NULL DEFAULT '{}', -- JSON: workers, batch size (never secrets)
  progress      REAL NOT NULL DEFAULT 0,
  rows_written  INTEGER NOT NULL DEFAULT 0,
  error_code    TEXT,
  error_message TEXT,
  host          TEXT NOT NULL,
  pid           INTEGER,
  created_at    TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT
) STRICT;
CREATE INDEX jobs_created ON jobs (created_at DESC);

-- Checkpoints: one row per (job, symbol, chunk) written to the lake, so an interrupted job can resume.
CREATE TABLE job_chunks (
  job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  symbol      TEXT NOT NULL,
  chunk_start TEXT NOT NULL,
  chunk_end   TEXT NOT NULL,
  rows        INTEGER NOT NULL,
  file        TEXT NOT NULL,
  written_at  TEXT NOT NULL,
  PRIMARY KEY (job_id, symbol, chunk_start)
) STRICT;
