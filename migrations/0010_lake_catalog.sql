-- The lake catalog: every live Parquet file of the lake (one per partition), what it holds and its checksum. The
-- `bars` views, aggregation, validation and the chart read the files listed here only; `marketpipe lake verify`
-- checks the tree against it. `path` is relative to <data>/lake/bars. `status` 'bad' marks a file a check found
-- damaged (missing, another size, unreadable): readers leave it out until `marketpipe lake repair`.
CREATE TABLE lake_files (
  path           TEXT PRIMARY KEY,
  timeframe      TEXT NOT NULL,
  provider       TEXT NOT NULL,
  feed           TEXT NOT NULL,
  symbol         TEXT NOT NULL,
  year           INTEGER NOT NULL,
  rows           INTEGER NOT NULL,
  min_ts         INTEGER,
  max_ts         INTEGER,
  bytes          INTEGER NOT NULL,
  sha256         TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  job_id         TEXT,
  published_at   TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'bad')),
  problem        TEXT
);
CREATE UNIQUE INDEX lake_files_partition ON lake_files (timeframe, provider, feed, symbol, year);

-- Facts about the catalog itself: `adopted` once every file of a lake written before the catalog is registered.
CREATE TABLE lake_catalog_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
