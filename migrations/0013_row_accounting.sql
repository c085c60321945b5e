-- Every row a job received is accounted for (issue "Hold under hostile load", item 5).
-- jobs.accounting: JSON { received, stored, duplicates, outsideSessions, alreadyInLake, future, refused,
-- duplicatesUnrecorded } as the fetch left it (NULL for jobs recorded before this migration).
ALTER TABLE jobs ADD COLUMN accounting TEXT;

-- The repeated timestamps a delivery held: the copy kept (stored in the lake) and the copy dropped, so that validation
-- can report them as duplicate_bar findings after the lake can no longer show them. Bounded per job (the rest are
-- counted in jobs.accounting.duplicatesUnrecorded). A later job that writes the same range replaces them.
CREATE TABLE job_duplicates (
  job_id    TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  provider  TEXT NOT NULL,
  feed      TEXT NOT NULL,
  timeframe TEXT NOT NULL,
  symbol    TEXT NOT NULL,
  ts        INTEGER NOT NULL,        -- epoch ms
  copy      INTEGER NOT NULL,        -- 1 for the first dropped copy of this ts, 2 for the next, …
  kept      TEXT NOT NULL,           -- JSON: open, high, low, close, volume, trade_count, vwap of the stored copy
  dropped   TEXT NOT NULL,           -- JSON: the same of the dropped copy
  conflict  INTEGER NOT NULL CHECK (conflict IN (0, 1)), -- 1 when the two copies differ in any value
  PRIMARY KEY (job_id, provider, feed, timeframe, symbol, ts, copy)
) STRICT;
CREATE INDEX job_duplicates_series ON job_duplicates (provider, feed, timeframe, symbol, ts);
