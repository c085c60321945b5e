import type { Command } from 'commander';
import type { CliIo } from './context';
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

/** Every command of the CLI, in the order `marketpipe --help` lists them. */
export function registerCommands(program: Command, io: CliIo): void {
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
}
