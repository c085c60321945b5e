import { Command, CommanderError } from 'commander';
import pkg from '../../../package.json';
import { exitCodeFor, toErrorValue } from '../../shared/errors';
import { withDotEnv } from '../../settings/dotenv';
import { Redactor } from '../../shared/redact';
import type { CliIo } from './context';
import { dirOption } from './options';
import { registerMigrate } from './commands/migrate';
import { registerProviders } from './commands/providers';
import { registerIngest } from './commands/ingest';
import { registerJobs } from './commands/jobs';
import { registerUniverse } from './commands/universe';
import { registerMetrics } from './commands/metrics';
import { registerValidate } from './commands/validate';
import { registerReconcile } from './commands/reconcile';
import { registerAggregate } from './commands/aggregate';
import { registerQuery } from './commands/query';
import { registerLake } from './commands/lake';
import { registerServe } from './commands/serve';
import { registerMaintenance } from './commands/maintenance';

// The `marketpipe` CLI. Importing this module does nothing but define commands: the engine (DuckDB, SQLite) is
// loaded only inside the action that needs it, so `--help` is fast and creates no file. One file per command in
// commands/; what they share is in context.ts.

export type { CliIo } from './context';

export function buildProgram(io: CliIo): Command {
  const program = new Command('marketpipe')
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

  registerMigrate(program, io);
  registerProviders(program, io);
  registerIngest(program, io);
  registerJobs(program, io);
  registerUniverse(program, io);
  registerMetrics(program, io);
  registerValidate(program, io);
  registerReconcile(program, io);
  registerAggregate(program, io);
  registerQuery(program, io);
  registerLake(program, io);
  registerServe(program, io);
  registerMaintenance(program, io);

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
  const program = buildProgram(io);
  try {
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
