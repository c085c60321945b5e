import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CALENDAR_VERSION } from '../calendar';
import type { RecordedDuplicate } from '../db/duplicates';
import type { SourceKey } from '../lake/layout';
import { selectSources } from '../lake/select';
import { MpError } from '../shared/errors';
import { judge, type FindingCounts, type JudgeInput, type JudgeOutput } from './judge';
import { reportFileName } from './report';
import { RULE_IDS, SEVERITIES, ThresholdsSchema, type Severity, type Thresholds, type ThresholdsInput } from './rules';
import { ScopeSchema, type Scope, type ScopeInput } from './scope';
import type { ValidationRunRecord, ValidationStore } from './store';

export { VALIDATION_MEMORY, type FindingCounts } from './judge';

export interface RunValidationOptions {
  /** <data>/lake/bars */
  barsRoot: string;
  /** where DuckDB spills past its memory limit (a folder of the data dir); without it, nothing spills */
  tempDir?: string;
  scope?: ScopeInput;
  thresholds?: ThresholdsInput;
  /** epoch ms; "now" for future_timestamp and for which sessions are over (tests pin it) */
  now?: number;
  /** where the CSV goes: <data>/reports by convention */
  reportDir: string;
  jobId?: string | null;
  /** when given, the run and its summary are recorded there */
  store?: ValidationStore;
  /** further narrows the series judged (the engine: only series that were ingested, not derived, unless asked) */
  series?: (s: SourceKey) => boolean;
  /** bars held in memory at once (series are validated in batches of whole series); default 1 million */
  maxBatchRows?: number;
  /** repeated timestamps the ingests recorded (the lake keeps one copy): duplicate_bar findings of the series in scope */
  deliveredDuplicates?: RecordedDuplicate[];
  /** runs the rules (the engine: in its validate worker thread); default in this thread */
  judge?: (input: JudgeInput) => Promise<JudgeOutput>;
}

export interface ValidationRunResult {
  runId: string;
  createdAt: string;
  jobId: string | null;
  scope: Scope;
  thresholds: Thresholds;
  calendarVersion: string;
  /** the providers and feeds judged, sorted; provider/feed join them with commas (null when no bars matched) */
  providers: string[];
  feeds: string[];
  provider: string | null;
  feed: string | null;
  series: number;
  barsChecked: number;
  totalFindings: number;
  /** count by rule and severity (every rule and severity present, zeros included) */
  findings: FindingCounts;
  bySeverity: Record<Severity, number>;
  reportFile: string;
  elapsedMs: number;
}

/**
 * Runs every rule over the bars of `scope` and writes the audit CSV (judge.ts, with its own in-memory DuckDB; the lake
 * is only read), then records the run. Returns counts; the findings themselves are in the CSV.
 */
export async function runValidation(opts: RunValidationOptions): Promise<ValidationRunResult> {
  const t0 = performance.now();
  const scopeParsed = ScopeSchema.safeParse(opts.scope ?? {});
  if (!scopeParsed.success) throw new MpError('E_BAD_INPUT', `bad validation scope: ${scopeParsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const thresholdsParsed = ThresholdsSchema.safeParse(opts.thresholds ?? {});
  if (!thresholdsParsed.success) throw new MpError('E_BAD_INPUT', `bad validation thresholds: ${thresholdsParsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const scope = scopeParsed.data;
  const t = thresholdsParsed.data;
  const now = opts.now ?? Date.now();
  const created = new Date();
  const runId = randomUUID().slice(0, 8);
  const reportFile = path.join(opts.reportDir, reportFileName(runId, created));
  const jobId = opts.jobId ?? null;

  const selected = selectSources(opts.barsRoot, scope).filter((s) => !opts.series || opts.series(s));
  const input: JudgeInput = {
    tempDir: opts.tempDir ?? null,
    scope,
    thresholds: t,
    now,
    reportFile,
    jobId,
    sources: selected,
    maxBatchRows: opts.maxBatchRows ?? null,
    deliveredDuplicates: opts.deliveredDuplicates ?? [],
  };
  const out = await (opts.judge ?? judge)(input);
  const { barsChecked, findings: counts, bySeverity, totalFindings, providers, feeds } = out;
  const result: ValidationRunResult = {
    runId,
    createdAt: created.toISOString(),
    jobId,
    scope,
    thresholds: t,
    calendarVersion: CALENDAR_VERSION,
    providers,
    feeds,
    provider: providers.length > 0 ? providers.join(',') : null,
    feed: feeds.length > 0 ? feeds.join(',') : null,
    series: selected.length,
    barsChecked,
    totalFindings,
    findings: counts,
    bySeverity,
    reportFile,
    elapsedMs: Math.round(performance.now() - t0),
  };
  opts.store?.save(toRunRecord(result));
  return result;
}

/** The database form of a run (ValidationStore.save). */
export function toRunRecord(r: ValidationRunResult): ValidationRunRecord {
  const counts: ValidationRunRecord['counts'] = {};
  for (const rule of RULE_IDS) {
    for (const sev of SEVERITIES) {
      const n = r.findings[rule][sev];
      if (n > 0) (counts[rule] ??= {})[sev] = n;
    }
  }
  return {
    id: r.runId,
    createdAt: r.createdAt,
    jobId: r.jobId,
    scope: r.scope,
    thresholds: r.thresholds,
    calendarVersion: r.calendarVersion,
    provider: r.provider,
    feed: r.feed,
    reportFile: r.reportFile,
    series: r.series,
    barsChecked: r.barsChecked,
    findingsTotal: r.totalFindings,
    counts,
    elapsedMs: r.elapsedMs,
  };
}
