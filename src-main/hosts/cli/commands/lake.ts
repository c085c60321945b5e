import { Command } from 'commander';
import { MpError } from '../../../shared/errors';
import { print, request, withEngine } from '../context';
import type { CliIo } from '../context';

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export function registerLake(program: Command, io: CliIo): void {
  const lake = program.command('lake').description('the lake as a whole: check its files against the catalog, repair, compact and vacuum it');

  lake
    .command('verify')
    .description('check every catalogued file (present, size, checksum, readable, schema), every file of the tree the catalog does not list, and the retained files older snapshots read (present, size, checksum); exit 1 naming each problem')
    .option('--quick', 'presence and size only (what every start checks)')
    .option('--json', 'print JSON')
    .action(async (opts: { quick?: boolean; json?: boolean }, cmd: Command) => {
      await withEngine(cmd, io, async (engine) => {
        const r = await request(engine, 'lake.verify', opts.quick ? { quick: true } : {});
        if (opts.json) print(io, JSON.stringify(r));
        else if (r.ok) print(io, `lake ok: ${r.files} file(s), ${r.rows} bars, ${mb(r.bytes)} checked, and ${r.retained.files} retained file(s), ${mb(r.retained.bytes)}${opts.quick ? ' (presence and size only)' : ''}`);
        else {
          for (const p of r.problems) print(io, `${p.kind}: ${p.file}: ${p.detail}`);
          for (const p of r.retained.problems) print(io, `retained ${p.kind}: ${p.file}: ${p.detail}; breaks only query --as-of snapshots ${p.snapshots.first}..${p.snapshots.last}, not the live lake`);
        }
        if (!r.ok) throw new MpError('E_IO', `${r.problems.length + r.retained.problems.length} problem(s) in the lake: run \`marketpipe lake repair\``);
      });
    });

  lake
    .command('repair')
    .description('move bad and foreign files to <data>/quarantine/ (never deletes), forget what they held so the next ingest fetches it again, rebuild derived timeframes whose 1m bars are intact, and say what to run for the rest')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withEngine(cmd, io, async (engine) => {
        const r = await request(engine, 'lake.repair', {});
        if (opts.json) return print(io, JSON.stringify(r));
        if (r.quarantined.length === 0) return print(io, 'lake ok: nothing to repair');
        for (const q of r.quarantined) print(io, `quarantined ${q.file} -> ${q.to} (${q.problem})`);
        for (const b of r.rebuilt) print(io, `rebuilt ${b}`);
        for (const l of r.lost) print(io, `lost: ${l}`);
        if (r.actions.length) {
          print(io, 'to fetch again what the quarantined files held, run:');
          for (const a of r.actions) print(io, `  ${a}`);
        }
      });
    });

  lake
    .command('compact')
    .description('merge the files of every partition that has several (appends) into one, each merge published only after its rows and content hash equal those of the files it replaces')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withEngine(cmd, io, async (engine) => {
        const r = await request(engine, 'lake.compact', {});
        if (opts.json) return print(io, JSON.stringify(r));
        if (r.partitions === 0) return print(io, 'lake compact: every partition has one file');
        print(io, `lake compact: ${r.partitions} partition(s), ${r.filesBefore} files merged into ${r.partitions}, ${r.rows} bars, ${mb(r.bytesBefore)} -> ${mb(r.bytesAfter)}`);
      });
    });

  lake
    .command('vacuum')
    .description('remove superseded files (kept for query --as-of) older than MP_RETAIN_DAYS (default 7), and say how much space that frees')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'print JSON')
    .action(async (opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
      await withEngine(cmd, io, async (engine) => {
        const r = await request(engine, 'lake.vacuum', opts.dryRun ? { dryRun: true } : {});
        if (opts.json) return print(io, JSON.stringify(r));
        for (const f of r.files) print(io, `${r.dryRun ? 'would remove' : 'removed'} ${f.file} (${mb(f.bytes)})`);
        print(io, `lake vacuum: ${r.files.length} file(s), ${mb(r.bytes)} ${r.dryRun ? 'would be freed' : 'freed'} (retention ${r.retainDays} days); the oldest snapshot --as-of can read is ${r.oldestSnapshot.id} (${r.oldestSnapshot.at})`);
      });
    });
}
