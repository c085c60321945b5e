import { Command } from 'commander';
import { AggregateArgSchema } from '../../../contract/aggregate';
import { formatZodError } from '../../../contract/dispatcher';
import { MpError } from '../../../shared/errors';
import { splitSymbols } from '../options';
import { print, request, withEngine } from '../context';
import type { CliIo } from '../context';

export function registerAggregate(program: Command, io: CliIo): void {
  program
    .command('aggregate')
    .description('build coarser bars (5m, 15m, 30m, 1h, 1d; 4h on request) from the lake\'s 1m bars, into the same lake')
    .option('--timeframes <list>', 'comma-separated target timeframes (4h: 04:00, 08:00, 12:00, 16:00 New York buckets)', '5m,15m,30m,1h,1d')
    .option('--symbols <list>', 'only these symbols')
    .option('--start <date>', 'first exchange-local date, YYYY-MM-DD')
    .option('--end <date>', 'last exchange-local date, YYYY-MM-DD')
    .option('--provider <name>', 'only this provider\'s bars')
    .option('--feed <feed>', 'only this feed')
    .option('--json', 'print JSON')
    .action(async (opts: { timeframes: string; symbols?: string; start?: string; end?: string; provider?: string; feed?: string; json?: boolean }, cmd: Command) => {
      const arg = {
        timeframes: opts.timeframes.split(',').map((t) => t.trim()).filter(Boolean),
        scope: {
          ...(opts.symbols ? { symbols: splitSymbols(opts.symbols) } : {}),
          ...(opts.start ? { start: opts.start } : {}),
          ...(opts.end ? { end: opts.end } : {}),
          ...(opts.provider ? { provider: opts.provider } : {}),
          ...(opts.feed ? { feed: opts.feed } : {}),
        },
      };
      const parsed = AggregateArgSchema.safeParse(arg);
      if (!parsed.success) throw new MpError('E_BAD_INPUT', `--${formatZodError(parsed.error)}`);
      await withEngine(cmd, io, async (engine) => {
        const ac = new AbortController();
        const stop = () => ac.abort();
        process.once('SIGINT', stop);
        try {
          const r = await request(engine, 'aggregate.run', parsed.data, { signal: ac.signal });
          if (opts.json) return print(io, JSON.stringify(r));
          print(io, `aggregated ${r.sourcePartitions} source partition(s) into ${r.partitions} partition(s): ${Object.entries(r.rows).map(([tf, n]) => `${tf} ${n}`).join(', ')} bars in ${(r.elapsedMs / 1000).toFixed(1)} s`);
        } finally {
          process.off('SIGINT', stop);
        }
      });
    });
}
