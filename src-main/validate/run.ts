import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CALENDAR_VERSION, exchangeDate } from '../calendar';
import { HIVE_TYPES, sqlString } from '../lake/layout';
import { MpError } from '../shared/errors';
import { clampToCalendar, createCalendarTable, dateOfDayNumber, dayNumberOf, exchangeDaySql, exchangeMidnight, type CalendarRange } from '../calendar/sql';
import { isoSql, reportFileName, writeReport } from './report';
import { RULE_IDS, SEVERITIES, ThresholdsSchema, type RuleId, type Severity, type Thresholds, type ThresholdsInput } from './rules';
import type { SourceKey } from '../lake/layout';
import { ScopeSchema, type Scope, type ScopeInput } from './scope';
import { selectSources, type SelectedSource } from '../lake/select';
import { TIMEFRAME_MS } from '../../src-common/timeframes';
import { barRules, dayRules, daySummarySql, NUMBER_MACRO, seriesSummarySql, type RuleContext } from './sql';
import type { ValidationStore, ValidationRunRecord } from './store';
import type { RecordedDuplicate } from '../db/duplicates';
import { insertDeliveredDuplicates } from './delivered';

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
  /** DuckDB's memory_limit for the run (default VALIDATION_MEMORY) */
  memoryLimit?: string;
  /** repeated timestamps the ingests recorded (the lake keeps one copy): duplicate_bar findings of the series in scope */
  deliveredDuplicates?: RecordedDuplicate[];
}

export type FindingCounts = Record<RuleId, Record<Severity, number>>;

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

// with VALIDATION_MEMORY: 1M bars a batch (about 100 MB in table b) cost the same CPU as 8M (which spilled past the
// limit) and kept the run's RSS growth at ~350 MB instead of ~570 MB (docs/benchmarks.md, peak memory)
const DEFAULT_BATCH_ROWS = 1_000_000;

function emptyCounts(): FindingCounts {
  return Object.fromEntries(RULE_IDS.map((r) => [r, Object.fromEntries(SEVERITIES.map((s) => [s, 0]))])) as FindingCounts;
}

async function scalarRows(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await conn.runAndReadAll(sql)).getRowsJson() as unknown[][];
}

