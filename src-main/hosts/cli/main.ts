import { Command, CommanderError } from 'commander';
import pkg from '../../../package.json';
import { exitCodeFor, toErrorValue } from '../../shared/errors';
import { withDotEnv } from '../../settings/dotenv';
import { Redactor } from '../../shared/redact';
import type { CliIo } from './context';
import { dirOption } from './options';

// The `marketpipe` CLI. Importing this module does nothing but define commands: the engine (DuckDB, SQLite) is
// loaded only inside the action that needs it, so `--help` is fast and creates no file. One file per command in
// commands/ (registered by program.ts); what they share is in context.ts. `marketpipe query` loads its own command
// only: the others' modules bring zod's schemas of the whole contract, most of that command's start (see
// docs/benchmarks.md).

export type { CliIo } from './context';

/** The program without its commands: name, version, the global --data-dir, one-line errors. */
export function baseProgram(io: CliIo): Command {
  return new Command('marketpipe')
    .description('MarketPipe: ingest OHLCV bars into a local Parquet lake, validate, aggregate and query them.')
    .version(pkg.version, '-V, --version')
    .option('--data-dir <dir>', 'data directory (default: $MP_DATA_DIR, else the per-user default)', dirOption('--data-dir'))
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // one line, same prefix as every other error, with a pointer to --help
      outputError: (s, write) => write(`marketpipe: ${s.trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
    })
    .exitOverride();
}

/** The command argv names: its first word after the global options (--data-dir DIR), or undefined. */
export function commandOf(argv: string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--data-dir') i++;
    else if (a.startsWith('--data-dir=')) continue;
    else if (a.startsWith('-')) return undefined;
    else return a;
  }
  return undefined;
}

async function programFor(argv: string[], io: CliIo): Promise<Command> {
  const program = baseProgram(io);
  if (commandOf(argv) === 'query') (await import('./commands/query')).registerQuery(program, io);
  else (await import('./program')).registerCommands(program, io);
  return program;
}

function redactorFor(env: NodeJS.ProcessEnv): Redactor {
  try {
    return Redactor.fromEnv(withDotEnv(env));
  } catch {
    return Redactor.fromEnv(env);
  }
}

/** Runs the CLI; resolves with the exit code. Never throws, never prints a stack trace. */
export async function run(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, kill: () => process.kill(process.pid, 'SIGKILL') }): Promise<number> {
  try {
    const program = await programFor(argv, io);
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit through here with code 0; parse errors were already printed by commander
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      return 2;
    }
    const err = toErrorValue(e);
    io.stderr.write(`marketpipe: error: ${redactorFor(io.env).text(err.message)}\n`);
    return exitCodeFor(err.code);
  }
}
