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

-- Checkpoints: the plan of a job as units of work, one per (symbol, year) = one lake partition. A unit turns 'done'
-- only after its partition file is durable (fsync + rename), so a killed job resumes exactly where it stopped.
CREATE TABLE job_tasks (
  job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  symbol      TEXT NOT NULL,
  year        INTEGER NOT NULL,
  start_date  TEXT NOT NULL,            -- exchange-local, inclusive: the range fetched
  end_date    TEXT NOT NULL,
  days        INTEGER NOT NULL,         -- trading days in the range
  status      TEXT NOT NULL CHECK (status IN ('pending', 'done')),
  rows        INTEGER NOT NULL DEFAULT 0,
  file        TEXT,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (job_id, symbol, year)
) STRICT;

-- Coverage: which sessions of which source are in the lake, so an ingest fetches only what is missing.
-- A session is recorded once it is over (after the extended-hours close) and its data is durable; rows may be 0
-- (the provider has no bars for that symbol that day: asked and answered, not missing).
CREATE TABLE coverage (
  symbol       TEXT NOT NULL,
  timeframe    TEXT NOT NULL,
  provider     TEXT NOT NULL,
  feed         TEXT NOT NULL,
  session_date TEXT NOT NULL,           -- exchange-local YYYY-MM-DD
  rows         INTEGER NOT NULL,
  job_id       TEXT NOT NULL,
  written_at   TEXT NOT NULL,
  PRIMARY KEY (symbol, timeframe, provider, feed, session_date)
) STRICT, WITHOUT ROWID;
