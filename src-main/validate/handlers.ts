import type { DomainHandlers } from '../contract/dispatcher';
import { MpError } from '../shared/errors';
import { readFindings, readReportChunk } from './findings';
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
    'validation.findings': async ({ runId, offset, limit, symbol, rule, severity }) =>
      readFindings(runId, recorded(runId).reportFile, { offset, limit, ...(symbol ? { symbol } : {}), ...(rule ? { rule } : {}), ...(severity ? { severity } : {}) }),
    'validation.run': async (scope) => {
      const r = await deps.validate({ scope });
      return toRunSummary(recorded(r.runId));
    },
    'validation.report': async ({ runId, offset, length }) => readReportChunk(recorded(runId).reportFile, offset, length),
    'validation.export': async ({ runId }) => {
      const run = recorded(runId);
      if (!deps.saveFile) throw new MpError('E_FORBIDDEN', 'this host has no save dialog: download the report instead');
      readReportChunk(run.reportFile, 0, 1); // a report that is gone is E_NOT_FOUND before any dialog opens
      const saved = await deps.saveFile(run.reportFile, toRunSummary(run).reportName);
      return { saved: saved !== null, path: saved };
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
