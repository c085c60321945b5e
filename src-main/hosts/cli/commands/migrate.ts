import { Command } from 'commander';
import { print, withEngine } from '../context';
import type { CliIo } from '../context';

export function registerMigrate(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('apply pending metadata-database migrations')
    .option('--status', 'show each migration and whether it is applied; change nothing')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: boolean; json?: boolean }, cmd: Command) => {
      await withEngine(cmd, io, async (engine) => {
        if (opts.status) {
          const st = engine.migrationStatus();
          if (opts.json) return print(io, JSON.stringify(st));
          for (const m of st) print(io, `${m.state.padEnd(8)} ${m.name}${m.appliedAt ? `  (${m.appliedAt})` : ''}`);
          return;
        }
        const applied = engine.migrate();
        if (opts.json) return print(io, JSON.stringify({ applied }));
        print(io, applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      });
    });
}
