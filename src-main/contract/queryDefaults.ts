// The query domain's defaults, apart from its schemas: `marketpipe query` reads them without loading zod's schemas of
// the whole contract (a large part of that command's start).

/** A query's timeout unless the user sets another (Settings page, CLI `--timeout`). */
export const DEFAULT_QUERY_TIMEOUT_S = 300;
