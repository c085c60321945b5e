import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_QUERY_TIMEOUT_S } from '../../../contract/query';
import { MpError } from '../../../shared/errors';
import { withEngine } from '../context';
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
      await withEngine(cmd, io, async (engine) => {
        const out = opts.output ? fileSink(opts.output) : stdoutSink(io.stdout);
        const w = rowWriter(opts.format, out);
        try {
          await engine.streamQuery(
            sql,
            opts.timeout > 0 ? Math.round(opts.timeout * 1000) : undefined,
            { columns: (c) => w.columns(c), rows: (r) => w.rows(r) },
            opts.asOf,
          );
          await w.finish();
        } catch (e) {
          out.abort();
          throw e;
        }
      });
    });
}

/** --timeout: seconds (fractions allowed), 0 for no timeout. */
function timeoutOption(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 86_400) throw new InvalidArgumentError(`--timeout must be a number of seconds between 0 (no timeout) and 86400, got "${raw}"`);
  return n;
}
