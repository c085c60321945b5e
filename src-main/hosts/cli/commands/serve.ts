import { Command } from 'commander';
import { intOption } from '../options';
import { print, withEngine } from '../context';
import type { CliIo } from '../context';

export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('serve the MarketPipe UI to a browser on this machine (web mode)')
    .option('--port <n>', 'port (0 picks a free one)', intOption('--port', 0, 65_535), 8765)
    .option('--host <host>', 'address to bind (loopback unless you mean otherwise)', '127.0.0.1')
    .action(async (opts: { port: number; host: string }, cmd: Command) => {
      const { serve } = await import('../../serve/server');
      await withEngine(cmd, io, async (engine) => {
        const { parseMetricsEnv, startMetricsServer, readiness } = await import('../../../metrics');
        const metricsEnv = parseMetricsEnv(engine.env);
        const server = await serve({ engine, port: opts.port, host: opts.host });
        let metricsServer;
        try {
          metricsServer = await startMetricsServer({ metrics: engine.metrics, ...metricsEnv, ready: () => readiness(engine) });
        } catch (e) {
          await server.close();
          throw e;
        }
        // jobs a dead process left behind: their validate and aggregate stages are finished, their fetches listed
        const recovered = engine.recoverJobs();
        if (recovered.finishing.length) io.stderr.write(`finishing the validate and aggregate stages of ${recovered.finishing.length} interrupted job(s): ${recovered.finishing.join(', ')}\n`);
        if (recovered.resumable.length) io.stderr.write(`interrupted fetches (resume with marketpipe ingest --resume JOB_ID): ${recovered.resumable.join(', ')}\n`);
        engine.startScheduler();
        engine.startLiveMetrics();
        print(io, `MarketPipe is serving at ${server.url}`);
        if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
          io.stderr.write(`warning: listening on ${opts.host}: other machines can reach this server (the token still guards it)\n`);
        }
        io.stderr.write(`Open the link above in your browser (it carries this run's access token). Ctrl+C stops.\nPrometheus metrics: ${metricsServer.url}/metrics\n`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
        await metricsServer.close();
      }, 'serve');
    });
}
