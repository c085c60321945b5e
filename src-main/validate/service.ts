import path from 'node:path';
import type { ReconcileArg } from '../contract/validation';
import type { EventMeta } from '../contract';
import type { CoverageStore } from '../db/coverage';
import type { JobStore } from '../db/jobs';
import type { EventBus } from '../events/bus';
import type { SourceKey } from '../lake/layout';
import type { EngineMetrics } from '../metrics';
import { MpError } from '../shared/errors';
import type { JudgeInput, JudgeOutput } from './judge';
import { runReconcile, type ReconcileResult } from './reconcile';
import type { ThresholdsInput } from './rules';
import { runValidation, type ValidationRunResult } from './run';
import type { ScopeInput } from './scope';
import type { ValidationStore } from './store';

export interface ValidationServiceDeps {
  barsRoot: string;
  /** this process's spill folder for validation runs (made on first use) */
  spillDir(): string;
  /** where reports go unless a run names another folder (<data>/reports) */
  reportRoot: string;
  store(): ValidationStore;
  coverage(): CoverageStore;
  jobs(): JobStore;
  metrics: EngineMetrics;
  bus: EventBus;
  /** runs a validation's DuckDB part (the engine: in its validate worker thread); default in this thread */
  judge?: (input: JudgeInput) => Promise<JudgeOutput>;
}

export interface ValidateOptions {
  scope?: ScopeInput;
  jobId?: string;
  reportDir?: string;
  thresholds?: ThresholdsInput;
}

/** Validation and reconciliation runs: each writes its CSV audit report, is recorded, counted and announced. */
export class ValidationService {
  constructor(private readonly d: ValidationServiceDeps) {}

  /**
   * Runs the validation rules over a scope of the lake (or over what a job ingested), writes the CSV audit report
   * and records the run. Findings are counted in mp_validation_errors_total. `meta`: the pipeline's correlation.
   */
  async validate(opts: ValidateOptions, meta: EventMeta = {}): Promise<ValidationRunResult> {
    const t0 = performance.now();
    let scope = opts.scope ?? {};
    if (opts.jobId) {
      const job = this.d.jobs().get(opts.jobId);
      if (!job) throw new MpError('E_NOT_FOUND', `no job ${opts.jobId}`);
      scope = { symbols: job.symbols, start: job.start, end: job.end, provider: job.provider, feed: job.feed, timeframe: job.timeframe, ...scope };
    }
    const endStage = this.d.metrics.startStage('validate');
    const result = await runValidation({
      barsRoot: this.d.barsRoot,
      tempDir: this.d.spillDir(),
      reportDir: this.reportDir(opts.reportDir),
      scope,
      thresholds: opts.thresholds,
      jobId: opts.jobId ?? null,
      store: this.d.store(),
      deliveredDuplicates: this.d.jobs().duplicates().inScope(scope),
      ...(this.d.judge ? { judge: this.d.judge } : {}),
      // without a timeframe, the series as ingested: the coarser ones the pipeline derives from them repeat their
      // findings (a missing session is missing at every timeframe); `--timeframe 5m` judges those on demand
      ...(scope.timeframe ? {} : { series: (s: SourceKey) => this.d.coverage().ingested(s) }),
    });
    endStage();
    for (const [rule, bySeverity] of Object.entries(result.findings)) {
      for (const [severity, n] of Object.entries(bySeverity)) if (n > 0) this.d.metrics.validationFindings(rule, severity, n);
    }
    // the Validation page (and the pipeline, for a run it caused) goes on from this, whoever started the run
    const { error: errors, warning: warnings, info: infos } = result.bySeverity;
    this.d.bus.emit(
      'validation.completed',
      { runId: result.runId, kind: 'validation', jobId: result.jobId, findings: result.totalFindings, errors, warnings, infos, barsChecked: result.barsChecked, durationMs: Math.round(performance.now() - t0) },
      meta,
    );
    return result;
  }

  /** Compares the same bars from two sources (rule source_mismatch); recorded with the validation runs. */
  async reconcile(arg: ReconcileArg, opts: { reportDir?: string } = {}): Promise<ReconcileResult> {
    const store = this.d.store(); // bootstraps the data dir before the lake is read
    const r = await runReconcile({ barsRoot: this.d.barsRoot, reportDir: this.reportDir(opts.reportDir), arg, store });
    // counted with the validation findings: the rule label (source_mismatch) tells them apart, and stays bounded
    for (const [severity, n] of Object.entries(r.bySeverity)) if (n > 0) this.d.metrics.validationFindings('source_mismatch', severity, n);
    this.d.bus.emit('validation.completed', { runId: r.runId, kind: 'reconcile', jobId: null, findings: r.totalFindings, errors: r.bySeverity.error, warnings: r.bySeverity.warning });
    return r;
  }

  private reportDir(given: string | undefined): string {
    return given ? path.resolve(given) : this.d.reportRoot;
  }
}
