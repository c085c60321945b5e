-- Dynamic universes: a universe may carry a rule (a SQL predicate over a per-symbol summary of the lake, or a full
-- SELECT returning a symbol column). Refreshing applies its result as ordinary versioned adds and removes, so the
-- membership history stays the one source of "what was in the universe when".
ALTER TABLE universes ADD COLUMN rule TEXT;
