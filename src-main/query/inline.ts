import fs from 'node:fs';
import { MpError } from '../shared/errors';
import { duckMemoryLimit, GRACE_MS, memoryDetail, SAMPLE_MS, stopError, type StopReason } from './limits';
import type { DuckDBInstance } from '@duckdb/node-api';
import { createInstance, DuckQueryService, prepareSpillDir, type FileSet, type QueryServiceOptions, type StreamSink } from './service';

// `marketpipe query` runs its statement in the CLI's own process: that process holds no lake writer and no write
// handle (SQLite is opened read-only, and closed before DuckDB runs anything), so it can be the read-only query process
// itself, saving a second Node start. It keeps what the query process guarantees: the same locked-down DuckDB
// (service.ts: only these files, no external access, configuration locked, spill folder of its own), the same
// statement guard, the memory ceiling (MP_QUERY_MEMORY_MB, sampled here), the timeout and Ctrl+C. Where the engine
// ends its query process, this process ends itself (`hardStop`): DuckDB cannot interrupt a string builder such as
// repeat(), and an exit that waits for DuckDB's thread would wait until the statement finishes.

/** DuckDB starting for one inline query: startInline. */
export interface InlineStart {
  opts: QueryServiceOptions & { spillDir: string };
  instance: Promise<DuckDBInstance>;
  /** for a query that will not run here after all (the engine's path, a bad --as-of): DuckDB closed, folder gone */
  discard(): void;
}

/**
 * Starts the query's DuckDB on its own threads (in its spill folder, `<spillRoot>/<pid>`, with its memory limit), so
 * it starts while this thread reads the catalog; streamInline locks it down before any statement.
 */
export function startInline(spillRoot: string, memoryMb: number): InlineStart {
  const opts = { spillDir: prepareSpillDir(spillRoot), memoryLimit: duckMemoryLimit(memoryMb), maxSpill: '4GB' };
  const instance = createInstance(opts);
  // a failure is thrown where it is awaited (streamInline), or dropped with the query (discard)
  instance.catch(() => undefined);
  return {
    opts,
    instance,
    discard: () => {
      void instance.then(
        (i) => i.closeSync(),
        () => undefined,
      );
      fs.rmSync(opts.spillDir, { recursive: true, force: true });
    },
  };
}

export interface InlineQuery {
  barsRoot: string;
  precedence: string[];
  /** `<data>/tmp/query-spill`: this process spills into its own `<pid>` folder there */
  spillRoot: string;
  /** MP_QUERY_MEMORY_MB */
  memoryMb: number;
  /** DuckDB already starting (startInline with the same spillRoot and memoryMb); else started here */
  start?: InlineStart;
  fileSet: FileSet;
  sql: string;
  /** undefined or 0: none */
  timeoutMs?: number;
  /** Ctrl+C */
  signal?: AbortSignal;
  sink: StreamSink;
  /**
   * Ends this process at once, `error` reported: called when the statement has not stopped GRACE_MS after its timeout
   * or cancel, and at once past the memory ceiling. Without one (tests in-process), the error is thrown and the
   * statement is left to finish on its own.
   */
  hardStop?: (error: MpError) => void;
  /** resident memory of this process (default: process.memoryUsage.rss) */
  rss?: () => number;
  /**
   * The process exits once this resolves (the CLI): after a statement that succeeded without spilling, DuckDB is left
   * for the exit to end instead of closed (closing joins its threads and frees its caches: 50-250 ms on a lake of 500
   * files, more than the rest of the query's start; docs/benchmarks.md). Tests in-process leave it unset.
   */
  endsProcess?: boolean;
}

/** Streams one statement's rows over the given files in this process; the query process's limits hold. */
export async function streamInline(q: InlineQuery): Promise<{ rowCount: number; elapsedMs: number }> {
  const start = q.start ?? startInline(q.spillRoot, q.memoryMb);
  let svc: DuckQueryService;
  try {
    svc = await DuckQueryService.withInstance(q.barsRoot, q.precedence, { ...start.opts, files: () => q.fileSet }, start.instance);
  } catch (e) {
    fs.rmSync(start.opts.spillDir, { recursive: true, force: true });
    throw e;
  }
  const interrupt = new AbortController();
  const memoryBytes = q.memoryMb * 1024 * 1024;
  const rss = q.rss ?? (() => process.memoryUsage.rss());
  let stopped: MpError | undefined;
  let grace: NodeJS.Timeout | undefined;
  const stop = (reason: StopReason, detail?: string) => {
    if (stopped) return;
    stopped = stopError(reason, q.timeoutMs, detail);
    interrupt.abort();
    const error = stopped;
    if (reason === 'memory') q.hardStop?.(error);
    else grace = setTimeout(() => q.hardStop?.(error), GRACE_MS);
  };
  const timer = q.timeoutMs ? setTimeout(() => stop('timeout'), q.timeoutMs) : undefined;
  const onCancel = () => stop('cancel');
  if (q.signal?.aborted) onCancel();
  q.signal?.addEventListener('abort', onCancel);
  const watch = setInterval(() => {
    const bytes = rss();
    if (bytes <= memoryBytes) return;
    stop('memory', memoryDetail(bytes, memoryBytes));
  }, SAMPLE_MS);
  const spillDir = start.opts.spillDir;
  let leaveOpen = false;
  try {
    const done = await svc.stream(q.sql, undefined, q.sink, interrupt.signal);
    leaveOpen = q.endsProcess === true && !stopped && fs.readdirSync(spillDir).length === 0;
    return done;
  } catch (e) {
    throw stopped ?? e;
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    clearInterval(watch);
    q.signal?.removeEventListener('abort', onCancel);
    if (!leaveOpen) svc.close();
    fs.rmSync(spillDir, { recursive: true, force: true });
  }
}
