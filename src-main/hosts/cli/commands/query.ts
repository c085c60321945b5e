import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_QUERY_TIMEOUT_S } from '../../../contract/queryDefaults';
import { MpError } from '../../../shared/errors';
import fs from 'node:fs';
import path from 'node:path';
import type { Column } from '../../../contract/query';
import type { Cell } from '../../../contract/schemas';
import type { CliIo } from '../context';

export function registerQuery(program: Command, io: CliIo): void {
  program
    .command('query')
    .description('run read-only SQL over the lake (view: bars)')
    .argument('[sql]', 'one SELECT statement')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--output <file>', 'write to FILE instead of stdout (atomically)')
    .option('--timeout <seconds>', 'stop the query after this many seconds (0: never)', timeoutOption, DEFAULT_QUERY_TIMEOUT_S)
    .option('--as-of <job-or-time>', 'read the lake as it stood after a job (its id) or at a time (ISO; UTC unless it has an offset), while its superseded files are retained (MP_RETAIN_DAYS)')
    .action(async (sql: string | undefined, opts: { format: 'table' | 'csv' | 'json'; output?: string; timeout: number; asOf?: string }, cmd: Command) => {
      if (sql === undefined) throw new MpError('E_BAD_INPUT', 'usage: marketpipe query "SQL", e.g. marketpipe query "SELECT symbol, count(*) FROM bars GROUP BY symbol"');
      if (!sql.trim()) throw new MpError('E_BAD_INPUT', 'SQL is empty');
      const { rowWriter, fileSink, stdoutSink } = await import('../output');
      const timeoutMs = opts.timeout > 0 ? Math.round(opts.timeout * 1000) : undefined;
      const open = () => {
        const out = opts.output ? fileSink(opts.output) : stdoutSink(io.stdout);
        return { out, w: rowWriter(opts.format, out) };
      };
      // the read-only path: this process runs the query itself (query/inline.ts), no engine
      if (await queryInline(cmd, io, sql, timeoutMs, opts.asOf, open)) return;
      const { withEngine } = await import('../context');
      await withEngine(cmd, io, async (engine) => {
        const { out, w } = open();
        try {
          await engine.streamQuery(sql, timeoutMs, { columns: (c) => w.columns(c), rows: (r) => w.rows(r) }, opts.asOf);
          await w.finish();
        } catch (e) {
          out.abort();
          throw e;
        }
      });
    });
}

interface Output {
  out: { abort(): void };
  w: { columns(c: Column[]): void; rows(r: Cell[][]): void | Promise<void>; finish(): Promise<void> };
}

/**
 * Runs the statement in this process over the catalog's files, read through a read-only SQLite handle: no engine, no
 * writer, no second process. False when the engine must prepare the lake first (readLake.ts): the caller opens it.
 */
async function queryInline(cmd: Command, io: CliIo, sql: string, timeoutMs: number | undefined, asOf: string | undefined, open: () => Output): Promise<boolean> {
  const [{ readLakeFiles, reportDamaged }, { startInline, streamInline }, { dataPaths, resolveDataDir }, { parseEnv, readEnv }, { withDotEnv }, { parsePrecedence }, { DEFAULT_MEMORY_MB }] = await Promise.all([
    import('../../../query/readLake'),
    import('../../../query/inline'),
    import('../../../settings/paths'),
    import('../../../settings/env'),
    import('../../../settings/dotenv'),
    import('../../../lake/sources'),
    import('../../../query/limits'),
  ]);
  const env = withDotEnv(io.env);
  const parsed = parseEnv(env);
  const memoryMb = readEnv(env, 'MP_QUERY_MEMORY_MB') ?? DEFAULT_MEMORY_MB;
  const paths = dataPaths(resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir, io.env));
  const spillRoot = path.join(paths.tmp, 'query-spill');
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  // the real process (not a test in-process) stops on Ctrl+C from the moment its spill folder exists, and ends itself
  // when DuckDB cannot stop (inline.ts)
  if (io.kill) process.on('SIGINT', onSignal);
  const kill = io.kill;
  try {
    // DuckDB starts on its own threads while this one reads the catalog (the start's largest waits, side by side)
    const start = fs.existsSync(paths.db) ? startInline(spillRoot, memoryMb) : undefined;
    let read: ReturnType<typeof readLakeFiles>;
    try {
      read = start ? readLakeFiles(paths.db, paths.bars, asOf) : null;
    } catch (e) {
      start?.discard();
      throw e;
    }
    if (!read || !start) {
      start?.discard();
      if (cancel.signal.aborted) throw new MpError('E_CANCELLED', 'query cancelled');
      return false;
    }
    const { out, w } = open();
    try {
      await streamInline({
        barsRoot: paths.bars,
        precedence: parsePrecedence(parsed.MP_SOURCE_PRECEDENCE),
        spillRoot,
        memoryMb,
        start,
        fileSet: read.fileSet,
        sql,
        timeoutMs,
        signal: cancel.signal,
        sink: { columns: (c) => w.columns(c), rows: (r) => w.rows(r) },
        endsProcess: kill !== undefined,
        hardStop: kill
          ? (e) => {
              out.abort();
              io.stderr.write(`marketpipe: error: ${e.message}\n`);
              kill();
            }
          : undefined,
      });
      await w.finish();
      return true;
    } catch (e) {
      out.abort();
      throw reportDamaged(e, paths.db, paths.bars) ?? e;
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** --timeout: seconds (fractions allowed), 0 for no timeout. */
function timeoutOption(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 86_400) throw new InvalidArgumentError(`--timeout must be a number of seconds between 0 (no timeout) and 86400, got "${raw}"`);
  return n;
}
