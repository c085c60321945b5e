-- Query workbench: what was run (history, newest first, trimmed by the engine to the last 500) and named queries the
-- user saved. Both are per data dir, so the CLI's data and the app's workbench see the same lake and the same list.
CREATE TABLE query_history (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  sql         TEXT NOT NULL,
  ran_at      TEXT NOT NULL,            -- ISO 8601 UTC
  row_count   INTEGER,                  -- NULL when the query failed or was cancelled
  elapsed_ms  REAL,
  error_code  TEXT                      -- NULL on success
) STRICT;
CREATE INDEX query_history_ran ON query_history (ran_at DESC);

CREATE TABLE saved_queries (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL,
  sql         TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;
-- names are unique regardless of case: "Daily volume" and "daily volume" would be confusing twins
CREATE UNIQUE INDEX saved_queries_name ON saved_queries (lower(name));
