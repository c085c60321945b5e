import { Command } from 'commander';
import { formatZodError } from '../../../contract/dispatcher';
import { MpError } from '../../../shared/errors';
import { splitSymbols } from '../options';
import { print, withEngine } from '../context';
import type { CliIo } from '../context';

export function registerValidate(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check bars against the NYSE calendar and the validation rules; writes a CSV audit report')
    .option('--symbols <list>', 'only these symbols')
    .option('--start <date>', 'first exchange-local date, YYYY-MM-DD')
    .option('--end <date>', 'last exchange-local date, YYYY-MM-DD')
    .option('--provider <name>', 'only this provider\'s bars')
    .option('--feed <feed>', 'only this feed')
    .option('--timeframe <tf>', 'only this timeframe')
    .option('--job <jobId>', 'what this ingestion job fetched')
    .option('--report-dir <dir>', 'where the CSV report goes (default: <data dir>/reports)')
    .option('--rules', 'list the rules, their severities and thresholds')
    .option('--list', 'list past validation runs')
    .option('--json', 'print JSON')
    .action(async (opts: { symbols?: string; start?: string; end?: string; provider?: string; feed?: string; timeframe?: string; job?: string; reportDir?: string; rules?: boolean; list?: boolean; json?: boolean }, cmd: Command) => {
      const v = await import('../../../validate');
      if (opts.rules) {
        const rules = v.listRules();
        if (opts.json) return print(io, JSON.stringify(rules));
        for (const r of rules) print(io, `${r.id.padEnd(22)} ${r.severity.padEnd(8)} ${r.description}`);
        return;
      }
      const scopeInput = {
        ...(opts.symbols ? { symbols: splitSymbols(opts.symbols) } : {}),
        ...(opts.start ? { start: opts.start } : {}),
        ...(opts.end ? { end: opts.end } : {}),
        ...(opts.provider ? { provider: opts.provider } : {}),
        ...(opts.feed ? { feed: opts.feed } : {}),
        ...(opts.timeframe ? { timeframe: opts.timeframe } : {}),
      };
      // bad input is refused before the data dir is touched
      const scope = v.ScopeSchema.safeParse(scopeInput);
      if (!scope.success) throw new MpError('E_BAD_INPUT', `--${formatZodError(scope.error)}`);
      await withEngine(cmd, io, async (engine) => {
        if (opts.list) {
          const runs = engine.validationRuns({ limit: 50, ...(opts.job ? { jobId: opts.job } : {}) });
          if (opts.json) return print(io, JSON.stringify(runs));
          if (runs.length === 0) return print(io, 'no validation runs yet');
          for (const r of runs) print(io, `${r.createdAt}  ${r.id}  ${String(r.findingsTotal).padStart(7)} findings  ${r.barsChecked} bars  ${r.reportFile}`);
          return;
        }
        const r = await engine.validate({ scope: scope.data, ...(opts.job ? { jobId: opts.job } : {}), ...(opts.reportDir ? { reportDir: opts.reportDir } : {}) });
        if (opts.json) return print(io, JSON.stringify(r));
        print(io, `validated ${r.barsChecked} bars in ${r.series} series: ${r.totalFindings} finding(s) (${Object.entries(r.bySeverity).map(([k, n]) => `${k} ${n}`).join(', ')})`);
        for (const [rule, bySev] of Object.entries(r.findings)) {
          const parts = Object.entries(bySev).filter(([, n]) => n > 0);
          if (parts.length) print(io, `  ${rule.padEnd(22)} ${parts.map(([k, n]) => `${n} ${k}`).join(', ')}`);
        }
        print(io, `report: ${r.reportFile}`);
      });
    });
}
