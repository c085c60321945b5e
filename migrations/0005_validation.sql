-- Validation runs: one row per run of the data-quality rules over the lake, with the audit CSV it wrote. The
-- calendar version, provider and feed are kept because a finding is only meaningful against the calendar and the
-- sources it judged (a calendar fix can turn a missing session into a holiday).
CREATE TABLE validation_runs (
  id               TEXT PRIMARY KEY,
  created_at       TEXT NOT NULL,            -- ISO 8601 UTC
  job_id           TEXT,                     -- the ingest job that triggered the run, if any
  scope            TEXT NOT NULL,            -- JSON: symbols, start, end, provider, feed, timeframe
  thresholds       TEXT NOT NULL,            -- JSON: the thresholds in force
  calendar_version TEXT NOT NULL,
  provider         TEXT,                     -- comma-separated providers judged (NULL when no bars matched)
  feed             TEXT,                     -- comma-separated feeds judged
  report_file      TEXT NOT NULL,
  series           INTEGER NOT NULL,         -- (provider, feed, timeframe, symbol) series checked
  bars_checked     INTEGER NOT NULL,
  findings_total   INTEGER NOT NULL,
  counts           TEXT NOT NULL,            -- JSON: { rule: { severity: count } }
  elapsed_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX validation_runs_created ON validation_runs (created_at DESC);
CREATE INDEX validation_runs_job ON validation_runs (job_id);

-- Findings counted by rule and severity, for charts and trends without opening the CSV.
CREATE TABLE validation_summary (
  run_id   TEXT NOT NULL REFERENCES validation_runs (id) ON DELETE CASCADE,
  rule     TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
  count    INTEGER NOT NULL,
  PRIMARY KEY (run_id, rule, severity)
) STRICT;
