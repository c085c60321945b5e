import { Command, Option } from 'commander';
import { formatZodError } from '../../../contract/dispatcher';
import { IngestArgSchema } from '../../../contract/schemas';
import { MpError } from '../../../shared/errors';
import { dirOption, intOption, splitSymbols } from '../options';
import { followJob, request, withEngine } from '../context';
import type { CliIo } from '../context';

export function registerIngest(program: Command, io: CliIo): void {
  program
    .command('ingest')
    .description('fetch bars from a provider into the lake (dates are exchange-local, both inclusive); only sessions not yet in the lake are fetched unless --force')
    .option('--provider <name>', 'data provider (see `marketpipe providers`)')
    .option('--symbols <list>', 'comma-separated symbols, e.g. AAPL,MSFT,BRK.B')
    .option('--start <date>', 'first exchange-local date, YYYY-MM-DD (csv: optional)')
    .option('--end <date>', 'last exchange-local date, YYYY-MM-DD (csv: optional)')
    .option('--timeframe <tf>', 'bar timeframe: 1m, 5m, 15m, 30m, 1h, 1d (default 1m; csv: inferred)')
    .option('--feed <feed>', 'provider feed (default: the provider\'s default)')
    .option('--source <path>', 'csv: a bars CSV file or a folder of them')
    .option('--tz <zone>', 'csv: time zone of timestamps without an offset (default America/New_York)')
    .option('--batch-size <n>', 'bars per provider request/page', intOption('--batch-size', 1, 100_000))
    .option('--workers <n>', 'symbols fetched concurrently', intOption('--workers', 1, 32), 4)
    .option('--universe <name>', 'ingest the symbols of this universe (with or instead of --symbols)')
    .option('--update', 'bring the symbols up to date: through the last closed session, from where each one stops')
    .option('--force', 'fetch every session again, even those already in the lake')
    .addOption(new Option('--adjustment <kind>', 'price adjustment asked of the provider; adjusted bars are stored as their own source').choices(['raw', 'split', 'dividend', 'all']).default('raw'))
    .option('--no-pipeline', 'do not validate the new bars and rebuild coarser timeframes after the job')
    .option('--resume <jobId>', 'run the unfinished units of a failed, cancelled or interrupted job')
    .option('--output <dir>', 'data directory for this run (the original MarketPipe\'s name for --data-dir)', dirOption('--output'))
    .option('--json', 'print one JSON summary on stdout')
    .action(async (opts: { output?: string;  pipeline: boolean; adjustment: 'raw' | 'split' | 'dividend' | 'all'; provider?: string; universe?: string; update?: boolean; force?: boolean; resume?: string; symbols?: string; start?: string; end?: string; timeframe?: string; feed?: string; source?: string; tz?: string; batchSize?: number; workers: number; json?: boolean }, cmd: Command) => {
      if (opts.output !== undefined) {
        const root = cmd.parent!;
        if (root.getOptionValue('dataDir') !== undefined) throw new MpError('E_BAD_INPUT', '--output is another name for --data-dir: give one of them');
        root.setOptionValue('dataDir', opts.output);
      }
      if (opts.resume !== undefined) {
        const others = (['provider', 'symbols', 'start', 'end', 'timeframe', 'feed', 'source', 'tz', 'force', 'universe', 'update'] as const).filter((k) => opts[k] !== undefined);
        if (others.length) throw new MpError('E_BAD_INPUT', `--resume takes the job's own settings: drop --${others.join(', --')}`);
        const jobId = opts.resume;
        await withEngine(cmd, io, (engine) => followJob(engine, io, opts.json === true, () => request(engine, 'ingest.resume', { jobId })));
        return;
      }
      if (opts.provider === undefined) {
        const { defaultRegistry } = await import('../../../providers/registry');
        const names = defaultRegistry().list({}).map((p) => p.name);
        throw new MpError('E_BAD_INPUT', `required option '--provider <name>' not specified: choose one of ${names.join(', ')} (\`marketpipe providers\` tells what each needs; fake generates test data)`);
      }
      const parsed = IngestArgSchema.safeParse({
        provider: opts.provider,
        force: opts.force === true,
        adjustment: opts.adjustment,
        update: opts.update === true,
        universe: opts.universe,
        symbols: opts.symbols === undefined ? [] : splitSymbols(opts.symbols),
        start: opts.start,
        end: opts.end,
        timeframe: opts.timeframe,
        feed: opts.feed,
        workers: opts.workers,
        batchSize: opts.batchSize,
        source: opts.source,
        tz: opts.tz,
        pipeline: opts.pipeline,
      });
      if (!parsed.success) throw new MpError('E_BAD_INPUT', `--${formatZodError(parsed.error)}`);
      // Validate the provider before touching the disk: bad input changes nothing.
      const { defaultRegistry } = await import('../../../providers/registry');
      const provider = defaultRegistry().get(parsed.data.provider);
      if (!provider.prepare) {
        // only a provider that reads its own files (csv) can tell symbols and range itself; --update tells the range
        const needed = [
          ['--symbols <list> or --universe <name>', opts.symbols ?? opts.universe],
          ['--start <date>', opts.update ? '' : opts.start],
          ['--end <date>', opts.update ? '' : opts.end],
        ] as const;
        for (const [flag, given] of needed) {
          if (given === undefined) throw new MpError('E_BAD_INPUT', `required option '${flag}' not specified for provider ${provider.info.name}`);
        }
      }
      await withEngine(cmd, io, (engine) => followJob(engine, io, opts.json === true, () => request(engine, 'ingest.start', parsed.data), parsed.data.end));
    });
}
