// Public surface of data validation: rules as DuckDB SQL over the lake, an audit CSV per run, runs recorded in SQLite.
export { listRules, ThresholdsSchema, RULE_IDS, SEVERITIES, DEFAULT_SPLIT_RATIOS } from './rules';
export type { RuleId, RuleInfo, RuleListing, Severity, Thresholds, ThresholdsInput } from './rules';
export { runValidation, toRunRecord } from './run';
export type { FindingCounts, RunValidationOptions, ValidationRunResult } from './run';
export { ValidationStore } from './store';
export type { SummaryRow, ValidationRunRecord } from './store';
export { ScopeSchema } from './scope';
export type { Scope, ScopeInput } from './scope';
export { REPORT_HEADER, guardCell, reportFileName } from './report';
export { reconcileHandlers, validationHandlers } from './handlers';
export type { SaveFileHook, ValidationHandlerDeps } from './handlers';
export { runReconcile, resolveSource, RECONCILE_RULE, reconcileRecord } from './reconcile';
export type { ReconcileResult, ResolvedSource } from './reconcile';
export { readReportChunk } from './findings';
export { toRunSummary } from './summary';
