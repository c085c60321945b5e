import { ReconcileArgSchema, ValidationRunSummarySchema } from './validation';

// The reconcile domain: the same bars from two sources compared (its schemas live with validation's: a
// reconciliation is recorded and shown as a validation run).

export const reconcileRequests = {
  /** Compares the same bars from two sources; recorded as a run (rule source_mismatch). */
  'reconcile.run': { arg: ReconcileArgSchema, result: ValidationRunSummarySchema },
} as const;
