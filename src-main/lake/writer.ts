import fs from 'node:fs';
import path from 'node:path';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { MpError } from '../shared/errors';
import { BAR_COLUMNS, type BarBatch } from '../providers/types';
import { isStrictlyAscending } from '../providers/batch';
import { publishAtomically, sweepTempFiles } from './fsync';
import { partitionDir, partitionFile, sqlString, tempFileName, type PartitionKey } from './layout';

export interface WriteRequest {
  key: PartitionKey;
  batch: BarBatch;
  /** The fetched range [from, to) in epoch ms: rows of the existing file inside it are replaced by the batch. */
  replaceFrom: number;
  replaceTo: number;
}

export interface WriteResult {
  file: string;
  /** rows of the batch stored (after de-duplication) */
  written: number;
  /** rows in the partition file after the write */
  total: number;
}

const VECTOR = 2048; // DuckDB's standard vector size: one data chunk holds at most this many rows
const STAGE_COLUMNS = BAR_COLUMNS.map((c) => `${c} DOUBLE`).join(', ');

/**
 * Writes partitions of the lake. One DuckDB connection, writes serialised through a queue (DuckDB parallelises each
 * COPY itself). Rows go into DuckDB by copying our Float64Arrays straight into data-chunk vectors: no per-value calls.
 */
export class LakeWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly barsRoot: string,
  ) {}

  static async open(barsRoot: string): Promise<LakeWriter> {
    sweepTempFiles(barsRoot);
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: '1GB' });
    const conn = await instance.connect();
    // Timestamps are UTC everywhere in the lake; the session zone only affects how DuckDB prints them.
    await conn.run(`SET TimeZone = 'UTC'`);
    return new LakeWriter(instance, conn, barsRoot);
  }

  write(req: WriteRequest): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new MpError('E_INTERNAL', 'lake writer is closed'));
    const run = this.queue.then(() => this.writeNow(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async stage(batch: BarBatch): Promise<void> {
    await this.conn.run(`CREATE OR REPLACE TABLE stage (${STAGE_COLUMNS})`);
    const appender = await this.conn.createAppender('stage');
    try {
      const chunk = DuckDBDataChunk.create(BAR_COLUMNS.map(() => DOUBLE), VECTOR);
      const vectors = BAR_COLUMNS.map((_, i) => bindings.data_chunk_get_vector(chunk.chunk, i));
      for (let off = 0; off < batch.length; off += VECTOR) {
        const n = Math.min(VECTOR, batch.length - off);
        BAR_COLUMNS.forEach((c, i) => {
          const col = batch[c];
          bindings.copy_data_to_vector(vectors[i]!, 0, col.buffer as ArrayBuffer, col.byteOffset + off * 8, n * 8);
        });
        chunk.rowCount = n;
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  private async writeNow(req: WriteRequest): Promise<WriteResult> {
    const dir = partitionDir(this.barsRoot, req.key);
    const file = partitionFile(this.barsRoot, req.key);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, tempFileName());
    const existing = fs.existsSync(file);
    const sorted = isStrictlyAscending(req.batch.ts, req.batch.length);
    await this.stage(req.batch);
    // NaN marks "not provided" in our columns; in the lake it is NULL.
    const columns = `epoch_ms(ts::BIGINT)::TIMESTAMPTZ AS ts, open, high, low, close, volume,
        CASE WHEN isnan(tradeCount) THEN NULL ELSE tradeCount::BIGINT END AS trade_count,
        CASE WHEN isnan(vwap) THEN NULL ELSE vwap END AS vwap`;
    // Duplicates inside one delivery keep the last copy: the lake never holds two bars for one (symbol, timeframe, ts).
    const freshSql = sorted
      ? `SELECT ${columns} FROM stage`
      : `SELECT ts, open, high, low, close, volume, trade_count, vwap FROM (SELECT ${columns}, rowid AS _r FROM stage)
           QUALIFY row_number() OVER (PARTITION BY ts ORDER BY _r DESC) = 1`;
    let body: string;
    if (existing) {
      const lo = `epoch_ms(${Math.trunc(req.replaceFrom)})::TIMESTAMPTZ`;
      const hi = `epoch_ms(${Math.trunc(req.replaceTo)})::TIMESTAMPTZ`;
      body = `SELECT * FROM (
          SELECT ts, open, high, low, close, volume, trade_count, vwap FROM (${freshSql})
          UNION ALL
          SELECT ts, open, high, low, close, volume, trade_count, vwap FROM read_parquet(${sqlString(file)})
            WHERE ts < ${lo} OR ts >= ${hi}
        ) ORDER BY ts`;
    } else {
      body = sorted ? freshSql : `SELECT * FROM (${freshSql}) ORDER BY ts`;
    }
    try {
      await this.conn.run(
        `COPY (${body}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
      );
      const written = sorted ? req.batch.length : Number((await this.conn.runAndReadAll(`SELECT count(DISTINCT ts) FROM stage`)).getRows()[0]?.[0] ?? 0);
      const total = Number((await this.conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(tmp)})`)).getRows()[0]?.[0] ?? 0);
      publishAtomically(tmp, file);
      return { file, written, total };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw new MpError('E_IO', `writing ${file} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      await this.conn.run(`DROP TABLE IF EXISTS stage`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
