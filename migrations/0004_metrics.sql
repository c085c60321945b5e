-- Metrics history: samples of this machine's MarketPipe metrics, recorded by every process (CLI runs, serve, the
-- desktop app), so `marketpipe metrics` can list, plot and serve what short-lived CLI processes counted.
-- Pruned by the writer to the retention window (14 days by default).
CREATE TABLE metrics_samples (
  ts     INTEGER NOT NULL,   -- epoch milliseconds
  name   TEXT NOT NULL,      -- sample name (histograms: x_bucket, x_sum, x_count)
  labels TEXT NOT NULL,      -- canonical JSON object, keys sorted: equal label sets are equal strings
  value  REAL NOT NULL,
  pid    INTEGER NOT NULL,
  proc   TEXT NOT NULL       -- process identity "pid@start-ms": pids are reused, a total belongs to one process
) STRICT;
CREATE INDEX metrics_samples_name_ts ON metrics_samples (name, ts);
CREATE INDEX metrics_samples_ts ON metrics_samples (ts);

-- The latest value of every (process, sample, labels): what the history collector sums, without scanning history.
CREATE TABLE metrics_latest (
  proc   TEXT NOT NULL,
  name   TEXT NOT NULL,
  labels TEXT NOT NULL,
  pid    INTEGER NOT NULL,
  ts     INTEGER NOT NULL,
  value  REAL NOT NULL,
  PRIMARY KEY (proc, name, labels)
) STRICT, WITHOUT ROWID;
CREATE INDEX metrics_latest_ts ON metrics_latest (ts);
