import fs from 'node:fs';
import path from 'node:path';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { MpError } from '../shared/errors';
import { BAR_COLUMNS, isStrictlyAscending, type BarBatch } from './batch';
import { sweepTempFiles } from './fsync';
import { withSessionSql } from './session';
import { instantSql, newPartFileName, partitionDir, partitionFilesOnDisk, sqlString, tempFileName, type PartitionKey } from './layout';
import type { DerivedTable, QueryWriteRequest, RelationWriteRequest, RelationWriteResult, WriteRequest, WriteResult } from './requests';
import { commitFile, overlapping, partFiles, type CommitContext, type PartFile } from './commit';
import { COMPACT_THRESHOLD, compactPartition, type CompactResult } from './compact';
import { typedCopySql, type LakeWriterOptions } from './publish';
import type { PublishedFile } from './catalog';
import { BYTES_PER_BAR_ESTIMATE, ensureFreeSpace, statfsProbe, type FreeSpaceProbe } from './space';
import { runWrites, type GroupHost, type Queued } from './group';
import { CHUNKS_PER_TURN, copyToVector, loopTurn, writeGroupFiles } from './stage';
import { StageWorkers } from './stageWorkers';
import { releaseDuckMemory, WRITER_MEMORY } from './memory';
import { asBatch, tsRange } from './pages';

/** Whether every one of these Parquet files has a `session` column (files of builds before it do not). */
async function allHaveSessionColumn(conn: DuckDBConnection, files: string[]): Promise<boolean> {
  if (files.length === 0) return true;
  const r = await conn.runAndReadAll(`SELECT count(DISTINCT file_name) FROM parquet_schema(${fileList(files)}) WHERE name = 'session'`);
  return Number(r.getRows()[0]?.[0] ?? 0) === new Set(files).size;
}

const fileList = (files: string[]) => `[${files.map(sqlString).join(', ')}]`;
/** The rows of `files` outside [from, to): what a write keeps of the files it rewrites. */
const keptSql = (cols: string, files: string[], from: number, to: number) =>
  `SELECT ${cols} FROM read_parquet(${fileList(files)}) WHERE ts < epoch_ms(${Math.trunc(from)})::TIMESTAMPTZ OR ts >= epoch_ms(${Math.trunc(to)})::TIMESTAMPTZ`;
const rowsOf = (files: PartFile[]) => files.reduce((n, f) => n + f.rows, 0);
const bytesOf = (files: PartFile[]) => files.reduce((n, f) => n + f.bytes, 0);

/** Connections over which writeFromQueries() runs its many small writes at once (each COPY of a small partition is
 * single-threaded in DuckDB; with several in flight the cores and the fsyncs overlap). */
const DERIVED_LANES = 3;
type Lane = { conn: DuckDBConnection };

/**
 * The most rows (and writes) one group commit takes: bounds what the group stages in DuckDB (about 80 bytes a row) on
 * top of what its callers hold. Writes queued beyond it form the next group.
 */
