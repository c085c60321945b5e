import type { QueryArg, QueryResult } from '../contract/schemas';
import type { ExportFormat, Page, SchemaView, Sort } from '../contract/query';
import type { LakeCatalog, Snapshot } from '../lake/catalog';
import { filesAsOf } from '../lake/snapshots';
import { listBarFiles } from '../lake/layout';
import { MpError } from '../shared/errors';
import { DEFAULT_MEMORY_MB, damagedFileError, duckMemoryLimit } from './limits';
import { QueryProcess, type CallOptions, type QueryLauncher } from './process';
import type { OpenedResult } from './results';
import type { FileSet, QueryService, StreamSink } from './service';

/** The query engine's limits. */
export interface QueryLimits {
  /** MP_QUERY_MEMORY_MB: the query process's resident memory ceiling (default 2048) */
  memoryMb: number;
  /** DuckDB's max_temp_directory_size (default 4GB) */
  maxSpill?: string;
}

export { DEFAULT_MEMORY_MB, duckMemoryLimit } from './limits';

export interface QueryClientOptions {
  barsRoot: string;
  precedence: string[];
  exportDir: string;
  /** `<data>/tmp/query-spill`: each query process spills into its own `<pid>` folder there */
  spillRoot: string;
  catalog?: LakeCatalog;
  limits?: Partial<QueryLimits>;
  launcher?: QueryLauncher;
}


/**
 * Read-only SQL over the lake, run in the query process (query/process.ts): the engine's query service. Results of
 * the workbench live in that process too (`results`).
 */
export class QueryClient implements QueryService {
  readonly proc: QueryProcess;
  readonly results: RemoteResults;

  constructor(private readonly o: QueryClientOptions) {
    const memoryMb = o.limits?.memoryMb ?? DEFAULT_MEMORY_MB;
    this.proc = new QueryProcess({
      config: {
        barsRoot: o.barsRoot,
        precedence: o.precedence,
        exportDir: o.exportDir,
        spillRoot: o.spillRoot,
        memoryLimit: duckMemoryLimit(memoryMb),
        maxSpill: o.limits?.maxSpill ?? '4GB',
      },
      files: () => this.files(),
      memoryBytes: memoryMb * 1024 * 1024,
      launcher: o.launcher,
    });
    this.results = new RemoteResults(this);
  }

  /**
   * The catalog's files (a stray or foreign file in the tree is never read). Damaged files stay in the views, last:
   * DuckDB binds a view by its first file and opens the others only when a query's partition filters keep them, so
   * queries about other partitions answer and a query that needs a damaged file fails naming it.
   */
  private files(): FileSet {
    const entries = this.o.catalog?.entries();
    if (!entries) return { files: listBarFiles(this.o.barsRoot), oneSchema: false };
    return { files: [...entries.filter((e) => e.status === 'ok'), ...entries.filter((e) => e.status !== 'ok')].map((e) => e.file), oneSchema: true };
  }

  /** A call to the query process, a damaged lake file named in its error. */
  async call<O extends Parameters<QueryProcess['call']>[0]['op']>(call: Extract<Parameters<QueryProcess['call']>[0], { op: O }>, opts?: CallOptions) {
    try {
      return await this.proc.call<O>(call, opts);
    } catch (e) {
      throw this.damagedFileError(e) ?? e;
    }
  }

  /** The first maxRows rows and whether there were more. */
  run(arg: QueryArg): Promise<QueryResult> {
    return this.call({ op: 'run', sql: arg.sql, maxRows: arg.maxRows }, { timeoutMs: arg.timeoutMs });
  }

  /**
   * Every row, chunk by chunk (the CLI), one chunk in flight. `timeoutMs` undefined or 0: no timeout. `files`: read
   * exactly these lake files (a snapshot's, `query --as-of`) instead of the live lake.
   */
  stream(sql: string, timeoutMs: number | undefined, sink: StreamSink, files?: string[]): Promise<{ rowCount: number; elapsedMs: number }> {
    return this.call({ op: 'stream', sql, files }, { timeoutMs: timeoutMs || undefined, stream: sink });
  }

  schema(): Promise<SchemaView[]> {
    return this.call({ op: 'schema' });
  }

  /**
   * The snapshot `asOf` (a job id or an ISO time) names and its files, resolved as `query --as-of` does
   * (lake/snapshots.ts); E_BAD_INPUT naming the oldest retained snapshot when there is none.
   */
  asOf(asOf: string, label?: string): { snapshot: Snapshot; files: string[] } {
    return filesAsOf(this.catalog(), asOf, label);
  }

  /** The readable snapshots, newest first, and the oldest one retained. */
  snapshots(limit: number): { snapshots: Snapshot[]; oldest: Snapshot } {
    const catalog = this.catalog();
    return { snapshots: catalog.snapshots(limit), oldest: catalog.oldestSnapshot() };
  }

  private catalog(): LakeCatalog {
    if (!this.o.catalog) throw new MpError('E_INTERNAL', 'snapshots need the lake catalog');
    return this.o.catalog;
  }

  /**
   * A query that failed reading a lake file: one line naming the file and the repair command. The file is marked bad
   * in the catalog (aggregation, validation and the chart leave it out; `lake verify` names it).
   */
  private damagedFileError(e: unknown): MpError | undefined {
    return this.o.catalog ? damagedFileError(e, this.o.catalog, this.o.barsRoot) : undefined;
  }

  close(): void {
    this.proc.close();
  }
}

/** The workbench's open results, kept in the query process (see results.ts there). */
export class RemoteResults {
  constructor(private readonly c: QueryClient) {}

  /** Runs one read-only statement and keeps its result under queryId; `timeoutMs` 0 or undefined: none. */
  open(sql: string, queryId: string, timeoutMs?: number, files?: string[]): Promise<OpenedResult> {
    return this.c.call({ op: 'open', sql, queryId, files }, { queryId, timeoutMs: timeoutMs || undefined });
  }

  page(queryId: string, offset: number, limit: number, sort?: Sort | null): Promise<Page> {
    return this.c.call({ op: 'page', queryId, offset, limit, sort });
  }

  async ensureSort(queryId: string, sort: Sort | null): Promise<void> {
    await this.c.call({ op: 'sort', queryId, sort });
  }

  /** Stops the statement running under queryId: DuckDB's interrupt, then the process if that is not enough. */
  cancel(queryId: string): boolean {
    return this.c.proc.cancel(queryId);
  }

  async isOpen(queryId: string): Promise<boolean> {
    return this.c
      .call({ op: 'page', queryId, offset: 0, limit: 0 })
      .then(() => true)
      .catch(() => false);
  }

  close(queryId: string): Promise<boolean> {
    return this.c.call({ op: 'close', queryId });
  }

  exportTo(queryId: string, format: ExportFormat, file: string): Promise<{ rows: number }> {
    return this.c.call({ op: 'export', queryId, format, file });
  }

  stats(): Promise<{ open: number; tables: number; memoryBytes: number }> {
    return this.c.call({ op: 'stats' });
  }
}
