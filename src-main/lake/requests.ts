import type { DuckDBConnection } from '@duckdb/node-api';
import type { Bars } from './pages';
import type { PartitionKey } from './layout';

// What the lake writer is asked to write (writer.ts).

export interface WriteRequest {
  key: PartitionKey;
  /**
   * The bars: one batch, or pages (PagedBatch: the ingest runner's). Pages are handed over with the write: a group
   * commit transfers their buffers to the stage worker, after which they are detached here (length 0), so a caller
   * must read what it needs of them before write(). A batch given whole is copied, and stays the caller's.
   */
  batch: Bars;
  /**
   * The fetched range [from, to) in epoch ms: rows of the partition's files inside it are replaced by the batch. Only
   * files whose rows reach into it (or into the batch's own span) are rewritten; with none, the batch is appended as
   * a new file of the partition and no existing file is read.
   */
  replaceFrom: number;
  replaceTo: number;
  /** the job whose write this is, recorded in the catalog */
  jobId?: string;
}

export interface WriteResult {
  /** the file published (the partition's folder when nothing was written) */
  file: string;
  /** rows of the batch stored (after de-duplication) */
  written: number;
  /** rows in the partition (all its files) after the write */
  total: number;
}

export interface QueryWriteRequest {
  key: PartitionKey;
  /** a SELECT yielding ts (TIMESTAMPTZ), open, high, low, close, volume (DOUBLE), trade_count (BIGINT), vwap (DOUBLE) */
  sql: string;
  /** epoch ms: rows of the partition in [replaceFrom, replaceTo) are replaced; omit both to replace every file of it */
  replaceFrom?: number;
  replaceTo?: number;
  /** when the query yields no rows and no file exists yet, write nothing (no empty partition appears) */
  skipIfEmpty?: boolean;
  /**
   * the query also yields `session` (derived bars carry their sources' sessions): stored as given, without the
   * calendar join every other write pays
   */
  withSession?: boolean;
  jobId?: string;
  /** files outside the catalog that this write replaces (adoption rewriting a file of an older build) */
  replacesUncatalogued?: string[];
}

/** A temp table writeFromQueries() builds from `src` before its writes. */
export interface DerivedTable {
  name: string;
  sql: string;
}

/**
 * A write of bars that lie in another DuckDB (a provider's parsed files): the writer runs the COPY on that connection,
 * so no row passes through JS. `sql` yields the BarBatch columns (ts epoch ms, open … vwap, DOUBLE, NaN = not
 * provided) with no timestamp twice; the rows of the existing file in [replaceFrom, replaceTo) are replaced, as write().
 * When `sql` yields no rows nothing is written (`written` 0).
 */
export interface RelationWriteRequest {
  key: PartitionKey;
  conn: DuckDBConnection;
  sql: string;
  replaceFrom: number;
  replaceTo: number;
  /** the relation yields its rows in ts order (a filtered scan of a table stored in that order): a new file needs no sort */
  ordered?: boolean;
  jobId?: string;
}

export interface RelationWriteResult extends WriteResult {
  /** rows written per UTC hour (key: epoch ms of the hour's start): enough to count them per exchange day */
  rowsByHour: Map<number, number>;
}
