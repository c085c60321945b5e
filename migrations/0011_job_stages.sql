-- Jobs are atomic across their stages: a job is 'succeeded' only once its bars (fetch), its audit report (validate)
-- and its coarser timeframes (aggregate) are all committed. `stage` is the stage that remains: a process killed at
-- any point leaves a job whose row says where to go on ('done' once nothing remains).
ALTER TABLE jobs ADD COLUMN stage TEXT NOT NULL DEFAULT 'done' CHECK (stage IN ('fetch', 'validate', 'aggregate', 'done'));
-- jobs recorded before stages existed: an unfinished one still has its fetch to do
UPDATE jobs SET stage = 'fetch' WHERE status <> 'succeeded';

-- The writer lease: one process at a time writes a data dir's lake (ingest, its stages, a resume, start-up recovery).
-- One row while held; a holder whose process is gone is taken over.
CREATE TABLE writer_lease (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  pid         INTEGER NOT NULL,
  hostname    TEXT NOT NULL,
  acquired_at TEXT NOT NULL
) STRICT;