/** Whole series packed into batches of at most maxRows bars (a series larger than that is a batch of its own). */
function batches(sources: Array<SelectedSource & { sid: number; rows: number }>, maxRows: number) {
  const out: Array<typeof sources> = [];
  let cur: typeof sources = [];
  let rows = 0;
  for (const s of sources) {
    if (cur.length > 0 && rows + s.rows > maxRows) {
      out.push(cur);
      cur = [];
      rows = 0;
    }
    cur.push(s);
    rows += s.rows;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * Runs every rule over the bars of `scope` and writes the audit CSV. Opens its own in-memory DuckDB; the lake is only
 * read. Returns counts; the findings themselves are in the CSV.
 */
/** DuckDB's memory limit for a validation run: past it, the run spills to its temp folder. */
export const VALIDATION_MEMORY = '256MB';

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
  // a bounded DuckDB: a year of 150 symbols (14M bars) took 1.96 GB of RSS with DuckDB's default limit (80% of RAM)
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: opts.memoryLimit ?? VALIDATION_MEMORY, ...(opts.tempDir ? { temp_directory: opts.tempDir } : {}) });
  const conn = await instance.connect();
  try {
    // Timestamps are UTC everywhere; the session zone only affects printing.
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run(NUMBER_MACRO);
    await conn.run(`CREATE TEMP TABLE series (sid INTEGER PRIMARY KEY, provider VARCHAR, feed VARCHAR, timeframe VARCHAR, symbol VARCHAR, step_ms BIGINT)`);
    await conn.run(`CREATE TEMP TABLE judged (sid INTEGER)`);
    await conn.run(`CREATE TEMP TABLE findings (sid INTEGER, e BIGINT, rule VARCHAR, severity VARCHAR, message VARCHAR, value DOUBLE, observed VARCHAR)`);

    const lo = scope.start ? exchangeMidnight(scope.start) : null;
    const hi = scope.end ? exchangeMidnight(dateOfDayNumber(dayNumberOf(scope.end) + 1)) : null;
    const tsFilter = [lo === null ? null : `ts >= to_timestamp(${lo / 1000})`, hi === null ? null : `ts < to_timestamp(${hi / 1000})`].filter(Boolean).join(' AND ') || 'true';

    let barsChecked = 0;
    if (selected.length > 0) {
      const sources = selected.map((s, i) => ({ ...s, sid: i + 1, rows: 0 }));
      const values = sources.map((s) => `(${s.sid}, ${[s.provider, s.feed, s.timeframe, s.symbol].map(sqlString).join(', ')}, ${TIMEFRAME_MS[s.timeframe]})`).join(', ');
      await conn.run(`INSERT INTO series VALUES ${values}`);
      const allFiles = sources.flatMap((s) => s.files.map((f) => f.file));
      // Footers only: row counts for batching and the time range for the calendar table, without reading the data.
      const meta = await scalarRows(conn, `SELECT file_name, num_rows FROM parquet_file_metadata([${allFiles.map(sqlString).join(', ')}])`);
      const rowsByFile = new Map(meta.map(([f, n]) => [String(f), Number(n)]));
      for (const s of sources) s.rows = s.files.reduce((acc, f) => acc + (rowsByFile.get(f.file) ?? 0), 0);
      const [range] = await scalarRows(conn, `SELECT epoch_ms(min(ts)), epoch_ms(max(ts)) FROM read_parquet([${allFiles.map(sqlString).join(', ')}]) WHERE ${tsFilter}`);
      const minMs = range?.[0] == null ? null : Number(range[0]);
      const maxMs = range?.[1] == null ? null : Number(range[1]);
      if (minMs !== null && maxMs !== null) {
        const firstDay = Math.min(dayNumberOf(exchangeDate(minMs)), scope.start ? dayNumberOf(scope.start) : Infinity) - 1;
        const lastDay = Math.max(dayNumberOf(exchangeDate(maxMs)), scope.end ? dayNumberOf(scope.end) : -Infinity) + 1;
        const calRange: CalendarRange = clampToCalendar(firstDay, lastDay) ?? { first: firstDay, last: firstDay - 1 };
        await createCalendarTable(conn, calRange);
        const ctx: RuleContext = {
          t,
          now,
          scopeFirstDay: scope.start ? dayNumberOf(scope.start) : null,
          scopeLastDay: scope.end ? dayNumberOf(scope.end) : null,
        };
        const ld = exchangeDaySql('e', calRange);
        for (const batch of batches(sources, opts.maxBatchRows ?? DEFAULT_BATCH_ROWS)) {
          const files = batch.flatMap((s) => s.files.map((f) => sqlString(f.file)));
          const sids = batch.map((s) => s.sid).join(', ');
          // One sort per batch: every rule that looks at the previous bar reads prev_* instead of sorting again.
          await conn.run(`CREATE OR REPLACE TEMP TABLE b AS
            SELECT sid, e, open, high, low, close, volume, ld,
              lag(e) OVER w AS prev_e, lag(close) OVER w AS prev_close, lag(ld) OVER w AS prev_ld, row_number() OVER w AS rn
            FROM (
              SELECT sid, e, open, high, low, close, volume, ${ld} AS ld FROM (
                SELECT s.sid, epoch_ms(r.ts) AS e, r.open, r.high, r.low, r.close, r.volume
                FROM read_parquet([${files.join(', ')}], hive_partitioning = true, hive_types = ${HIVE_TYPES}) r
                JOIN series s ON s.provider = r.provider AND s.feed = r.feed AND s.timeframe = r.timeframe AND s.symbol = r.symbol
                WHERE s.sid IN (${sids}) AND ${tsFilter.replace(/\bts\b/g, 'r.ts')}
              )
            )
            WINDOW w AS (PARTITION BY sid ORDER BY e)`);
          barsChecked += Number((await scalarRows(conn, `SELECT count(*) FROM b`))[0]?.[0] ?? 0);
          await conn.run(`INSERT INTO judged SELECT DISTINCT sid FROM b`);
          for (const sql of barRules(ctx)) await conn.run(sql);
          await conn.run(daySummarySql());
          await conn.run(seriesSummarySql(t));
          for (const sql of dayRules(ctx)) await conn.run(sql);
        }
        await conn.run(`DROP TABLE IF EXISTS b; DROP TABLE IF EXISTS sd; DROP TABLE IF EXISTS ss`);
      }
      if (opts.deliveredDuplicates?.length) await insertDeliveredDuplicates(conn, opts.deliveredDuplicates, lo, hi);
    }

    const counts = emptyCounts();
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    let totalFindings = 0;
    for (const [rule, severity, n] of await scalarRows(conn, `SELECT rule, severity, count(*) FROM findings GROUP BY ALL`)) {
      const count = Number(n);
      counts[rule as RuleId][severity as Severity] = count;
      bySeverity[severity as Severity] += count;
      totalFindings += count;
    }
    const judged = await scalarRows(
      conn,
      `SELECT coalesce(list_sort(list(DISTINCT provider)), []), coalesce(list_sort(list(DISTINCT feed)), []) FROM series WHERE sid IN (SELECT sid FROM judged)`,
    );
    const providers = (judged[0]?.[0] as string[] | undefined) ?? [];
    const feeds = (judged[0]?.[1] as string[] | undefined) ?? [];

    await writeReport(
      conn,
      `SELECT s.symbol, s.timeframe, ${isoSql('f.e')} AS ts, f.rule, f.severity, f.message, s.provider, s.feed,
         ${jobId === null ? 'NULL::VARCHAR' : sqlString(jobId)} AS job_id, ${sqlString(CALENDAR_VERSION)} AS calendar_version,
         f.value, f.observed
       FROM findings f JOIN series s USING (sid)
       ORDER BY s.symbol, s.timeframe, s.provider, s.feed, f.e, f.rule`,
      reportFile,
    );

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
  } catch (e) {
    if (e instanceof MpError) throw e;
    throw new MpError('E_INTERNAL', `validation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
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
