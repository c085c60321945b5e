-- Snapshots of the lake catalog (as DuckLake's spec has them): every commit (a write, a compaction, an adoption) is a
-- snapshot, and a file row says in which snapshot it entered (begin_snapshot) and in which it was superseded
-- (end_snapshot; NULL while live). A partition may now hold several files (appends), so the one-row-per-partition
-- index goes. Superseded files leave the Hive tree at commit for <data>/lake/retained/<same relative path>
-- (retained_path, relative to that folder) and stay there until `marketpipe lake vacuum` (MP_RETAIN_DAYS).
CREATE TABLE lake_snapshots (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at     TEXT NOT NULL,
  at_ms  INTEGER NOT NULL,
  job_id TEXT,
  kind   TEXT NOT NULL,
  detail TEXT
);
-- Snapshot 1: the catalog as this migration found it (one file per partition, no history before it).
INSERT INTO lake_snapshots (id, at, at_ms, job_id, kind, detail)
  VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER), NULL, 'migrate', NULL);

ALTER TABLE lake_files ADD COLUMN begin_snapshot INTEGER NOT NULL DEFAULT 1;
ALTER TABLE lake_files ADD COLUMN end_snapshot INTEGER;
ALTER TABLE lake_files ADD COLUMN retained_path TEXT;
DROP INDEX lake_files_partition;
CREATE INDEX lake_files_live_partition ON lake_files (timeframe, provider, feed, symbol, year) WHERE end_snapshot IS NULL;
CREATE INDEX lake_files_ended ON lake_files (end_snapshot) WHERE end_snapshot IS NOT NULL;
CREATE INDEX lake_snapshots_job ON lake_snapshots (job_id);

-- Files being renamed into the tree whose commit has not happened yet: a crash leaves them there uncatalogued, and
-- the start-up sweep removes exactly these (a dead writer's debris), never another file it does not know.
CREATE TABLE lake_pending (
  path       TEXT PRIMARY KEY,
  pid        INTEGER NOT NULL,
  started_at TEXT NOT NULL
);