const GROUP_MAX_ROWS = 1_000_000;
const GROUP_MAX_WRITES = 4_000;

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
  /** the writes queued since the last queued operation: they run together, as one group, when their turn comes */
  private open: { writes: Queued[]; rows: number } | null = null;
  /** further connections of this writer's database for writeFromQueries(), opened on first use */
  private extraLanes: Lane[] | null = null;
  /** lent connections (writeRelation) already set to UTC */
  private readonly lentReady = new WeakSet<DuckDBConnection>();

  private readonly ctx: CommitContext;
  private readonly freeSpace: FreeSpaceProbe;
  private readonly threshold: number;
  /** what runWrites() needs of this writer */
  private readonly groupHost: GroupHost;
  /** the group commit's staging thread (opts.stageWorker), or null: staged on this writer's connections */
  private readonly stager: StageWorkers | null;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly barsRoot: string,
    opts: LakeWriterOptions,
  ) {
    this.ctx = { barsRoot, ...(opts.catalog ? { catalog: opts.catalog } : {}) };
    this.freeSpace = opts.freeSpace ?? statfsProbe;
    this.threshold = opts.compactThreshold ?? COMPACT_THRESHOLD;
    this.stager = opts.stageWorker ? new StageWorkers(opts.stageWorker) : null;
    this.groupHost = {
      barsRoot,
      catalog: opts.catalog,
      freeSpace: this.freeSpace,
      stage: async (reqs) => (this.stager ? this.stager.stage(barsRoot, reqs) : writeGroupFiles(barsRoot, [this.conn, ...(await this.lanes()).map((l) => l.conn)], reqs.map((r) => ({ key: r.key, batch: asBatch(r.batch) })))),
      compactIfNeeded: (keys, jobId) => this.compactIfNeeded(keys, jobId),
      writeOne: (req) => this.writeNow(req),
    };
  }

  static async open(barsRoot: string, opts: LakeWriterOptions = {}): Promise<LakeWriter> {
    sweepTempFiles(barsRoot);
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: WRITER_MEMORY, ...(opts.tempDir ? { temp_directory: opts.tempDir } : {}) });
    const conn = await instance.connect();
    // Timestamps are UTC everywhere in the lake; the session zone only affects how DuckDB prints them.
    await conn.run(`SET TimeZone = 'UTC'`);
    return new LakeWriter(instance, conn, barsRoot, opts);
  }

  /** The partition's live files and those of them a write of [from, to) rewrites; refuses when the disk is short. */
  private async plan(conn: DuckDBConnection, key: PartitionKey, from: number | undefined, to: number | undefined, newBytes: number) {
    const files = await partFiles(this.ctx, conn, key, () => partitionFilesOnDisk(this.barsRoot, key));
    const over = from === undefined || to === undefined ? files : overlapping(files, from, to);
    ensureFreeSpace(this.freeSpace, this.barsRoot, newBytes + bytesOf(over), `a write of ${key.symbol} ${key.timeframe} ${key.year}`);
    return { files, over, kept: rowsOf(files) - rowsOf(over) };
  }

  /** Publishes a complete temp file of `key`, superseding `over`, then compacts the partition if it has grown past the threshold. */
  private commit(conn: DuckDBConnection, key: PartitionKey, tmp: string, over: PartFile[], jobId: string | undefined, extra?: string[]): Promise<PublishedFile> {
    return commitFile(this.ctx, conn, { key, tmp, removed: over.map((o) => o.file), jobId: jobId ?? null, kind: 'write', crash: 'write', ...(extra ? { uncatalogued: extra } : {}) });
  }

  /** Compacts the partitions among `keys` that hold more than the threshold's files, tiered (catalogued lakes only). */
  private async compactIfNeeded(keys: PartitionKey[], jobId: string | undefined): Promise<void> {
    const catalog = this.ctx.catalog;
    if (!catalog) return;
    for (const key of keys) {
      if (catalog.partitionFiles(key).length > this.threshold) await compactPartition({ ...this.ctx, freeSpace: this.freeSpace }, this.conn, key, { jobId: jobId ?? null, threshold: this.threshold });
    }
  }

  /** Merges each given partition's files, all of them, into one (identity-checked), queued behind the writes. */
  compact(keys: PartitionKey[], opts: { jobId?: string; afterMerge?: (tmp: string) => Promise<void> } = {}): Promise<CompactResult[]> {
    return this.enqueue(async () => {
      const out: CompactResult[] = [];
      for (const key of keys) {
        const r = await compactPartition({ ...this.ctx, freeSpace: this.freeSpace }, this.conn, key, { jobId: opts.jobId ?? null, ...(opts.afterMerge ? { afterMerge: opts.afterMerge } : {}) });
        if (r) out.push(r);
      }
      return out;
    });
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new MpError('E_INTERNAL', 'lake writer is closed'));
    // any other operation closes the open group: writes queued after it run after it
    this.open = null;
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Queues a write. Writes queued while the writer is busy are taken together when their turn comes (runWrites): the
   * appends among them are published by one group commit (group.ts), the others one by one, in the order queued.
   */
  write(req: WriteRequest): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new MpError('E_INTERNAL', 'lake writer is closed'));
    return new Promise<WriteResult>((resolve, reject) => {
      let g = this.open;
      if (!g) {
        const group = { writes: [] as Queued[], rows: 0 };
        void this.enqueue(() => {
          if (this.open === group) this.open = null;
          // runWrites settles each write itself; should it fail as a whole, no caller is left waiting (settling twice
          // is a no-op)
          return runWrites(this.groupHost, group.writes).catch((e: unknown) => group.writes.forEach((q) => q.reject(e)));
        });
        this.open = g = group;
      }
      g.writes.push({ req, resolve, reject });
      g.rows += req.batch.length;
      if (g.rows >= GROUP_MAX_ROWS || g.writes.length >= GROUP_MAX_WRITES) this.open = null;
    });
  }

  private async stage(batch: BarBatch): Promise<void> {
    await this.conn.run(`CREATE OR REPLACE TABLE stage (${STAGE_COLUMNS})`);
    const appender = await this.conn.createAppender('stage');
    try {
      const chunk = DuckDBDataChunk.create(BAR_COLUMNS.map(() => DOUBLE), VECTOR);
      const vectors = BAR_COLUMNS.map((_, i) => bindings.data_chunk_get_vector(chunk.chunk, i));
      for (let off = 0; off < batch.length; off += VECTOR) {
        const n = Math.min(VECTOR, batch.length - off);
        BAR_COLUMNS.forEach((c, i) => copyToVector(vectors[i]!, 0, batch[c], off, n));
        chunk.rowCount = n;
        appender.appendDataChunk(chunk);
        if ((off / VECTOR + 1) % CHUNKS_PER_TURN === 0) await loopTurn();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  private async writeNow(req: WriteRequest): Promise<WriteResult> {
    const { key } = req;
    // the one-by-one path (a merge, an unsorted delivery) stages the rows together on this connection
    const batch = asBatch(req.batch);
    const dir = partitionDir(this.barsRoot, key);
    const sorted = isStrictlyAscending(batch.ts, batch.length);
    const span = tsRange(batch);
    const { over, kept } = await this.plan(this.conn, key, Math.min(req.replaceFrom, span.min), Math.max(req.replaceTo, span.max + 1), batch.length * BYTES_PER_BAR_ESTIMATE);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, tempFileName());
    await this.stage(batch);
    const columns = FROM_BAR_COLUMNS;
    // Duplicates inside one delivery keep the last copy: the lake never holds two bars for one (symbol, timeframe, ts).
    const freshSql = sorted
      ? `SELECT ${columns} FROM stage`
      : `SELECT ts, open, high, low, close, volume, trade_count, vwap FROM (SELECT ${columns}, rowid AS _r FROM stage)
           QUALIFY row_number() OVER (PARTITION BY ts ORDER BY _r DESC) = 1`;
    const merge = over.length > 0;
    const files = over.map((f) => f.file);
    const body = merge ? `SELECT ${LAKE_COLUMNS} FROM (${freshSql}) UNION ALL ${keptSql(LAKE_COLUMNS, files, req.replaceFrom, req.replaceTo)}` : freshSql;
    try {
      await this.conn.run(typedCopySql(withSessionSql(body, LAKE_COLUMNS, key.timeframe, key.year, merge || !sorted), tmp));
      const written = sorted ? batch.length : Number((await this.conn.runAndReadAll(`SELECT count(DISTINCT ts) FROM stage`)).getRows()[0]?.[0] ?? 0);
      const f = await this.commit(this.conn, key, tmp, over, req.jobId);
      await this.compactIfNeeded([key], req.jobId);
      return { file: f.file, written, total: kept + f.rows };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      if (e instanceof MpError) throw e;
      throw new MpError('E_IO', `writing ${dir} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      await this.conn.run(`DROP TABLE IF EXISTS stage`);
    }
  }

  /**
   * write() for bars held in another DuckDB (see RelationWriteRequest): same output, same merge, same publish, but the
   * rows go from that database to Parquet directly. Queued behind the other writes like them.
   */
  writeRelation(req: RelationWriteRequest): Promise<RelationWriteResult> {
    return this.enqueue(() => this.writeRelationNow(req));
  }

  private async writeRelationNow(req: RelationWriteRequest): Promise<RelationWriteResult> {
    const { conn, key } = req;
    const dir = partitionDir(this.barsRoot, key);
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
      const hours = (await conn.runAndReadAll(`SELECT (epoch_ms(ts) // 3600000)::DOUBLE AS h, count(*)::DOUBLE AS n, min(epoch_ms(ts))::DOUBLE, max(epoch_ms(ts))::DOUBLE FROM (${fresh}) GROUP BY h`)).getRows();
      const rowsByHour = new Map<number, number>();
      let written = 0;
      let lo = req.replaceFrom;
      let hi = req.replaceTo;
      for (const [h, n, min, max] of hours) {
        rowsByHour.set(Number(h) * 3_600_000, Number(n));
        written += Number(n);
        lo = Math.min(lo, Number(min));
        hi = Math.max(hi, Number(max) + 1);
      }
      // as for a delivery without bars, which the runner does not write: the lake is left as it is
      if (written === 0) return { file: dir, written: 0, total: 0, rowsByHour };
      const { over, kept } = await this.plan(conn, key, lo, hi, written * BYTES_PER_BAR_ESTIMATE);
      fs.mkdirSync(dir, { recursive: true });
      const merge = over.length > 0;
      const body = merge ? `SELECT ${LAKE_COLUMNS} FROM (${fresh}) UNION ALL ${keptSql(LAKE_COLUMNS, over.map((f) => f.file), req.replaceFrom, req.replaceTo)}` : fresh;
      await conn.run(typedCopySql(withSessionSql(body, LAKE_COLUMNS, key.timeframe, key.year, merge || req.ordered !== true), tmp));
      const f = await this.commit(conn, key, tmp, over, req.jobId);
      await this.compactIfNeeded([key], req.jobId);
      return { file: f.file, written, total: kept + f.rows, rowsByHour };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      if (e instanceof MpError) throw e;
      throw new MpError('E_IO', `writing ${dir} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /**
   * Publishes the rows of a query (columns ts, open, high, low, close, volume, trade_count, vwap) as a partition, with the
   * same publish as write(). Rows of the partition inside [replaceFrom, replaceTo) are replaced, rows outside it kept
   * (files that hold none of the range are left alone); without a range every file of the partition is replaced. For derived data (aggregates) that
   * DuckDB computes from the lake: the query runs on this writer's connection, queued behind other writes.
   */
  writeFromQuery(req: QueryWriteRequest): Promise<WriteResult> {
    return this.enqueue(async () => {
      const r = await this.writeQueryNow(req);
      await this.compactIfNeeded([req.key], req.jobId);
      return r;
    });
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
    return this.enqueue(() => allHaveSessionColumn(this.conn, files));
  }

  writeFromQueries(stageSql: string, writes: QueryWriteRequest[], derived: DerivedTable[] = []): Promise<WriteResult[]> {
    return this.enqueue(async () => {
      try {
        await this.conn.run(`CREATE OR REPLACE TEMP ${derived.length ? 'VIEW' : 'TABLE'} src AS ${stageSql}`);
        // Derived tables live in the database, not the connection, so that every lane can read them.
        for (const d of derived) await this.conn.run(`CREATE OR REPLACE TABLE ${d.name} AS ${d.sql}`);
        // several at once only where no two writes share a partition (each merges with the file it replaces)
        const distinct = new Set(writes.map((w) => partitionDir(this.barsRoot, w.key))).size === writes.length;
        if (derived.length === 0 || !distinct) {
          const out: WriteResult[] = [];
          for (const w of writes) out.push(await this.writeQueryNow(w));
          await this.compactIfNeeded(writes.map((w) => w.key), writes[0]?.jobId);
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
        await this.compactIfNeeded(writes.map((w) => w.key), writes[0]?.jobId);
        return out;
      } catch (e) {
        if (e instanceof MpError) throw e;
        throw new MpError('E_IO', `staging a derived write failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      } finally {
        for (const d of derived) await this.conn.run(`DROP TABLE IF EXISTS ${d.name}`);
        await this.conn.run(derived.length ? `DROP VIEW IF EXISTS src` : `DROP TABLE IF EXISTS src`);
      }
    });
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
    const { conn, key } = { conn: lane.conn, key: req.key };
    const dir = partitionDir(this.barsRoot, key);
    const { files, over, kept } = await this.plan(conn, key, req.replaceFrom, req.replaceTo, 0);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, tempFileName());
    const ranged = req.replaceFrom !== undefined && req.replaceTo !== undefined;
    const merge = ranged && over.length > 0;
    const overFiles = over.map((f) => f.file);
    // A file written before bars carried their session cannot give its kept rows one: then all rows get theirs from
    // the calendar, as for any other write.
    const given = req.withSession === true && (!merge || (await allHaveSessionColumn(conn, overFiles)));
    const cols = given ? `${LAKE_COLUMNS}, session` : LAKE_COLUMNS;
    const body = (sql: string) => (given ? `SELECT ${cols} FROM (${sql}) ORDER BY ts` : withSessionSql(sql, LAKE_COLUMNS, key.timeframe, key.year));
    const copy = async (sql: string) => Number((await conn.runAndReadAll(typedCopySql(body(sql), tmp))).getRows()[0]?.[0] ?? 0);
    try {
      let written: number;
      let rows: number;
      if (!merge) {
        // Nothing to keep: one statement, and COPY's own row count is both numbers. Derived writes are many and
        // small, so the statements saved here are most of their cost.
        written = rows = await copy(`SELECT ${cols} FROM (${req.sql})`);
        // nothing new and nothing replaced: the partition stays as it is (an empty new partition only when asked)
        if (written === 0 && over.length === 0 && (req.skipIfEmpty || files.length > 0)) {
          fs.rmSync(tmp, { force: true });
          return { file: dir, written: 0, total: kept };
        }
      } else {
        // Staged first so the count of new rows does not run the query twice.
        await conn.run(`CREATE OR REPLACE TEMP TABLE query_stage AS SELECT ${cols} FROM (${req.sql})`);
        written = Number((await conn.runAndReadAll(`SELECT count(*) FROM query_stage`)).getRows()[0]?.[0] ?? 0);
        rows = await copy(`SELECT ${cols} FROM query_stage UNION ALL ${keptSql(cols, overFiles, req.replaceFrom!, req.replaceTo!)}`);
      }
      const file = path.join(dir, newPartFileName());
      const publish = () =>
        commitFile(this.ctx, conn, { key, tmp, file, removed: overFiles, jobId: req.jobId ?? null, kind: 'write', crash: 'write', ...(req.replacesUncatalogued ? { uncatalogued: req.replacesUncatalogued } : {}) });
      if (deferred) {
        // settled (never rejected) so that a failure waits, unobserved, until the caller collects it
        deferred.push(
          publish().then(
            () => undefined,
            (e: unknown) => {
              fs.rmSync(tmp, { force: true });
              return e instanceof MpError ? e : new MpError('E_IO', `writing ${dir} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
            },
          ),
        );
      } else await publish();
      return { file, written, total: kept + rows };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      if (e instanceof MpError) throw e;
      throw new MpError('E_IO', `writing ${dir} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      await conn.run(`DROP TABLE IF EXISTS query_stage`);
    }
  }

  /** Starts the group commit's stage thread ahead of the first group (an ingest calls it when it starts). */
  warm = (): void => this.stager?.warm();

  /** Gives memory back after a job's writes (the stage thread and its DuckDB; this DuckDB's cached blocks), queued behind them. */
  rest = (): Promise<void> => (this.closed ? Promise.resolve() : this.enqueue(async () => void (await this.stager?.release(), await releaseDuckMemory(this.conn, WRITER_MEMORY))));

  /** Runs `fn` on the writer's connection, queued behind the writes (adoption inspects and hashes files with it). */
  withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.enqueue(() => fn(this.conn));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.stager?.close();
    for (const lane of this.extraLanes ?? []) lane.conn.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
