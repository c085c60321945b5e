import type { DuckDBConnection } from '@duckdb/node-api';
import type { Cell } from '../contract/schemas';
import type { Column, ExportFormat, Page, Sort } from '../contract/query';
import { sqlString } from '../lake/layout';
import { MpError } from '../shared/errors';
import { toCell } from './cells';
import { oneLine, vetReadOnly } from './guard';
import { RESULTS_SCHEMA, type DuckQueryService, type QueryGeneration } from './service';

/**
 * Open results of the workbench, kept engine-side so the UI can page through a million rows without ever holding
 * them. A SELECT is materialized into a table of the query DuckDB (in memory, columnar: 1M rows of two numbers take
 * about 60 MB); rows are then read by `rowid` ranges, which DuckDB answers from the right row groups without scanning
 * from the start. Sorting builds an ordered copy once instead of sorting again for every page. Only a few results are
 * kept (LRU), so memory stays bounded however many queries the user runs.
 */

/** EXPLAIN output cannot be a subquery; it is small, so it is kept as rows (capped). */
const MAX_INLINE_ROWS = 10_000;

interface Entry {
  id: string;
  /** the query engine generation the result's tables live in (held open while the entry exists) */
  gen: QueryGeneration;
  table: string | null;
  inline: Cell[][] | null;
  columns: Column[];
  rowCount: number;
  sort: Sort | null;
  /** the table rows are read from in the current sort */
  sortedTable: string | null;
  /** a sort being built, so concurrent page requests for a new order build it once */
  sorting: Promise<void> | null;
  lastUsed: number;
}

