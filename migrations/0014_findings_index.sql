-- Findings at scale (the Validation page). A run's CSV report stays the audit record; the findings of the runs opened
-- on the page are copied here once (lazily, on first open; the few most recently opened runs are kept) so that
-- filters, sorting on any column, counts by rule and severity and paging are SQL over indexes, not a CSV scan.

-- Acknowledged findings: one finding (its bar, rule and source) or a rule for a symbol (all its findings, in every
-- run, later runs included), with the analyst's note. Hidden on the page by default; kept in exports with the note.
CREATE TABLE validation_acks (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('finding', 'rule')),
  symbol     TEXT NOT NULL,
  rule       TEXT NOT NULL,
  -- kind 'finding' only: the finding's bar and source ('' when the report had none); '' for kind 'rule'
  timeframe  TEXT NOT NULL DEFAULT '',
  ts         TEXT NOT NULL DEFAULT '',
  provider   TEXT NOT NULL DEFAULT '',
  feed       TEXT NOT NULL DEFAULT '',
  note       TEXT NOT NULL,
  created_at TEXT NOT NULL                  -- ISO 8601 UTC
) STRICT;
CREATE UNIQUE INDEX validation_acks_key ON validation_acks (symbol, rule, kind, timeframe, ts, provider, feed);

-- The runs whose findings are loaded below, with the report's size and mtime when loaded (a changed report reloads).
CREATE TABLE validation_findings_runs (
  run_id       TEXT PRIMARY KEY REFERENCES validation_runs (id) ON DELETE CASCADE,
  rows         INTEGER NOT NULL,
  report_size  INTEGER NOT NULL,
  report_mtime INTEGER NOT NULL,
  opened_at    TEXT NOT NULL
) STRICT;

CREATE TABLE validation_findings (
  run_id           TEXT NOT NULL REFERENCES validation_findings_runs (run_id) ON DELETE CASCADE,
  seq              INTEGER NOT NULL,        -- the row's place in the report: the stable tiebreak of every sort
  symbol           TEXT NOT NULL,
  timeframe        TEXT NOT NULL,
  ts               TEXT NOT NULL,           -- as the report wrote it (ISO 8601 UTC)
  ts_ms            INTEGER NOT NULL,        -- the same instant as epoch ms, for sorting
  rule             TEXT NOT NULL,
  sev              INTEGER NOT NULL CHECK (sev IN (0, 1, 2)), -- 0 error, 1 warning, 2 info: sorts by gravity
  message          TEXT NOT NULL,
  provider         TEXT,
  feed             TEXT,
  job_id           TEXT,
  calendar_version TEXT,
  value            REAL,
  observed         TEXT,
  ack_id           INTEGER,                 -- the acknowledgement that covers it (a finding's own before its rule's)
  PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
-- counts by rule and severity, with the acknowledged split, read from the index alone
CREATE INDEX validation_findings_rule ON validation_findings (run_id, rule, sev, ack_id);
CREATE INDEX validation_findings_sev ON validation_findings (run_id, sev, ack_id);
-- sorting (the primary key is appended to each entry: ties fall back to report order) and the symbol filter
CREATE INDEX validation_findings_ts ON validation_findings (run_id, ts_ms);
CREATE INDEX validation_findings_symbol ON validation_findings (run_id, symbol, rule);
