import type { DomainHandlers } from '../contract/dispatcher';
import { MpError } from '../shared/errors';
import fs from 'node:fs';
import path from 'node:path';
import { filteredName, readReportChunk } from './findings';
import type { ReconcileArg } from '../contract/validation';
import type { ReconcileResult } from './reconcile';
import type { ScopeInput } from './scope';
import type { ValidationStore } from './store';
import { toRunSummary } from './summary';
import type { ValidationRunResult } from './run';

/** A host's way to put a file where the user chooses (desktop: a save dialog); null when the user cancelled. */
export type SaveFileHook = (source: string, suggestedName: string) => Promise<string | null>;

export interface ValidationHandlerDeps {
  /** the store, once the engine is bootstrapped (opening it migrates the database) */
  store(): ValidationStore;
  /** ValidationService.validate: runs, records, counts the metric and emits validation.completed */
  validate(opts: { scope: ScopeInput }): Promise<ValidationRunResult>;
  /** ValidationService.reconcile: runs, records and emits validation.completed */
  reconcile(arg: ReconcileArg): Promise<ReconcileResult>;
  saveFile?: SaveFileHook;
}

export function validationHandlers(deps: ValidationHandlerDeps): DomainHandlers<'validation'> {
  const recorded = (runId: string) => recordedRun(deps.store(), runId);
  return {
    'validation.runs': async ({ limit }) => deps.store().list({ limit }).map(toRunSummary),
    'validation.findings': async ({ offset, limit, ...q }) => {
      const store = deps.store();
      await store.findings.ensure(q.runId, recorded(q.runId).reportFile);
      return store.findings.page(q, offset, limit);
    },
    'validation.findingsCsv': async ({ offset, limit, ...q }) => {
      const store = deps.store();
      const run = recorded(q.runId);
      await store.findings.ensure(q.runId, run.reportFile);
      const part = store.findings.csv(q, offset, limit);
      return { ...part, fileName: filteredName(path.basename(run.reportFile)), done: offset + part.rows >= part.total };
    },
    'validation.acknowledge': async (arg) => {
      const store = deps.store();
      if (arg.kind === 'finding') await store.findings.ensure(arg.runId, recorded(arg.runId).reportFile);
      return store.acks.acknowledge(arg);
    },
    'validation.unacknowledge': async ({ id }) => deps.store().acks.remove(id),
    'validation.run': async (scope) => {
      const r = await deps.validate({ scope });
      return toRunSummary(recorded(r.runId));
    },
    'validation.report': async ({ runId, offset, length }) => readReportChunk(recorded(runId).reportFile, offset, length),
    'validation.export': async ({ runId, filter }) => {
      const run = recorded(runId);
      if (!deps.saveFile) throw new MpError('E_FORBIDDEN', 'this host has no save dialog: download the report instead');
      readReportChunk(run.reportFile, 0, 1); // a report that is gone is E_NOT_FOUND before any dialog opens
      if (!filter) {
        const saved = await deps.saveFile(run.reportFile, toRunSummary(run).reportName);
        return { saved: saved !== null, path: saved };
      }
      // the findings the page shows: written next to the report under a name no reader takes, copied, removed
      const store = deps.store();
      await store.findings.ensure(runId, run.reportFile);
      const tmp = path.join(path.dirname(run.reportFile), `.export-${process.pid}-${Math.random().toString(36).slice(2, 10)}.csv.tmp`);
      try {
        const rows = store.findings.writeCsv({ ...filter, runId }, tmp);
        const saved = await deps.saveFile(tmp, filteredName(toRunSummary(run).reportName));
        return { saved: saved !== null, path: saved, rows };
      } finally {
        fs.rmSync(tmp, { force: true });
      }
    },
  };
}

function recordedRun(store: ValidationStore, runId: string) {
  const run = store.get(runId);
  if (!run) throw new MpError('E_NOT_FOUND', `no validation run ${runId}`);
  return run;
}

/** The reconcile domain: a comparison of two sources, recorded and listed with the validation runs. */
export function reconcileHandlers(deps: Pick<ValidationHandlerDeps, 'store' | 'reconcile'>): DomainHandlers<'reconcile'> {
  return {
    'reconcile.run': async (arg) => {
      const r = await deps.reconcile(arg);
      return toRunSummary(recordedRun(deps.store(), r.runId));
    },
  };
}
