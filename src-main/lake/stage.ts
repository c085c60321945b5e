import fs from 'node:fs';
import path from 'node:path';
import { DOUBLE, DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { threadExitPoint } from '../pipeline/crashpoint';
import { MpError } from '../shared/errors';
import { BAR_COLUMNS, type BarBatch } from './batch';
import { instantSql, partitionDir, sqlString, tempFileName, type PartitionKey } from './layout';
import { typedCopySql, typedPartitionedCopySql } from './publish';
import { SESSION_CODE_SQL, sessionCodes } from './session';

// Steps 1 and 2 of the group commit (group.ts): the group's batches staged in one DuckDB table, then written as one
// temp Parquet file per partition.
//
// Batches of at most one vector (2,048 rows: a session of 1m bars is 390 to 960) are written by ONE
// `COPY ... PARTITION_BY`, which costs a fraction of a COPY per file. PARTITION_BY does not promise to keep the
// order of a partition's rows when they come from several input vectors (measured: two vectors' rows interleave),
// so each such batch is staged inside one vector (the rest of a vector it would straddle is padding, `_p` -1, which
// the COPY leaves out), and the files are checked after the COPY in one query: a file not in ts order, or not holding
// exactly its batch's rows, is written again by a COPY of its own. Larger batches get a COPY of their own from the
// start, on the writer's connections at once.

const VECTOR = 2048; // DuckDB's standard vector size: a data chunk, and a table scan's unit
/** chunks appended (and flushed) between two turns of the event loop (8 chunks: 16,384 rows, about 10 ms here) */
export const CHUNKS_PER_TURN = 8;
/** Lets the event loop run what waits (timers, sockets) before going on. */
export const loopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const STAGE_COLUMNS = [...BAR_COLUMNS, '_s', '_p'] as const;

/** One partition's rows to stage: a batch in ts order with no timestamp twice (the stage worker's concatenated pages). */
export interface StageRequest {
  key: PartitionKey;
  batch: BarBatch;
}

/** a vector's worth of one column, for rows that lie in shared memory */
const scratch = new Float64Array(VECTOR);

/**
 * Copies rows [from, from + n) (n at most a vector) of `col` into `vector` from its row `at`. DuckDB's binding reads
 * plain ArrayBuffers only: rows in a SharedArrayBuffer (the ingest runner's units) go through a scratch vector.
 */
export function copyToVector(vector: bindings.Vector, at: number, col: Float64Array, from: number, n: number): void {
  if (col.buffer instanceof SharedArrayBuffer) {
    scratch.set(col.subarray(from, from + n));
    bindings.copy_data_to_vector(vector, at * 8, scratch.buffer, 0, n * 8);
  } else bindings.copy_data_to_vector(vector, at * 8, col.buffer as ArrayBuffer, col.byteOffset + from * 8, n * 8);
}
const SESSION_COL = BAR_COLUMNS.length;
const PART_COL = BAR_COLUMNS.length + 1;

/** The stored columns of the staged rows of partition(s) `where` (the staged rows of a batch are in ts order). */
const lakeRows = (where: string, extra = '') => `SELECT ${instantSql('ts')} AS ts, open, high, low, close, volume,
    CASE WHEN isnan(tradeCount) THEN NULL ELSE tradeCount::BIGINT END AS trade_count,
    CASE WHEN isnan(vwap) THEN NULL ELSE vwap END AS vwap, ${SESSION_CODE_SQL('_s')} AS session${extra}
  FROM gstage WHERE ${where}`;

/**
 * Stages `reqs` into the table `gstage` of `conn`'s database (a table of the database, not of the connection: every
 * lane reads it): the bars, each bar's session code and its batch's index `_p`. The first `small` batches are
 * placed so that none straddles a vector.
 */
async function stage(conn: DuckDBConnection, reqs: StageRequest[], small: number): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE gstage (${STAGE_COLUMNS.map((c) => `${c} DOUBLE`).join(', ')})`);
  const appender = await conn.createAppender('gstage');
  try {
    const chunk = DuckDBDataChunk.create(STAGE_COLUMNS.map(() => DOUBLE), VECTOR);
    const vectors = STAGE_COLUMNS.map((_, i) => bindings.data_chunk_get_vector(chunk.chunk, i));
    const padding = new Float64Array(VECTOR).fill(-1);
    let fill = 0;
    const copy = (v: number, col: Float64Array, from: number, n: number) => copyToVector(vectors[v]!, fill, col, from, n);
    let chunks = 0;
    const flush = async () => {
      chunk.rowCount = fill;
      appender.appendDataChunk(chunk);
      fill = 0;
      // appending is synchronous native work (DuckDB's appender has no async form), and so is its flush of what it
      // buffered: flush and give the event loop a turn every CHUNKS_PER_TURN chunks, so a group of a million rows
      // holds it for a slice at a time, never for the whole staging
      if (++chunks % CHUNKS_PER_TURN === 0) {
        appender.flushSync();
        await loopTurn();
      }
    };
    const pad = async () => {
      // the rest of the vector: rows of no partition (their other columns keep whatever the chunk held)
      copy(PART_COL, padding, 0, VECTOR - fill);
      fill = VECTOR;
      await flush();
    };
    for (let p = 0; p < reqs.length; p++) {
      const { batch, key } = reqs[p]!;
      if (p < small && fill + batch.length > VECTOR) await pad();
      const session = new Float64Array(batch.length);
      sessionCodes(batch.ts, batch.length, key.timeframe, key.year, session, 0);
      const part = new Float64Array(Math.min(batch.length, VECTOR)).fill(p);
      for (let off = 0; off < batch.length; ) {
        const n = Math.min(VECTOR - fill, batch.length - off);
        BAR_COLUMNS.forEach((c, v) => copy(v, batch[c], off, n));
        copy(SESSION_COL, session, off, n);
        copy(PART_COL, part, 0, n);
        fill += n;
        off += n;
        if (fill === VECTOR) await flush();
      }
    }
    if (fill > 0) await flush();
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** The temp files of a group: one per request, in its order, and the folder of the partitioned COPY (to remove). */
export interface StagedFiles {
  tmps: string[];
  /** the folder the partitioned COPY wrote into (inside the bars root), or null */
  dir: string | null;
  /** each temp file's size and SHA-256, when the stager computed them (the stage worker: off the engine's loop) */
  sums?: Array<{ bytes: number; sha256: string }>;
}

/** The temp names a group's staging writes: a file name per request (in its partition's folder) and the partitioned
 * COPY's base name. Chosen by the caller, so that the caller can remove them whatever happened to the stager. */
export interface StageNames {
  files: string[];
  group: string;
}

export function stageNames(n: number): StageNames {
  return { files: Array.from({ length: n }, () => tempFileName()), group: tempFileName().replace(/\.parquet\.tmp$/, '') };
}

/** Every path staging with `names` may leave (files, and the partitioned COPY's folder): removed after a failure. */
export function stagedPaths(barsRoot: string, reqs: Array<{ key: PartitionKey }>, names: StageNames): { files: string[]; dir: string } {
  return { files: reqs.map((r, i) => path.join(partitionDir(barsRoot, r.key), names.files[i]!)), dir: path.join(barsRoot, names.group.replace(/^\.data\./, '.group.')) };
}

/**
 * Writes each request's rows (sorted, distinct ts, no live file reaching into them) to a temp file. The requests'
 * order is kept in the result; on failure every temp file written is removed. The staged table is dropped.
 */
export async function writeGroupFiles(barsRoot: string, lanes: DuckDBConnection[], reqs: StageRequest[], names: StageNames = stageNames(reqs.length)): Promise<StagedFiles> {
  const conn = lanes[0]!;
  // small batches first (one partitioned COPY), then the others
  const order = reqs.map((_, i) => i).sort((a, b) => Number(reqs[a]!.batch.length > VECTOR) - Number(reqs[b]!.batch.length > VECTOR));
  const staged = order.map((i) => reqs[i]!);
  const small = staged.filter((r) => r.batch.length <= VECTOR).length;
  const tmps = new Array<string>(staged.length);
  const own = (p: number) => path.join(partitionDir(barsRoot, staged[p]!.key), names.files[order[p]!]!);
  const at = new Array<number>(reqs.length);
  order.forEach((i, p) => (at[i] = p));
  const out = (): StagedFiles => ({ tmps: reqs.map((_, i) => tmps[at[i]!]!), dir });
  let dir: string | null = null;
  try {
    await stage(conn, staged, small);
    threadExitPoint('write.group.staged');
    const alone: number[] = staged.map((_, p) => p).filter((p) => p >= small);
    if (small > 1) {
      const name = names.group;
      dir = path.join(barsRoot, name.replace(/^\.data\./, '.group.'));
      await conn.run(typedPartitionedCopySql(lakeRows(`_p >= 0 AND _p < ${small}`, ', _p::INTEGER AS _p'), dir, name));
      for (let p = 0; p < small; p++) {
        const sub = path.join(dir, `_p=${p}`);
        const files = fs.readdirSync(sub);
        if (files.length !== 1) throw new MpError('E_INTERNAL', `the partitioned COPY wrote ${files.length} files for one partition`);
        tmps[p] = path.join(sub, files[0]!);
      }
      for (const p of await misfits(conn, tmps.slice(0, small), staged)) {
        fs.rmSync(tmps[p]!, { force: true });
        alone.push(p);
      }
    } else if (small === 1) alone.unshift(0);
    let next = 0;
    await Promise.all(
      lanes.map(async (lane) => {
        while (next < alone.length) {
          const p = alone[next++]!;
          tmps[p] = own(p);
          const n = Number((await lane.runAndReadAll(typedCopySql(lakeRows(`_p = ${p}`), tmps[p]))).getRows()[0]?.[0] ?? -1);
          if (n !== staged[p]!.batch.length) throw new MpError('E_INTERNAL', `a COPY of ${staged[p]!.batch.length} staged rows wrote ${n}`);
        }
      }),
    );
    return out();
  } catch (e) {
    for (const t of tmps) if (t) fs.rmSync(t, { force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS gstage`);
  }
}

/** The indexes of the files that are not in strict ts order or do not hold exactly their batch's rows: one query. */
export async function misfits(conn: DuckDBConnection, files: string[], reqs: StageRequest[]): Promise<number[]> {
  const r = await conn.runAndReadAll(`SELECT filename, count(*)::DOUBLE AS n, count(*) FILTER (WHERE prev >= ts)::DOUBLE AS disorder
    FROM (SELECT filename, ts, lag(ts) OVER (PARTITION BY filename ORDER BY file_row_number) AS prev
          FROM read_parquet([${files.map(sqlString).join(', ')}], filename = true, file_row_number = true, hive_partitioning = false))
    GROUP BY filename`);
  const seen = new Map(r.getRows().map(([f, n, d]) => [String(f), { n: Number(n), disorder: Number(d) }]));
  const out: number[] = [];
  files.forEach((f, p) => {
    const s = seen.get(f);
    if (!s || s.n !== reqs[p]!.batch.length || s.disorder > 0) out.push(p);
  });
  return out;
}
