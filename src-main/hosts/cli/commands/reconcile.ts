import { Command, InvalidArgumentError } from 'commander';
import { formatZodError } from '../../../contract/dispatcher';
import { ReconcileArgSchema, DEFAULT_PRICE_TOLERANCE, DEFAULT_VOLUME_TOLERANCE } from '../../../contract/validation';
import { MpError } from '../../../shared/errors';
import { splitSymbols } from '../options';
import { print, withEngine } from '../context';
import type { CliIo } from '../context';

/** A relative tolerance: a number from 0 to 1 (0.001 is 0.1%). */
function toleranceOption(name: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a relative tolerance between 0 and 1 (0.001 is 0.1%), got "${raw}"`);
    return n;
  };
}

export function registerReconcile(program: Command, io: CliIo): void {
  program
    .command('reconcile')
    .description('compare the same bars from two sources; writes the differences as a CSV audit report (rule source_mismatch)')
    .requiredOption('--sources <a,b>', 'the two sources, each provider or provider:feed (e.g. alpaca:sip,polygon)')
    .requiredOption('--start <date>', 'first exchange-local date, YYYY-MM-DD')
    .requiredOption('--end <date>', 'last exchange-local date, YYYY-MM-DD')
    .option('--symbols <list>', 'only these symbols (default: every symbol either source holds)')
    .option('--timeframe <tf>', 'bars to compare', '1m')
    .option('--price-tolerance <x>', `relative price difference allowed, |a-b|/max(|a|,|b|) (default ${DEFAULT_PRICE_TOLERANCE})`, toleranceOption('--price-tolerance'))
    .option('--volume-tolerance <x>', `relative volume difference allowed (default ${DEFAULT_VOLUME_TOLERANCE})`, toleranceOption('--volume-tolerance'))
    .option('--report-dir <dir>', 'where the CSV report goes (default: <data dir>/reports)')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: { sources: string; start: string; end: string; symbols?: string; timeframe: string; priceTolerance?: number; volumeTolerance?: number; reportDir?: string; json?: boolean },
        cmd: Command,
      ) => {
        // bad input is refused before the data dir is touched
        const parsed = ReconcileArgSchema.safeParse({
          sources: opts.sources.split(',').map((s) => s.trim()).filter(Boolean),
          start: opts.start,
          end: opts.end,
          timeframe: opts.timeframe,
          ...(opts.symbols ? { symbols: splitSymbols(opts.symbols) } : {}),
          ...(opts.priceTolerance !== undefined ? { priceTolerance: opts.priceTolerance } : {}),
          ...(opts.volumeTolerance !== undefined ? { volumeTolerance: opts.volumeTolerance } : {}),
        });
        if (!parsed.success) throw new MpError('E_BAD_INPUT', `--${formatZodError(parsed.error)}`);
        await withEngine(cmd, io, async (engine) => {
          const r = await engine.reconcile(parsed.data, opts.reportDir ? { reportDir: opts.reportDir } : {});
          if (opts.json) return print(io, JSON.stringify(r));
          const [a, b] = r.sources;
          print(io, `compared ${r.barsCompared} bars of ${r.series} symbol(s), ${a.label} vs ${b.label}: ${r.totalFindings} difference(s)`);
          print(io, `  missing in ${b.label}: ${r.missing[b.label] ?? 0}, missing in ${a.label}: ${r.missing[a.label] ?? 0}`);
          print(io, `  price beyond ${r.priceTolerance}: ${r.priceMismatches}, volume beyond ${r.volumeTolerance}: ${r.volumeMismatches}`);
          print(io, `run ${r.runId}; report: ${r.reportFile}`);
        });
      },
    );
}
