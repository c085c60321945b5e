import type { DuckDBConnection } from '@duckdb/node-api';

// The engine's memory budget (issue 11: peak RSS under 1 GB for every workload; aimed at 800 MB). Each DuckDB
// instance has a memory_limit, and their sum with Node's own (about 150-250 MB: code, heap, the ingest's bounded write
// queue) stays under the budget in every stage of a job:
//   fetch:     the stage worker's DuckDB (STAGE_MEMORY) + the writer's (mostly idle) + Node's; a csv import instead
//              holds its parsed files in the csv provider's DuckDB (CSV_SOURCE_MEMORY), through which the writer also
//              copies them to Parquet (the stage worker is not used), closed when the fetch ends (provider.idle)
//   validate:  validation's DuckDB (VALIDATION_MEMORY, validate/judge.ts; in its worker thread) + Node's; the stage worker is ended and the
//              writer's cached blocks given back when the fetch ends (LakeWriter.rest)
//   aggregate: the writer's DuckDB (WRITER_MEMORY) + Node's; validation's DuckDB is closed by then
// A DuckDB instance keeps the blocks its work freed (its buffer pool) until its limit forces them out: an idle writer
// after a year's fetch held ~500 MB. Closing it, or lowering its limit for a moment, gives them back.

/** the lake writer's DuckDB (compaction, aggregation's writes, single writes) */
export const WRITER_MEMORY = '512MB';
/** the stage worker's DuckDB: a group (at most GROUP_MAX_ROWS rows, about 80 MB staged) and its COPY buffers */
export const STAGE_MEMORY = '256MB';
/** the csv provider's DuckDB holding a source's parsed files from prepare() to the end of its job's fetch (providers/csv/cache.ts) */
export const CSV_SOURCE_MEMORY = '512MB';
/** the limit set for a moment to push a DuckDB's cached blocks out (temp tables it holds spill to its temp folder) */
const SQUEEZE = '16MB';

/**
 * Gives back the memory a DuckDB instance keeps cached after its work, then restores its limit. Best effort: a
 * failure leaves the memory cached (never data at risk), so it resolves false instead of throwing.
 */
export async function releaseDuckMemory(conn: DuckDBConnection, limit: string): Promise<boolean> {
  let ok = true;
  try {
    await conn.run(`SET memory_limit = '${SQUEEZE}'`);
  } catch {
    ok = false;
  }
  try {
    await conn.run(`SET memory_limit = '${limit}'`);
  } catch {
    ok = false;
  }
  return ok;
}