export interface OpenedResult {
  queryId: string;
  columns: Column[];
  rowCount: number;
  elapsedMs: number;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Trailing semicolons would break the subquery the statement is wrapped in. */
function bodyOf(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

export class ResultStore {
  private readonly entries = new Map<string, Entry>();
  private readonly running = new Map<string, { conn: DuckDBConnection; cancelled: boolean; retry?: NodeJS.Timeout }>();
  private seq = 0;
  private tick = 0;

  constructor(
    private readonly svc: DuckQueryService,
    private readonly maxResults = 4,
  ) {}

  /**
   * Runs one read-only statement and keeps its result under queryId (replacing an older result of that id); `signal`
   * cancels it. `files`: a snapshot's exact file list instead of the live lake (its generation lives while the result does).
   */
  async open(sql: string, queryId: string, signal?: AbortSignal, files?: string[]): Promise<OpenedResult> {
    if (this.running.has(queryId)) throw new MpError('E_CONFLICT', `query ${queryId} is already running`);
    const t0 = performance.now();
    const lease = files ? await this.svc.filesLease(files) : await this.svc.lease();
    const conn = lease.conn;
    const run: { conn: DuckDBConnection; cancelled: boolean; retry?: NodeJS.Timeout } = { conn, cancelled: false };
    this.running.set(queryId, run);
    const onAbort = () => this.cancel(queryId);
    signal?.addEventListener('abort', onAbort);
    try {
      if (signal?.aborted) onAbort();
      // The guard vets the user's text as exactly one read; only then is that same text wrapped in our CREATE.
      const vetted = await vetReadOnly(conn, sql);
      if (run.cancelled) throw new MpError('E_CANCELLED', 'query cancelled');
      await this.close(queryId);
      this.evict();
      let entry: Entry;
      if (vetted.kind === 'select') {
        const table = `${RESULTS_SCHEMA}.r${++this.seq}`;
        // the newline ends a trailing line comment before our closing parenthesis
        await conn.run(`CREATE TABLE ${table} AS SELECT * FROM (\n${bodyOf(sql)}\n)`);
        const shape = await conn.runAndReadAll(`SELECT * FROM ${table} LIMIT 0`);
        const types = shape.columnTypes();
        const columns = shape.deduplicatedColumnNames().map((name, i) => ({ name, type: String(types[i]) }));
        const count = await conn.runAndReadAll(`SELECT count(*) FROM ${table}`);
        entry = this.entry(lease.gen, queryId, table, null, columns, Number(count.getRows()[0]?.[0] ?? 0));
      } else {
        const reader = await vetted.prepared.runAndReadAll();
        const types = reader.columnTypes();
        const columns = reader.deduplicatedColumnNames().map((name, i) => ({ name, type: String(types[i]) }));
        const rows = reader.getRows().slice(0, MAX_INLINE_ROWS).map((r) => r.map(toCell));
        entry = this.entry(lease.gen, queryId, null, rows, columns, rows.length);
      }
      this.entries.set(queryId, entry);
      return { queryId, columns: entry.columns, rowCount: entry.rowCount, elapsedMs: ms(t0) };
    } catch (e) {
      if (run.cancelled) throw new MpError('E_CANCELLED', 'query cancelled');
      if (e instanceof MpError) throw e;
      throw new MpError('E_QUERY', oneLine(e));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(queryId);
      clearInterval(run.retry);
      lease.release();
    }
  }

  private entry(gen: QueryGeneration, id: string, table: string | null, inline: Cell[][] | null, columns: Column[], rowCount: number): Entry {
    gen.hold();
    return { id, gen, table, inline, columns, rowCount, sort: null, sortedTable: table, sorting: null, lastUsed: ++this.tick };
  }

  /** Drops the least recently used results until there is room for one more. */
  private evict(): void {
    while (this.entries.size >= this.maxResults) {
      const oldest = [...this.entries.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!oldest) return;
      void this.close(oldest.id);
    }
  }

  private get(queryId: string): Entry {
    const e = this.entries.get(queryId);
    if (!e) throw new MpError('E_NOT_FOUND', `no open result ${queryId} (it was closed, or replaced by newer results)`);
    e.lastUsed = ++this.tick;
    return e;
  }

  /** Interrupts the statement running under queryId. */
  cancel(queryId: string): boolean {
    const r = this.running.get(queryId);
    if (!r) return false;
    if (r.cancelled) return true;
    r.cancelled = true;
    // An interrupt reaches only a statement already executing: one sent while ours is still being handed to DuckDB's
    // thread would be lost, so keep interrupting until open() gives up.
    r.conn.interrupt();
    r.retry = setInterval(() => r.conn.interrupt(), 25);
    return true;
  }

  isOpen(queryId: string): boolean {
    return this.entries.has(queryId);
  }

  async close(queryId: string): Promise<boolean> {
    const e = this.entries.get(queryId);
    if (!e) return false;
    this.entries.delete(queryId);
    await e.sorting?.catch(() => undefined);
    const tables = [e.table, e.sortedTable].filter((t, i, all): t is string => !!t && all.indexOf(t) === i);
    try {
      if (tables.length) await this.withConn(e.gen, async (c) => {
        for (const t of tables) await c.run(`DROP TABLE IF EXISTS ${t}`);
      });
    } finally {
      e.gen.unhold();
    }
    return true;
  }

  async closeAll(): Promise<void> {
    for (const r of this.running.values()) r.conn.interrupt();
    for (const id of [...this.entries.keys()]) await this.close(id);
  }

  /** A connection on `gen` (where a result's tables live), or on the lake's current generation. */
  private async withConn<T>(gen: QueryGeneration | null, fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const lease = gen ? await gen.lease() : await this.svc.lease();
    const c = lease.conn;
    try {
      return await fn(c);
    } catch (e) {
      if (e instanceof MpError) throw e;
      throw new MpError('E_QUERY', oneLine(e));
    } finally {
      lease.release();
    }
  }

  private sameSort(a: Sort | null | undefined, b: Sort | null): boolean {
    return (a ?? null) === null ? b === null : !!b && a!.column === b.column && a!.dir === b.dir;
  }

  /** Puts the result in the given order (null: the query's own), building the ordered copy once. */
  async ensureSort(queryId: string, sort: Sort | null): Promise<void> {
    const e = this.get(queryId);
    while (e.sorting) await e.sorting.catch(() => undefined);
    if (this.sameSort(sort, e.sort)) return;
    if (sort && !e.columns.some((c) => c.name === sort.column)) throw new MpError('E_BAD_INPUT', `no column "${sort.column}" in this result`);
    e.sorting = (async () => {
      const old = e.sortedTable !== e.table ? e.sortedTable : null;
      if (!sort) {
        e.sortedTable = e.table;
      } else if (e.inline) {
        const i = e.columns.findIndex((c) => c.name === sort.column);
        const sign = sort.dir === 'asc' ? 1 : -1;
        e.inline = [...e.inline].sort((a, b) => sign * compareCells(a[i] ?? null, b[i] ?? null));
      } else {
        const table = `${RESULTS_SCHEMA}.r${++this.seq}`;
        // rowid breaks ties, so equal keys keep the query's order and pages stay stable
        await this.withConn(e.gen, (c) =>
          c.run(`CREATE TABLE ${table} AS SELECT * FROM ${e.table} ORDER BY ${quoteIdent(sort.column)} ${sort.dir.toUpperCase()} NULLS LAST, rowid`),
        );
        e.sortedTable = table;
      }
      e.sort = sort;
      if (old) await this.withConn(e.gen, (c) => c.run(`DROP TABLE IF EXISTS ${old}`));
    })();
    try {
      await e.sorting;
    } finally {
      e.sorting = null;
    }
  }

  /** Rows [offset, offset + limit) in the result's current order (after applying `sort` when given). */
  async page(queryId: string, offset: number, limit: number, sort?: Sort | null): Promise<Page> {
    if (sort !== undefined) await this.ensureSort(queryId, sort);
    const e = this.get(queryId);
    if (e.inline) return { offset, rows: e.inline.slice(offset, offset + limit) };
    if (limit === 0 || offset >= e.rowCount) return { offset, rows: [] };
    const table = e.sortedTable!;
    return this.withConn(e.gen, async (c) => {
      const r = await c.runAndReadAll(`SELECT * FROM ${table} WHERE rowid >= ${offset} AND rowid < ${offset + limit} ORDER BY rowid`);
      return { offset, rows: r.getRows().map((row) => row.map(toCell)) };
    });
  }

  /** Writes the whole result, in its current order, with DuckDB's COPY (streamed by DuckDB, not through JS). */
  async exportTo(queryId: string, format: ExportFormat, file: string): Promise<{ rows: number }> {
    const e = this.get(queryId);
    while (e.sorting) await e.sorting.catch(() => undefined);
    if (!e.sortedTable) throw new MpError('E_BAD_INPUT', 'EXPLAIN output cannot be exported; run a SELECT');
    const options = format === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet, COMPRESSION zstd)';
    const table = e.sortedTable;
    await this.withConn(e.gen, (c) => c.run(`COPY (SELECT * FROM ${table} ORDER BY rowid) TO ${sqlString(file)} ${options}`));
    return { rows: e.rowCount };
  }

  /** What is held, for tests and the bench: open results, their tables, and DuckDB's memory use. */
  async stats(): Promise<{ open: number; tables: number; memoryBytes: number }> {
    return this.withConn(null, async (c) => {
      const t = await c.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE schema_name = '${RESULTS_SCHEMA}'`);
      const m = await c.runAndReadAll(`SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()`);
      return { open: this.entries.size, tables: Number(t.getRows()[0]?.[0] ?? 0), memoryBytes: Number(m.getRows()[0]?.[0] ?? 0) };
    });
  }
}

function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}
