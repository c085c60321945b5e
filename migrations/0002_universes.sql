-- Universes: named, versioned symbol lists. Membership is history: removing a symbol closes its row (removed_at)
-- rather than deleting it, so "what was in the universe on date D" stays answerable.
CREATE TABLE universes (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  exchange    TEXT,
  asset_class TEXT,
  tags        TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  version     INTEGER NOT NULL DEFAULT 1,   -- bumped by every change of membership or metadata
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE universe_members (
  universe_id INTEGER NOT NULL REFERENCES universes (id) ON DELETE CASCADE,
  symbol      TEXT NOT NULL,
  added_at    TEXT NOT NULL,
  removed_at  TEXT,
  PRIMARY KEY (universe_id, symbol, added_at)
) STRICT;
-- at most one open membership per symbol
CREATE UNIQUE INDEX universe_members_open ON universe_members (universe_id, symbol) WHERE removed_at IS NULL;
