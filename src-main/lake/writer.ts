import fs from 'node:fs';
import path from 'node:path';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { MpError } from '../shared/errors';
import { BAR_COLUMNS, isStrictlyAscending, type BarBatch } from './batch';
import { publishAtomically, sweepTempFiles } from './fsync';
import { withSessionSql } from './session';
import { instantSql, partitionDir, partitionFile, sqlString, tempFileName, type PartitionKey } from './layout';
import { LAKE_SCHEMA_VERSION } from './catalog';
import { fileStats, sha256File, typedCopySql, type LakeWriterOptions } from './publish';

export interface WriteRequest {
  key: PartitionKey;
  batch: BarBatch;
  /** The fetched range [from, to) in epoch ms: rows of the existing file inside it are replaced by the batch. */
  replaceFrom: number;
  replaceTo: number;
  /** the job whose write this is, recorded in the catalog */
  jobId?: string;
}

export interface WriteResult {
  file: string;
  /** rows of the batch stored (after de-duplication) */
  written: number;
  /** rows in the partition file after the write */
  total: number;
}

export interface QueryWriteRequest {
  key: PartitionKey;
  /** a SELECT yielding ts (TIMESTAMPTZ), open, high, low, close, volume (DOUBLE), trade_count (BIGINT), vwap (DOUBLE) */
  sql: string;
  /** epoch ms: rows of the existing file in [replaceFrom, replaceTo) are replaced; omit both to replace the file */
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
}

