import { Command, InvalidArgumentError } from 'commander';
import { MpError } from '../../../shared/errors';
import { parseDuration } from '../../../shared/duration';
import { print, withEngine } from '../context';
import type { CliIo } from '../context';

// health-check, doctor and prune: what the original MarketPipe's users relied on to keep a data dir healthy.

const PRUNABLE = ['bars', 'jobs', 'metrics', 'queries'] as const;
type Prunable = (typeof PRUNABLE)[number];

export function registerMaintenance(program: Command, io: CliIo): void {
  program
    .command('health-check')
    .description('check the data dir as /readyz does (database, migrations, lake); exit 0 when ready, 1 when not')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { readiness } = await import('../../../metrics');
      await withEngine(cmd, io, async (engine) => {
        const r = readiness(engine);
        if (opts.json) print(io, JSON.stringify(r));
        else for (const [name, v] of Object.entries(r.checks)) print(io, `${name.padEnd(12)} ${v === true ? 'ok' : `FAIL: ${v}`}`);
        if (!r.ok) throw new MpError('E_IO', `not ready: ${Object.entries(r.checks).filter(([, v]) => v !== true).map(([k]) => k).join(', ')} failed`);
      });
    });

  program
    .command('doctor')
    .description('find stuck or interrupted jobs and lake problems, each with the command that fixes it; exit 1 when it finds any')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { diagnose } = await import('../maintenance');
      await withEngine(cmd, io, async (engine) => {
        const db = engine.db(); // opens and migrates the database first
        const pending = engine.migrationStatus().filter((m) => m.state !== 'applied').length;
        const problems = diagnose(db, engine.paths.bars, pending);
        if (opts.json) print(io, JSON.stringify(problems));
        else if (problems.length === 0) print(io, `no problems found in ${engine.paths.root}`);
        else for (const p of problems) print(io, `${p.problem}\n  fix: ${p.fix}`);
        if (problems.length > 0) throw new MpError('E_IO', `${problems.length} problem(s) found: run the fix under each`);
      });
    });

  program
    .command('prune')
    .description('delete what is older than a duration: bars (whole year partitions, with their coverage; their files retained for query --as-of until lake vacuum), jobs, metrics history, query history; a dry run unless --yes')
    .argument('<what>', `one of ${PRUNABLE.join(', ')}`, (raw: string) => {
      if (!(PRUNABLE as readonly string[]).includes(raw)) throw new InvalidArgumentError(`prune what? one of ${PRUNABLE.join(', ')}, got "${raw}"`);
      return raw;
    })
    .requiredOption('--older-than <duration>', 'age, e.g. 2y, 90d, 7d, 30d')
    .option('--yes', 'delete (without it: list what would go)')
    .option('--json', 'print JSON')
    .action(async (what: Prunable, opts: { olderThan: string; yes?: boolean; json?: boolean }, cmd: Command) => {
      const age = parseDuration(opts.olderThan, '--older-than');
      const m = await import('../maintenance');
      await withEngine(cmd, io, async (engine) => {
        const cutoff = Date.now() - age;
        const db = engine.db();
        const plan = what === 'bars' ? m.pruneBars(db, engine.paths.bars, cutoff) : what === 'jobs' ? m.pruneJobs(db, cutoff) : what === 'metrics' ? m.pruneMetrics(db, cutoff) : m.pruneQueries(db, cutoff);
        const deleted = opts.yes ? await plan.apply() : 0;
        if (opts.json) return print(io, JSON.stringify({ what, cutoff: new Date(cutoff).toISOString(), applied: opts.yes === true, items: plan.items, deleted }));
        if (opts.yes && what === 'bars') return print(io, `removed ${deleted} year partition(s) older than ${opts.olderThan} from the lake; their files are retained for query --as-of until \`marketpipe lake vacuum\` (MP_RETAIN_DAYS)`);
        if (opts.yes) return print(io, `deleted ${deleted} ${what === 'jobs' ? 'job(s)' : 'row(s)'} older than ${opts.olderThan}`);
        if (plan.items.length === 0) return print(io, `nothing older than ${opts.olderThan} to prune in ${what}`);
        for (const item of plan.items) print(io, `would delete ${item}`);
        print(io, `dry run: add --yes to delete ${plan.items.length === 1 ? 'it' : `these ${plan.items.length}`}`);
      });
    });
}
