import type { Command } from 'commander';
import { withDotEnv } from '../../../settings/dotenv';
import { print } from '../context';
import type { CliIo } from '../context';

export function registerProviders(program: Command, io: CliIo): void {
  program
    .command('providers')
    .description('list data providers, what each needs and whether it is configured')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { defaultRegistry } = await import('../../../providers/registry');
      const list = defaultRegistry().list(withDotEnv(io.env));
      if (opts.json) return print(io, JSON.stringify(list));
      for (const p of list) {
        print(io, `${p.name.padEnd(10)} ${p.configured ? 'configured' : 'needs ' + p.needs.join(', ')}  feeds: ${p.feeds.join('|')}  timeframes: ${p.timeframes.join(',')}`);
        print(io, `           ${p.description}`);
      }
    });
}