/** Whether a Parquet file has a `session` column (files of builds before it do not). */
async function hasSessionColumn(conn: DuckDBConnection, file: string): Promise<boolean> {
  const r = await conn.runAndReadAll(`SELECT count(*) FROM parquet_schema(${sqlString(file)}) WHERE name = 'session'`);
  return Number(r.getRows()[0]?.[0] ?? 0) > 0;
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

/** Connections over which writeFromQueries() runs its many small writes at once (each COPY of a small partition is
 * single-threaded in DuckDB; with several in flight the cores and the fsyncs overlap). */
const DERIVED_LANES = 3;

interface Lane {
  conn: DuckDBConnection;
}

const VECTOR = 2048; // DuckDB's standard vector size: one data chunk holds at most this many rows
/** The stored columns besides `session`, which is derived from ts on every write (see session.ts). */
const LAKE_COLUMNS = 'ts, open, high, low, close, volume, trade_count, vwap';
const STAGE_COLUMNS = BAR_COLUMNS.map((c) => `${c} DOUBLE`).join(', ');
/** BarBatch columns (DOUBLE; NaN marks "not provided") to the lake's: NaN becomes NULL. Shared by both write paths. */
const FROM_BAR_COLUMNS = `${instantSql('ts')} AS ts, open, high, low, close, volume,
        CASE WHEN isnan(tradeCount) THEN NULL ELSE tradeCount::BIGINT END AS trade_count,
        CASE WHEN isnan(vwap) THEN NULL ELSE vwap END AS vwap`;

/**
 * Writes partitions of the lake. One DuckDB connection, writes serialised through a queue (DuckDB parallelises each
 * COPY itself). Rows go into DuckDB by copying our Float64Arrays straight into data-chunk vectors: no per-value calls.
 */
export class LakeWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** further connections of this writer's database for writeFromQueries(), opened on first use */
  private extraLanes: Lane[] | null = null;
  /** lent connections (writeRelation) already set to UTC */
  private readonly lentReady = new WeakSet<DuckDBConnection>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly barsRoot: string,
    private readonly onPublish: LakeWriterOptions['onPublish'],
  ) {}

  static async open(barsRoot: string, opts: LakeWriterOptions = {}): Promise<LakeWriter> {
    sweepTempFiles(barsRoot);
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: '1GB', ...(opts.tempDir ? { temp_directory: opts.tempDir } : {}) });
    const conn = await instance.connect();
    // Timestamps are UTC everywhere in the lake; the session zone only affects how DuckDB prints them.
    await conn.run(`SET TimeZone = 'UTC'`);
    return new LakeWriter(instance, conn, barsRoot, opts.onPublish);
  }

  /**
   * fsync + rename + folder fsync (publishAtomically), then the hook: the checksum is taken of the temp file after its
   * fsync, before it becomes visible, so the catalog's checksum is of exactly the bytes published.
   */
  private async publish(conn: DuckDBConnection, tmp: string, file: string, key: PartitionKey, jobId: string | undefined): Promise<void> {
    const stats = this.onPublish ? await fileStats(conn, tmp) : undefined;
    await this.publishFile(tmp, file, key, jobId, stats);
  }

  private async publishFile(tmp: string, file: string, key: PartitionKey, jobId: string | undefined, stats: Awaited<ReturnType<typeof fileStats>> | undefined): Promise<void> {
    let sha256 = '';
    let bytes = 0;
    if (this.onPublish) {
      sha256 = await sha256File(tmp);
      bytes = fs.statSync(tmp).size;
    }
    await publishAtomically(tmp, file);
    if (this.onPublish && stats) await this.onPublish({ key, file, bytes, sha256, ...stats, schemaVersion: LAKE_SCHEMA_VERSION, jobId: jobId ?? null });
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
    const columns = FROM_BAR_COLUMNS;
    // Duplicates inside one delivery keep the last copy: the lake never holds two bars for one (symbol, timeframe, ts).
    const freshSql = sorted
      ? `SELECT ${columns} FROM stage`
      : `SELECT ts, open, high, low, close, volume, trade_count, vwap FROM (SELECT ${columns}, rowid AS _r FROM stage)
           QUALIFY row_number() OVER (PARTITION BY ts ORDER BY _r DESC) = 1`;
    let body: string;
    if (existing) {
      const lo = `epoch_ms(${Math.trunc(req.replaceFrom)})::TIMESTAMPTZ`;
      const hi = `epoch_ms(${Math.trunc(req.replaceTo)})::TIMESTAMPTZ`;
      body = `SELECT ${LAKE_COLUMNS} FROM (${freshSql})
          UNION ALL
          SELECT ${LAKE_COLUMNS} FROM read_parquet(${sqlString(file)})
            WHERE ts < ${lo} OR ts >= ${hi}`;
    } else {
      body = freshSql;
    }
    try {
      await this.conn.run(
        typedCopySql(withSessionSql(body, LAKE_COLUMNS, req.key.timeframe, req.key.year, existing || !sorted), tmp),
      );
      const written = sorted ? req.batch.length : Number((await this.conn.runAndReadAll(`SELECT count(DISTINCT ts) FROM stage`)).getRows()[0]?.[0] ?? 0);
      const total = Number((await this.conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(tmp)})`)).getRows()[0]?.[0] ?? 0);
      await this.publish(this.conn, tmp, file, req.key, req.jobId);
      return { file, written, total };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw new MpError('E_IO', `writing ${file} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      await this.conn.run(`DROP TABLE IF EXISTS stage`);
    }
  }

  /**
   * write() for bars held in another DuckDB (see RelationWriteRequest): same output, same merge, same publish, but the
   * rows go from that database to Parquet directly. Queued behind the other writes like them.
   */
  writeRelation(req: RelationWriteRequest): Promise<RelationWriteResult> {
    if (this.closed) return Promise.reject(new MpError('E_INTERNAL', 'lake writer is closed'));
    const run = this.queue.then(() => this.writeRelationNow(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeRelationNow(req: RelationWriteRequest): Promise<RelationWriteResult> {
    const { conn } = req;
    const dir = partitionDir(this.barsRoot, req.key);
    const file = partitionFile(this.barsRoot, req.key);
    const tmp = path.join(dir, tempFileName());
    try {
      // The lent connection works in UTC, as this writer's own does.
      if (!this.lentReady.has(conn)) {
        await conn.run(`SET SESSION TimeZone = 'UTC'`);
        this.lentReady.add(conn);
      }
      const fresh = `SELECT ${FROM_BAR_COLUMNS} FROM (${req.sql})`;
      // The relation is read twice (this tally, then the COPY) rather than staged: a scan of the provider's table costs
      // less than materialising it again.
      const hours = (await conn.runAndReadAll(`SELECT (epoch_ms(ts) // 3600000)::DOUBLE AS h, count(*)::DOUBLE AS n FROM (${fresh}) GROUP BY h`)).getRows();
      const rowsByHour = new Map<number, number>();
      let written = 0;
      for (const [h, n] of hours) {
        rowsByHour.set(Number(h) * 3_600_000, Number(n));
        written += Number(n);
      }
      // as for a delivery without bars, which the runner does not write: the lake is left as it is
      if (written === 0) return { file, written: 0, total: 0, rowsByHour };
      fs.mkdirSync(dir, { recursive: true });
      let body = fresh;
      const merge = fs.existsSync(file);
      if (merge) {
        const lo = `epoch_ms(${Math.trunc(req.replaceFrom)})::TIMESTAMPTZ`;
        const hi = `epoch_ms(${Math.trunc(req.replaceTo)})::TIMESTAMPTZ`;
        body = `SELECT ${LAKE_COLUMNS} FROM (${fresh}) UNION ALL SELECT ${LAKE_COLUMNS} FROM read_parquet(${sqlString(file)}) WHERE ts < ${lo} OR ts >= ${hi}`;
      }
      const copied = await conn.runAndReadAll(typedCopySql(withSessionSql(body, LAKE_COLUMNS, req.key.timeframe, req.key.year, merge || req.ordered !== true), tmp));
      const total = Number(copied.getRows()[0]?.[0] ?? 0);
      await this.publish(conn, tmp, file, req.key, req.jobId);
      return { file, written, total, rowsByHour };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      if (e instanceof MpError) throw e;
      throw new MpError('E_IO', `writing ${file} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /**
   * Publishes the rows of a query (columns ts, open, high, low, close, volume, trade_count, vwap) as a partition, with the
   * same temp name, fsync, rename and folder fsync as write(). Rows of an existing file inside [replaceFrom, replaceTo)
   * are replaced, rows outside it kept; without a range the whole file is replaced. For derived data (aggregates) that
   * DuckDB computes from the lake: the query runs on this writer's connection, queued behind other writes.
   */
  writeFromQuery(req: QueryWriteRequest): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new MpError('E_INTERNAL', 'lake writer is closed'));
    const run = this.queue.then(() => this.writeQueryNow(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Several writeFromQuery() in one queued unit, after staging `stageSql` once as the temp table `src` that their
   * queries may read: derived partitions of one source (5m, 15m, … of one 1m file) read it once instead of once each.
   * `derived` temp tables are built from `src` after it (in order) and are readable by the writes too: one statement
   * computes what many small partitions need (aggregation computes a timeframe of many symbols at once). With derived
   * tables, `src` is a view rather than a staged table: each derived statement scans the source files itself, in
   * parallel, which costs less than materialising every source row first.
   */
  /** Whether every one of these Parquet files has the `session` column (lakes of older builds lack it). */
  allHaveSession(files: string[]): Promise<boolean> {
    if (this.closed) return Promise.reject(new MpError('E_INTERNAL', 'lake writer is closed'));
    const run = this.queue.then(async () => {
      if (files.length === 0) return true;
      const list = files.map(sqlString).join(', ');
      const r = await this.conn.runAndReadAll(`SELECT count(DISTINCT file_name) FROM parquet_schema([${list}]) WHERE name = 'session'`);
      return Number(r.getRows()[0]?.[0] ?? 0) === new Set(files).size;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  writeFromQueries(stageSql: string, writes: QueryWriteRequest[], derived: DerivedTable[] = []): Promise<WriteResult[]> {
    if (this.closed) return Promise.reject(new MpError('E_INTERNAL', 'lake writer is closed'));
    const run = this.queue.then(async () => {
      try {
        await this.conn.run(`CREATE OR REPLACE TEMP ${derived.length ? 'VIEW' : 'TABLE'} src AS ${stageSql}`);
        // Derived tables live in the database, not the connection, so that every lane can read them.
        for (const d of derived) await this.conn.run(`CREATE OR REPLACE TABLE ${d.name} AS ${d.sql}`);
        // several at once only where no two writes share a partition (each merges with the file it replaces)
        const distinct = new Set(writes.map((w) => partitionFile(this.barsRoot, w.key))).size === writes.length;
        if (derived.length === 0 || !distinct) {
          const out: WriteResult[] = [];
          for (const w of writes) out.push(await this.writeQueryNow(w));
          return out;
        }
        // The writes read only the derived tables: several at once, each still published atomically on its own.
        const lanes = [{ conn: this.conn }, ...(await this.lanes())];
        const out = new Array<WriteResult>(writes.length);
        let next = 0;
        let failed: unknown;
        const publishes: Array<Promise<MpError | undefined>> = [];
        await Promise.all(
          lanes.map(async (lane) => {
            while (next < writes.length && failed === undefined) {
              const i = next++;
              try {
                out[i] = await this.writeQueryNow(writes[i]!, lane, publishes);
              } catch (e) {
                failed ??= e;
              }
            }
          }),
        );
        // every publish started has ended (each file is in place or its temp file gone) before this reports
        for (const e of await Promise.all(publishes)) failed ??= e;
        if (failed !== undefined) throw failed;
        return out;
      } catch (e) {
        if (e instanceof MpError) throw e;
        throw new MpError('E_IO', `staging a derived write failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      } finally {
        for (const d of derived) await this.conn.run(`DROP TABLE IF EXISTS ${d.name}`);
        await this.conn.run(derived.length ? `DROP VIEW IF EXISTS src` : `DROP TABLE IF EXISTS src`);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async lanes(): Promise<Lane[]> {
    if (!this.extraLanes) {
      const lanes: Lane[] = [];
      for (let i = 1; i < DERIVED_LANES; i++) {
        const conn = await this.instance.connect();
        await conn.run(`SET TimeZone = 'UTC'`);
        lanes.push({ conn });
      }
      this.extraLanes = lanes;
    }
    return this.extraLanes;
  }

  /**
   * One query write on `lane`. With `deferred`, the publish (fsync, rename, folder fsync) is started but not awaited:
   * its outcome (an error, or undefined) is pushed there, and the caller must collect every one before it reports the
   * writes done. The lane goes on to its next COPY while the disk syncs.
   */
  private async writeQueryNow(req: QueryWriteRequest, lane: Lane = { conn: this.conn }, deferred?: Array<Promise<MpError | undefined>>): Promise<WriteResult> {
    const { conn } = lane;
    const dir = partitionDir(this.barsRoot, req.key);
    const file = partitionFile(this.barsRoot, req.key);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, tempFileName());
    const merge = fs.existsSync(file) && req.replaceFrom !== undefined && req.replaceTo !== undefined;
    // A file written before bars carried their session cannot give its kept rows one: then all rows get theirs from
    // the calendar, as for any other write.
    const given = req.withSession === true && (!merge || (await hasSessionColumn(conn, file)));
    const cols = given ? `${LAKE_COLUMNS}, session` : LAKE_COLUMNS;
    const body = (sql: string) => (given ? `SELECT ${cols} FROM (${sql}) ORDER BY ts` : withSessionSql(sql, LAKE_COLUMNS, req.key.timeframe, req.key.year));
    const copy = async (sql: string) => Number((await conn.runAndReadAll(typedCopySql(body(sql), tmp))).getRows()[0]?.[0] ?? 0);
    try {
      let written: number;
      let total: number;
      if (!merge) {
        // Nothing to keep: one statement, and COPY's own row count is both numbers. Derived writes are many and
        // small, so the statements saved here are most of their cost.
        written = total = await copy(`SELECT ${cols} FROM (${req.sql})`);
        if (written === 0 && req.skipIfEmpty && !fs.existsSync(file)) {
          fs.rmSync(tmp, { force: true });
          return { file, written: 0, total: 0 };
        }
      } else {
        const lo = `epoch_ms(${Math.trunc(req.replaceFrom!)})::TIMESTAMPTZ`;
        const hi = `epoch_ms(${Math.trunc(req.replaceTo!)})::TIMESTAMPTZ`;
        // Staged first so the count of new rows does not run the query twice.
        await conn.run(`CREATE OR REPLACE TEMP TABLE query_stage AS SELECT ${cols} FROM (${req.sql})`);
        written = Number((await conn.runAndReadAll(`SELECT count(*) FROM query_stage`)).getRows()[0]?.[0] ?? 0);
        total = await copy(`SELECT ${cols} FROM query_stage UNION ALL
          SELECT ${cols} FROM read_parquet(${sqlString(file)}) WHERE ts < ${lo} OR ts >= ${hi}`);
      }
      // the stats are read on this lane before the publish is started (the lane then goes on to its next COPY)
      const stats = this.onPublish ? await fileStats(conn, tmp) : undefined;
      if (deferred) {
        // settled (never rejected) so that a failure waits, unobserved, until the caller collects it
        deferred.push(
          this.publishFile(tmp, file, req.key, req.jobId, stats).then(
            () => undefined,
            (e: unknown) => {
              fs.rmSync(tmp, { force: true });
              return new MpError('E_IO', `writing ${file} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
            },
          ),
        );
      } else await this.publishFile(tmp, file, req.key, req.jobId, stats);
      return { file, written, total };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw new MpError('E_IO', `writing ${file} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      await conn.run(`DROP TABLE IF EXISTS query_stage`);
    }
  }

  /** Runs `fn` on the writer's connection, queued behind the writes (adoption inspects and hashes files with it). */
  withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new MpError('E_INTERNAL', 'lake writer is closed'));
    const run = this.queue.then(() => fn(this.conn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    for (const lane of this.extraLanes ?? []) lane.conn.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
