import type Database from 'better-sqlite3';
import { z } from 'zod';
import { AckStore } from './ack';
import { FindingsIndex } from './findings';
import { SEVERITIES, type Severity } from './rules';

// Validation runs in the metadata database (migration 0005). The engine opens and migrates the database; this class
// only reads and writes its tables; the runs' findings loaded for the page and the acknowledgements (migration 0014)
// are its `findings` and `acks`.

export interface SummaryRow {
  rule: string;
  severity: Severity;
  count: number;
}

export interface ValidationRunRecord {
  id: string;
  createdAt: string;
  jobId: string | null;
  scope: Record<string, unknown>;
  thresholds: Record<string, unknown>;
  calendarVersion: string;
  provider: string | null;
  feed: string | null;
  reportFile: string;
  series: number;
  barsChecked: number;
  findingsTotal: number;
  /** rule -> severity -> count */
  counts: Record<string, Partial<Record<Severity, number>>>;
  elapsedMs: number;
}

const RunRowSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  job_id: z.string().nullable(),
  scope: z.string(),
  thresholds: z.string(),
  calendar_version: z.string(),
  provider: z.string().nullable(),
  feed: z.string().nullable(),
  report_file: z.string(),
  series: z.number().int(),
  bars_checked: z.number().int(),
  findings_total: z.number().int(),
  counts: z.string(),
  elapsed_ms: z.number().int(),
});
const JsonObject = z.record(z.string(), z.unknown());
const CountsSchema = z.record(z.string(), z.record(z.string(), z.number()));
const SummaryRowSchema = z.object({ rule: z.string(), severity: z.enum(SEVERITIES), count: z.number().int() });

function toRecord(row: unknown): ValidationRunRecord {
  const r = RunRowSchema.parse(row);
  return {
    id: r.id,
    createdAt: r.created_at,
    jobId: r.job_id,
    scope: JsonObject.parse(JSON.parse(r.scope)),
    thresholds: JsonObject.parse(JSON.parse(r.thresholds)),
    calendarVersion: r.calendar_version,
    provider: r.provider,
    feed: r.feed,
    reportFile: r.report_file,
    series: r.series,
    barsChecked: r.bars_checked,
    findingsTotal: r.findings_total,
    counts: CountsSchema.parse(JSON.parse(r.counts)) as Record<string, Partial<Record<Severity, number>>>,
    elapsedMs: r.elapsed_ms,
  };
}

export class ValidationStore {
  /** the findings of the runs opened on the page, indexed (filters, sorting, counts) */
  readonly findings: FindingsIndex;
  readonly acks: AckStore;

  constructor(private readonly db: Database.Database) {
    this.findings = new FindingsIndex(db);
    this.acks = new AckStore(db);
  }

  /** Records a run and its per-rule summary in one transaction. */
  save(run: ValidationRunRecord): void {
    const insertRun = this.db.prepare(`INSERT INTO validation_runs (id, created_at, job_id, scope, thresholds, calendar_version,
      provider, feed, report_file, series, bars_checked, findings_total, counts, elapsed_ms)
      VALUES (@id, @createdAt, @jobId, @scope, @thresholds, @calendarVersion, @provider, @feed, @reportFile, @series,
      @barsChecked, @findingsTotal, @counts, @elapsedMs)`);
    const insertSummary = this.db.prepare(`INSERT INTO validation_summary (run_id, rule, severity, count) VALUES (?, ?, ?, ?)`);
    this.db.transaction(() => {
      insertRun.run({
        ...run,
        scope: JSON.stringify(run.scope),
        thresholds: JSON.stringify(run.thresholds),
        counts: JSON.stringify(run.counts),
        elapsedMs: Math.round(run.elapsedMs),
      });
      for (const [rule, bySeverity] of Object.entries(run.counts)) {
        for (const [severity, count] of Object.entries(bySeverity)) if (count) insertSummary.run(run.id, rule, severity, count);
      }
    })();
  }

  get(id: string): ValidationRunRecord | null {
    const row = this.db.prepare(`SELECT * FROM validation_runs WHERE id = ?`).get(id);
    return row === undefined ? null : toRecord(row);
  }

  /** Newest first; optionally only the runs of one ingest job. */
  list(opts: { limit?: number; jobId?: string } = {}): ValidationRunRecord[] {
    const limit = Math.max(1, Math.min(opts.limit ?? 50, 10_000));
    const rows =
      opts.jobId === undefined
        ? this.db.prepare(`SELECT * FROM validation_runs ORDER BY created_at DESC, id DESC LIMIT ?`).all(limit)
        : this.db.prepare(`SELECT * FROM validation_runs WHERE job_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`).all(opts.jobId, limit);
    return rows.map(toRecord);
  }

  summary(runId: string): SummaryRow[] {
    return this.db
      .prepare(`SELECT rule, severity, count FROM validation_summary WHERE run_id = ? ORDER BY rule, severity`)
      .all(runId)
      .map((r) => SummaryRowSchema.parse(r));
  }
}
