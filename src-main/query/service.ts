import path from 'node:path';
import fs from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Cell, QueryArg, QueryResult } from '../contract/schemas';
import { MpError } from '../shared/errors';
import { pidAlive } from '../shared/process';
import { HIVE_TYPES, listBarFiles, sqlString, type SourceKey } from '../lake/layout';
import { keyOfPath } from '../lake/catalog';
import { DEFAULT_PRECEDENCE, preferredSources } from './sources';
import { oneLine, prepareReadOnly } from './guard';
import { toCell } from './cells';

export const BARS_COLUMNS = ['symbol', 'timeframe', 'ts', 'open', 'high', 'low', 'close', 'volume', 'trade_count', 'vwap', 'session', 'provider', 'feed'] as const;

const EMPTY_BARS = `SELECT NULL::VARCHAR AS symbol, NULL::VARCHAR AS timeframe, NULL::TIMESTAMPTZ AS ts, NULL::DOUBLE AS open,
  NULL::DOUBLE AS high, NULL::DOUBLE AS low, NULL::DOUBLE AS close, NULL::DOUBLE AS volume, NULL::BIGINT AS trade_count,
  NULL::DOUBLE AS vwap, NULL::VARCHAR AS session, NULL::VARCHAR AS provider, NULL::VARCHAR AS feed WHERE false`;

export const RESULTS_SCHEMA = 'mp_results';

export interface StreamSink {
  columns(cols: { name: string; type: string }[]): void;
  rows(rows: Cell[][]): void | Promise<void>;
}

/**
 * One locked-down DuckDB over one set of lake files. It may touch exactly those files, by path (DuckDB's
 * `allowed_paths`: a file path permits reading it, and a write to it would go through a temp file beside it, which is
 * refused; no folder of the lake is allowed, so nothing can be created, partitioned into or overwritten there), plus
 * the export folder; its configuration is locked, so not even a statement the guard wrongly admitted could widen that.
 * The file set is fixed once locked: when the lake's files change a new generation is built, and an old one lives on
 * only while connections or workbench results still hold it.
 */
export class QueryGeneration {
  private holds = 0;
  private retired = false;
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly signature: string,
  ) {}

  /** `started`: an instance createInstance(opts) is already making (the first generation of withInstance). */
  static async create(files: string[], barsRoot: string, precedence: string[], opts: QueryServiceOptions, signature: string, oneSchema = false, started?: Promise<DuckDBInstance>): Promise<QueryGeneration> {
    const exportDir = opts.exportDir;
    const instance = await (started ?? createInstance(opts));
    const admin = await instance.connect();
    try {
      // One batch, one round trip to DuckDB's thread. The views are bound (their first file's footer read) before
      // external access is shut, so their binding skips the per-file access checks; nothing but this batch runs before
      // the configuration is locked, and user SQL only after it.
      await admin.run(
        [
          `SET TimeZone = 'UTC'`,
          `SET allowed_paths = [${files.map(sqlString).join(', ')}]`,
          ...(exportDir ? [`SET allowed_directories = [${sqlString(exportDir + '/')}]`] : []),
          `SET autoinstall_known_extensions = false`,
          `SET autoload_known_extensions = false`,
          // workbench results are materialized here (see results.ts), apart from the views
          `CREATE SCHEMA ${RESULTS_SCHEMA}`,
          ...viewStatements(files, barsRoot, precedence, oneSchema),
          `SET enable_external_access = false`,
          `SET lock_configuration = true`,
        ].join(';\n'),
      );
    } catch (e) {
      admin.closeSync();
      instance.closeSync();
      throw e;
    } finally {
      admin.closeSync();
    }
    return new QueryGeneration(instance, signature);
  }

  /** A connection that keeps this generation open until closed with release(). */
  async lease(): Promise<QueryLease> {
    this.hold();
    try {
      const conn = await this.instance.connect();
      let done = false;
      return {
        conn,
        gen: this,
        release: () => {
          if (done) return;
          done = true;
          conn.closeSync();
          this.unhold();
        },
      };
    } catch (e) {
      this.unhold();
      throw e;
    }
  }

  hold(): void {
    if (this.closed) throw new MpError('E_INTERNAL', 'query engine closed');
    this.holds++;
  }

  unhold(): void {
    this.holds--;
    this.maybeClose();
  }

  retire(): void {
    this.retired = true;
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.retired && this.holds <= 0 && !this.closed) {
      this.closed = true;
      this.instance.closeSync();
    }
  }
}

