import { Command } from 'commander';
import { intOption } from '../options';
import { withEngine } from '../context';
import type { CliIo } from '../context';

export function registerMetrics(program: Command, io: CliIo): void {
  program
    .command('metrics')
    .description('serve Prometheus metrics (this process and the totals every MarketPipe process recorded), or read the metrics history')
    .option('--port <n>', 'metrics server port (default $METRICS_PORT or 8000)', intOption('--port', 0, 65_535))
    .option('--host <host>', 'address to bind (default $METRICS_HOST or 127.0.0.1)')
    .option('--legacy-metrics', 'classic Prometheus text format only, the original metrics without the extras')
    .option('--list', 'list recorded metrics and their latest values')
    .option('--metric <name>', 'history of one metric')
    .option('--since <duration>', 'with --metric: how far back, e.g. 30m, 24h, 7d (default 24h)')
    .option('--avg <bucket>', 'with --metric: averages per bucket, e.g. 5m, 1h')
    .option('--plot', 'with --metric: an ASCII chart')
    .option('--labels <pairs>', 'with --metric: keep series with these labels, e.g. provider=alpaca')
    .option('--json', 'print JSON')
    .action(async (opts: { port?: number; host?: string; legacyMetrics?: boolean; list?: boolean; metric?: string; since?: string; avg?: string; plot?: boolean; labels?: string; json?: boolean }, cmd: Command) => {
      const { runMetricsCommand } = await import('../../../metrics');
      await withEngine(cmd, io, (engine) => runMetricsCommand(engine, { ...io, env: engine.env }, opts));
    });
}
