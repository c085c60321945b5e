import crypto from 'node:crypto';
import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { TYPED_COLUMNS, type LakeCatalog } from './catalog';
import type { FreeSpaceProbe } from './space';
import type { StageWorkerOptions } from './stageWorkers';
import { sqlString } from './layout';

const PARQUET_OPTIONS = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880`;

/**
 * Every COPY into the lake goes through this projection, so every file has one column order and one type per column
 * whatever computed its rows (a sum of BIGINT is HUGEINT in DuckDB, which Parquet stores as DOUBLE: an aggregate's
 * trade_count was DOUBLE while the 1m files' was INT64, and Spark or Polars refused the lake).
 */
export function typedCopySql(body: string, tmp: string): string {
  return `COPY (SELECT ${TYPED_COLUMNS} FROM (${body})) TO ${sqlString(tmp)} (${PARQUET_OPTIONS})`;
}

/**
 * typedCopySql() of many partitions in one statement: `body` also yields `_p` (INTEGER), and each value's rows go to
 * `<dir>/_p=<value>/<name>_0.parquet.tmp` (temp names, as tempFileName's: a dot, the pid, no reader's glob).
 */
export function typedPartitionedCopySql(body: string, dir: string, name: string): string {
  return `COPY (SELECT ${TYPED_COLUMNS}, _p FROM (${body})) TO ${sqlString(dir)}
    (${PARQUET_OPTIONS}, PARTITION_BY (_p), FILENAME_PATTERN ${sqlString(`${name}_{i}`)}, FILE_EXTENSION 'parquet.tmp')`;
}

/** sha256 of a file, streamed (a file is never held in memory whole). */
export async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface LakeWriterOptions {
  /** where DuckDB spills (a folder of the data dir), instead of `.tmp` under the working directory */
  tempDir?: string;
  /**
   * The catalog every publish commits to (a snapshot per commit; superseded files retained). Without one (tests of
   * other domains) a partition's files are found from its folder and superseded files are deleted.
   */
  catalog?: LakeCatalog;
  /** compaction past this many files in a partition (default COMPACT_THRESHOLD, MP_COMPACT_THRESHOLD) */
  compactThreshold?: number;
  /** free bytes under a folder (tests inject a small disk) */
  freeSpace?: FreeSpaceProbe;
  /**
   * The group commit stages and writes its files in a worker thread with a DuckDB of its own (stageWorkers.ts), so no
   * appender or COPY runs on the caller's event loop; without it, on the writer's connections.
   */
  stageWorker?: StageWorkerOptions;
}

/** Stats of a written (not yet published) file: what the catalog records of it. */
export async function fileStats(conn: DuckDBConnection, tmp: string): Promise<{ rows: number; minTs: number | null; maxTs: number | null }> {
  const r = (await conn.runAndReadAll(`SELECT count(*)::DOUBLE, epoch_ms(min(ts))::DOUBLE, epoch_ms(max(ts))::DOUBLE FROM read_parquet(${sqlString(tmp)}, hive_partitioning = false)`)).getRows()[0];
  return { rows: Number(r?.[0] ?? 0), minTs: r?.[1] == null ? null : Number(r[1]), maxTs: r?.[2] == null ? null : Number(r[2]) };
}
