-- Settings: small JSON documents by key (the update schedule, …). Never secrets: those live in the host's
-- secret store (Electron safeStorage) or in the environment.
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,              -- JSON
  updated_at TEXT NOT NULL
) STRICT;
