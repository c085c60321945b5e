import { Command } from 'commander';
import { describeAccounting } from '../../../ingest/accounting';
import { intOption } from '../options';
import { print, request, withEngine } from '../context';
import type { CliIo } from '../context';

export function registerJobs(program: Command, io: CliIo): void {
  program
    .command('jobs')
    .description('list ingestion jobs, newest first; with a job id, its per-symbol status')
    .argument('[jobId]', 'show one job and the state of each of its symbols')
    .option('--limit <n>', 'how many', intOption('--limit', 1, 1000), 20)
    .option('--json', 'print JSON')
    .action(async (jobId: string | undefined, opts: { limit: number; json?: boolean }, cmd: Command) => {
      await withEngine(cmd, io, async (engine) => {
        if (jobId !== undefined) {
          const job = await request(engine, 'jobs.get', { jobId });
          const tasks = await request(engine, 'jobs.tasks', { jobId });
          if (opts.json) return print(io, JSON.stringify({ ...job, tasks }));
          print(io, `job ${job.id}  ${job.status}${job.status === 'succeeded' ? '' : ` (stage ${job.stage})`}  ${job.progress.toFixed(0)}%  ${job.rowsWritten} rows  ${job.provider}/${job.feed} ${job.timeframe}  ${job.start}..${job.end}`);
          if (job.error) print(io, `error: ${job.error.code} ${job.error.message}`);
          const acc = job.accounting;
          if (acc) print(io, `rows: ${describeAccounting(acc)}`);
          if (tasks.length === 0) {
            return print(io, acc && acc.received > 0 && acc.alreadyInLake === 0 ? 'nothing to fetch: no trading session in the range' : 'nothing to fetch: every session was already in the lake');
          }
          const bySymbol = new Map<string, { done: number; total: number; days: number; rows: number }>();
          for (const t of tasks) {
            const s = bySymbol.get(t.symbol) ?? { done: 0, total: 0, days: 0, rows: 0 };
            s.total++;
            s.days += t.days;
            s.rows += t.rows;
            if (t.status === 'done') s.done++;
            bySymbol.set(t.symbol, s);
          }
          print(io, 'SYMBOL           STATUS    UNITS   SESSIONS        ROWS');
          for (const [sym, s] of bySymbol) {
            const status = s.done === s.total ? 'done' : s.done > 0 ? 'partial' : 'pending';
            print(io, `${sym.padEnd(15)}  ${status.padEnd(8)}  ${`${s.done}/${s.total}`.padStart(5)}  ${String(s.days).padStart(9)}  ${String(s.rows).padStart(10)}`);
          }
          return;
        }
        const jobs = await request(engine, 'jobs.list', { limit: opts.limit });
        if (opts.json) return print(io, JSON.stringify(jobs));
        if (jobs.length === 0) return print(io, 'no jobs yet');
        print(io, 'ID                                    STATUS     STAGE      PROGRESS  ROWS        PROVIDER  RANGE                   SYMBOLS');
        for (const j of jobs) {
          const syms = j.symbols.length > 5 ? `${j.symbols.slice(0, 5).join(',')},… (${j.symbols.length})` : j.symbols.join(',');
          print(io, `${j.id}  ${j.status.padEnd(9)}  ${j.stage.padEnd(9)}  ${(j.progress.toFixed(0) + '%').padStart(8)}  ${String(j.rowsWritten).padStart(10)}  ${j.provider.padEnd(8)}  ${j.start}..${j.end}  ${syms}`);
        }
      });
    });
}
