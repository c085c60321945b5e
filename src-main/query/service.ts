import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Cell, QueryArg, QueryResult } from '../contract/schemas';
import { MpError } from '../shared/errors';
import { barsGlob, HIVE_TYPES, listSources, sqlString } from '../lake/layout';
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
 * Read-only SQL over the lake. Its own in-memory DuckDB, locked down after the views are made: external access only to
 * the lake folder, configuration locked, so even a SELECT cannot read other files or change settings. Each query gets
 * its own connection, so a running query can be interrupted without touching the others.
 */
export class QueryService {
  /** the sources the views were last built for: rebuilt only when the lake's partitions change */
  private viewsFor: string | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly admin: DuckDBConnection,
    private readonly barsRoot: string,
    private readonly precedence: string[],
  ) {}

  /**
   * `exportDir`: the one folder besides the lake the engine's own COPY statements may write to (workbench exports,
   * moved to their final place afterwards). User SQL can never COPY: the guard refuses it.
   */
  static async open(lakeRoot: string, barsRoot: string, precedence: string[] = DEFAULT_PRECEDENCE, opts: { exportDir?: string } = {}): Promise<QueryService> {
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: '2GB' });
    const admin = await instance.connect();
    await admin.run(`SET TimeZone = 'UTC'`);
    const dirs = [lakeRoot, ...(opts.exportDir ? [opts.exportDir] : [])].map((d) => sqlString(d + '/'));
    await admin.run(`SET allowed_directories = [${dirs.join(', ')}]`);
    await admin.run(`SET enable_external_access = false`);
    await admin.run(`SET autoinstall_known_extensions = false`);
    await admin.run(`SET autoload_known_extensions = false`);
    // workbench results are materialized here (see results.ts), apart from the views
    await admin.run(`CREATE SCHEMA ${RESULTS_SCHEMA}`);
    await admin.run(`SET lock_configuration = true`);
    const svc = new QueryService(instance, admin, barsRoot, precedence);
    await svc.refreshViews();
    return svc;
  }

  /**
   * bars_all: every bar of every source. bars: one source per (symbol, timeframe), the best by precedence, so two
   * sources of one symbol are never mixed. Until the first file exists both are empty views of the same shape.
   */
  private async refreshViews(): Promise<void> {
    const sources = listSources(this.barsRoot);
    const signature = JSON.stringify(sources);
    if (signature === this.viewsFor) return;
    if (sources.length === 0) {
      await this.admin.run(`CREATE OR REPLACE VIEW bars_all AS ${EMPTY_BARS}`);
      await this.admin.run(`CREATE OR REPLACE VIEW bars AS ${EMPTY_BARS}`);
    } else {
      await this.admin.run(
        `CREATE OR REPLACE VIEW bars_all AS SELECT ${BARS_COLUMNS.join(', ')}
         FROM read_parquet(${sqlString(barsGlob(this.barsRoot))}, hive_partitioning = true, hive_types = ${HIVE_TYPES}, union_by_name = true)`,
      );
      const preferred = preferredSources(sources, this.precedence);
      if (preferred.length === sources.length) {
        await this.admin.run(`CREATE OR REPLACE VIEW bars AS SELECT * FROM bars_all`);
      } else {
        const values = preferred.map((p) => `(${[p.symbol, p.timeframe, p.provider, p.feed].map(sqlString).join(', ')})`).join(', ');
        await this.admin.run(
          `CREATE OR REPLACE VIEW bars AS SELECT * FROM bars_all
           WHERE (symbol, timeframe, provider, feed) IN (SELECT * FROM (VALUES ${values}))`,
        );
      }
    }
    this.viewsFor = signature;
  }

  private async withStatement<T>(sql: string, timeoutMs: number | undefined, fn: (p: DuckDBPreparedStatement) => Promise<T>): Promise<T> {
    await this.refreshViews();
    const conn = await this.instance.connect();
    let timedOut = false;
    const timer = timeoutMs ? setTimeout(() => ((timedOut = true), conn.interrupt()), timeoutMs) : undefined;
    try {
      const prepared = await prepareReadOnly(conn, sql);
      return await fn(prepared);
    } catch (e) {
      if (timedOut) throw new MpError('E_TIMEOUT', `query cancelled after ${timeoutMs} ms (--timeout)`);
      if (e instanceof MpError) throw e;
      throw new MpError('E_QUERY', oneLine(e));
    } finally {
      if (timer) clearTimeout(timer);
      conn.closeSync();
    }
  }

  /** A fresh connection over up-to-date views, for the workbench (which owns and closes it). */
  async connect(): Promise<DuckDBConnection> {
    await this.refreshViews();
    return this.instance.connect();
  }

  /** For the UI: the first maxRows rows and whether there were more. */
  async run(arg: QueryArg): Promise<QueryResult> {
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
    });
  }

  /** For the CLI and exports: every row, chunk by chunk, without holding the result in memory. */
  async stream(sql: string, timeoutMs: number | undefined, sink: StreamSink): Promise<{ rowCount: number; elapsedMs: number }> {
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
    });
  }

  close(): void {
    this.admin.closeSync();
    this.instance.closeSync();
  }
}