/**
 * A new in-memory DuckDB with the options' memory limit and spill folder, not locked down yet (QueryGeneration.create
 * does that before any user SQL). Spill files go to a folder of the data dir that no user SQL may name (it is in no
 * allowed path), capped in size; without one DuckDB would spill into `.tmp` under whatever folder the process was
 * started from.
 */
export function createInstance(opts: QueryServiceOptions): Promise<DuckDBInstance> {
  return DuckDBInstance.create(':memory:', {
    memory_limit: opts.memoryLimit ?? '2GB',
    ...(opts.spillDir ? { temp_directory: opts.spillDir, max_temp_directory_size: opts.maxSpill ?? '4GB' } : {}),
  });
}

/**
 * This process's spill folder under `root` (`<pid>`), after sweeping the folders of processes no longer alive (a
 * killed query leaves its spill files behind; several processes may share a data dir).
 */
export function prepareSpillDir(root: string): string {
  fs.mkdirSync(root, { recursive: true });
  for (const name of fs.readdirSync(root)) {
    const pid = /^\d+$/.test(name) ? Number(name) : NaN;
    if (Number.isNaN(pid) || !pidAlive(pid)) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
  const own = path.join(root, String(process.pid));
  fs.rmSync(own, { recursive: true, force: true });
  fs.mkdirSync(own, { recursive: true });
  return own;
}

export interface QueryServiceOptions {
  /** the one folder besides the lake files the engine's own COPY statements may write to (workbench exports) */
  exportDir?: string;
  /**
   * where DuckDB spills (this process's subfolder, swept when the service opens) instead of `.tmp` under the working
   * directory. DuckDB lets queries read its own temp folder; the guard (guard.ts) admits no file-reading function and
   * no file named as a table, so user SQL can neither read nor write there.
   */
  spillDir?: string;
  /** DuckDB's max_temp_directory_size (default 4GB); a query that would spill more fails with DuckDB's own error */
  maxSpill?: string;
  /** DuckDB's memory_limit (default 2GB) */
  memoryLimit?: string;
  /**
   * The lake files the views read, asked before every query (a new generation is built when they changed): the
   * catalog's (a stray or foreign file in the tree is never read), all of one schema. Without it the views read every
   * data file of the tree.
   */
  files?: () => FileSet;
}

export interface QueryLease {
  conn: DuckDBConnection;
  gen: QueryGeneration;
  release(): void;
}

/**
 * bars_all: every bar of every source. bars: one source per (symbol, timeframe), the best by precedence, so two
 * sources of one symbol are never mixed. Until the first file exists both are empty views of the same shape. The views
 * name their files (no glob): the instance may read nothing else.
 */
function viewStatements(files: string[], barsRoot: string, precedence: string[], oneSchema: boolean): string[] {
  if (files.length === 0) return [`CREATE OR REPLACE VIEW bars_all AS ${EMPTY_BARS}`, `CREATE OR REPLACE VIEW bars AS ${EMPTY_BARS}`];
  const barsAll = `CREATE OR REPLACE VIEW bars_all AS SELECT ${BARS_COLUMNS.join(', ')}
     FROM read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = true, hive_types = ${HIVE_TYPES}, union_by_name = ${oneSchema ? 'false' : 'true'})`;
  // Catalogued files all have one schema: no file is opened to bind the view but the first, and a query whose
  // partition filter leaves a file out never opens it (with union_by_name every file's footer is read at bind time,
  // so one damaged file failed every query).
  const seen = new Map<string, SourceKey>();
  for (const f of files) {
    const k = keyOfPath(barsRoot, f);
    if (k) seen.set(`${k.timeframe}\0${k.provider}\0${k.feed}\0${k.symbol}`, { timeframe: k.timeframe, provider: k.provider, feed: k.feed, symbol: k.symbol });
  }
  const sources = [...seen.values()];
  const preferred = preferredSources(sources, precedence);
  if (preferred.length === sources.length) return [barsAll, `CREATE OR REPLACE VIEW bars AS SELECT * FROM bars_all`];
  const values = preferred.map((p) => `(${[p.symbol, p.timeframe, p.provider, p.feed].map(sqlString).join(', ')})`).join(', ');
  return [
    barsAll,
    `CREATE OR REPLACE VIEW bars AS SELECT * FROM bars_all
       WHERE (symbol, timeframe, provider, feed) IN (SELECT * FROM (VALUES ${values}))`,
  ];
}

/** What runs a read-only statement for others (universe rules): the engine's QueryClient, or a DuckQueryService. */
export interface QueryService {
  run(arg: QueryArg): Promise<QueryResult>;
}

/** The lake files a generation reads; `oneSchema`: they are the catalog's, all of one schema. */
export interface FileSet {
  files: string[];
  oneSchema: boolean;
}

/**
 * Read-only SQL over the lake, in this process's DuckDB. The engine runs it in its query process (host.ts), never in
 * its own. Each query gets its own connection (so a running query can be interrupted without touching the others) on
 * the generation that matches the lake's files at that moment.
 */
export class DuckQueryService implements QueryService {
  private current: QueryGeneration | undefined;
  private building: Promise<QueryGeneration> | undefined;
  /** the instance the first generation takes (withInstance) */
  private started: Promise<DuckDBInstance> | undefined;

  private constructor(
    private readonly barsRoot: string,
    private readonly precedence: string[],
    private readonly opts: QueryServiceOptions,
  ) {}

  /**
   * `exportDir`: the one folder besides the lake files the engine's own COPY statements may write to (workbench
   * exports, moved to their final place afterwards). User SQL can never COPY: the guard refuses it.
   */
  static async open(_lakeRoot: string, barsRoot: string, precedence: string[] = DEFAULT_PRECEDENCE, opts: QueryServiceOptions = {}): Promise<DuckQueryService> {
    const svc = new DuckQueryService(barsRoot, precedence, opts.spillDir ? { ...opts, spillDir: prepareSpillDir(opts.spillDir) } : opts);
    await svc.generation();
    return svc;
  }

  /**
   * A service whose first generation takes `instance`, made by createInstance(opts) while the caller read the catalog
   * (`marketpipe query`: DuckDB starts on its own threads meanwhile); `opts.spillDir` is the folder prepareSpillDir made.
   */
  static async withInstance(barsRoot: string, precedence: string[], opts: QueryServiceOptions, instance: Promise<DuckDBInstance>): Promise<DuckQueryService> {
    const svc = new DuckQueryService(barsRoot, precedence, opts);
    svc.started = instance;
    await svc.generation();
    return svc;
  }

  /** The generation for the lake's files as they are now, built when they changed. */
  private async generation(): Promise<QueryGeneration> {
    const { files, oneSchema } = this.opts.files?.() ?? { files: listBarFiles(this.barsRoot), oneSchema: false };
    const signature = files.join('\n');
    if (this.current?.signature === signature) return this.current;
    if (this.building) {
      const g = await this.building;
      if (g.signature === signature) return g;
    }
    const started = this.started;
    this.started = undefined;
    this.building = QueryGeneration.create(files, this.barsRoot, this.precedence, this.opts, signature, oneSchema, started);
    try {
      const g = await this.building;
      this.current?.retire();
      this.current = g;
      return g;
    } finally {
      this.building = undefined;
    }
  }

  /** A connection over up-to-date views (release() it). */
  async lease(): Promise<QueryLease> {
    return (await this.generation()).lease();
  }

  /**
   * A connection over views of exactly `files` (a snapshot of the lake: `query --as-of`, the Query page's "as of"); the
   * generation closes once released and no workbench result holds it.
   */
  async filesLease(files: string[]): Promise<QueryLease> {
    const g = await QueryGeneration.create(files, this.barsRoot, this.precedence, this.opts, 'as-of', true);
    const lease = await g.lease();
    g.retire();
    return lease;
  }

  /**
   * Runs fn on a vetted statement. `signal` interrupts it (the engine's cancel); an interrupt sent while the statement
   * is still being handed to DuckDB's thread would be lost, so it is repeated until the statement ends.
   */
  private async withStatement<T>(sql: string, timeoutMs: number | undefined, fn: (p: DuckDBPreparedStatement) => Promise<T>, signal?: AbortSignal, files?: string[]): Promise<T> {
    const lease = files ? await this.filesLease(files) : await this.lease();
    const conn = lease.conn;
    let timedOut = false;
    let retry: NodeJS.Timeout | undefined;
    const stop = () => {
      conn.interrupt();
      retry ??= setInterval(() => conn.interrupt(), 25);
    };
    const timer = timeoutMs ? setTimeout(() => ((timedOut = true), stop()), timeoutMs) : undefined;
    signal?.addEventListener('abort', stop);
    try {
      if (signal?.aborted) throw new MpError('E_CANCELLED', 'query cancelled');
      const prepared = await prepareReadOnly(conn, sql);
      return await fn(prepared);
    } catch (e) {
      if (timedOut) throw new MpError('E_TIMEOUT', `query cancelled after ${timeoutMs} ms (its timeout)`);
      if (signal?.aborted) throw new MpError('E_CANCELLED', 'query cancelled');
      if (e instanceof MpError) throw e;
      throw new MpError('E_QUERY', oneLine(e));
    } finally {
      if (timer) clearTimeout(timer);
      clearInterval(retry);
      signal?.removeEventListener('abort', stop);
      lease.release();
    }
  }

  /** For the UI: the first maxRows rows and whether there were more. */
  async run(arg: QueryArg, signal?: AbortSignal): Promise<QueryResult> {
    const t0 = performance.now();
    return this.withStatement(arg.sql, arg.timeoutMs, async (prepared) => {
      const reader = await prepared.streamAndReadUntil(arg.maxRows + 1);
      const names = reader.deduplicatedColumnNames();
      const types = reader.columnTypes();
      const all = reader.getRows();
      const truncated = all.length > arg.maxRows || !reader.done;
      const rows = all.slice(0, arg.maxRows).map((r) => r.map(toCell));
      return {
        columns: names.map((name, i) => ({ name, type: String(types[i]) })),
        rows,
        rowCount: rows.length,
        truncated,
        elapsedMs: Math.round((performance.now() - t0) * 10) / 10,
      };
    }, signal);
  }

  /** For the CLI and exports: every row, chunk by chunk, without holding the result in memory; `files`: a snapshot's (`--as-of`). */
  async stream(sql: string, timeoutMs: number | undefined, sink: StreamSink, signal?: AbortSignal, files?: string[]): Promise<{ rowCount: number; elapsedMs: number }> {
    const t0 = performance.now();
    return this.withStatement(sql, timeoutMs, async (prepared) => {
      const result = await prepared.stream();
      const types = result.columnTypes();
      sink.columns(result.deduplicatedColumnNames().map((name, i) => ({ name, type: String(types[i]) })));
      let rowCount = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const rows = chunk.getRows().map((r) => r.map(toCell));
        rowCount += rows.length;
        await sink.rows(rows);
      }
      return { rowCount, elapsedMs: Math.round((performance.now() - t0) * 10) / 10 };
    }, signal, files);
  }

  close(): void {
    this.current?.retire();
    this.current = undefined;
  }
}
