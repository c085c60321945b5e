import { Command } from 'commander';
import { MpError } from '../../../shared/errors';
import { print, request, withEngine } from '../context';
import type { CliIo } from '../context';

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export function registerLake(program: Command, io: CliIo): void {
  const lake = program.command('lake').description('the lake as a whole: check its files against the catalog, repair it');

  lake
    .command('verify')
    .description('check every catalogued file (present, size, checksum, readable, schema) and every file of the tree the catalog does not list; exit 1 naming each problem')
    .option('--quick', 'presence and size only (what every start checks)')
    .option('--json', 'print JSON')
    .action(async (opts: { quick?: boolean; json?: boolean }, cmd: Command) => {
      await withEngine(cmd, io, async (engine) => {
        const r = await request(engine, 'lake.verify', opts.quick ? { quick: true } : {});
        if (opts.json) print(io, JSON.stringify(r));
        else if (r.ok) print(io, `lake ok: ${r.files} file(s), ${r.rows} bars, ${mb(r.bytes)} checked${opts.quick ? ' (presence and size only)' : ''}`);
        else for (const p of r.problems) print(io, `${p.kind}: ${p.file}: ${p.detail}`);
        if (!r.ok) throw new MpError('E_IO', `${r.problems.length} problem(s) in the lake: run \`marketpipe lake repair\``);
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
}
