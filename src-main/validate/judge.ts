import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CALENDAR_VERSION, exchangeDate } from '../calendar';
import { clampToCalendar, createCalendarTable, dateOfDayNumber, dayNumberOf, exchangeDaySql, exchangeMidnight, type CalendarRange } from '../calendar/sql';
import type { RecordedDuplicate } from '../db/duplicates';
import { HIVE_TYPES, sqlString } from '../lake/layout';
import type { SelectedSource } from '../lake/select';
import { threadExitPoint } from '../pipeline/crashpoint';
import { MpError } from '../shared/errors';
import { TIMEFRAME_MS } from '../../src-common/timeframes';
import { insertDeliveredDuplicates } from './delivered';
import { isoSql, writeReport } from './report';
import { RULE_IDS, SEVERITIES, type RuleId, type Severity, type Thresholds } from './rules';
import type { Scope } from './scope';
import { barRules, dayRules, daySummarySql, NUMBER_MACRO, seriesSummarySql, type RuleContext } from './sql';

// The DuckDB part of a validation run: open an in-memory DuckDB, run every rule over the selected series, write the
// audit CSV, close. It runs in the validate worker thread (validateWorker.ts) under the engine, so that neither the
// rules' statements nor the instance's close (a synchronous call of 150-550 ms after a 2.4M-bar run, issue 13) hold the
// engine's event loop; runValidation() (run.ts) keeps what needs the engine (the catalog's series, the store).

/** DuckDB's memory limit for a validation run: past it, the run spills to its temp folder. */
export const VALIDATION_MEMORY = '256MB';

// with VALIDATION_MEMORY: 1M bars a batch (about 100 MB in table b) cost the same CPU as 8M (which spilled past the
// limit) and kept the run's RSS growth at ~350 MB instead of ~570 MB (docs/benchmarks.md, peak memory)
const DEFAULT_BATCH_ROWS = 1_000_000;

export type FindingCounts = Record<RuleId, Record<Severity, number>>;

/** What a run judges: everything plain data, so that it can cross to the worker thread. */
export interface JudgeInput {
  /** where DuckDB spills past its memory limit (a folder of the data dir); null: nothing spills */
  tempDir: string | null;
  scope: Scope;
  thresholds: Thresholds;
  /** epoch ms; "now" for future_timestamp and for which sessions are over */
  now: number;
  reportFile: string;
  jobId: string | null;
  /** the series to judge, with their partition files */
  sources: SelectedSource[];
  /** bars held in memory at once (series are validated in batches of whole series); null: 8 million */
  maxBatchRows: number | null;
  /** repeated timestamps the ingests recorded: duplicate_bar findings of the series in scope */
  deliveredDuplicates: RecordedDuplicate[];
}

export interface JudgeOutput {
  barsChecked: number;
  findings: FindingCounts;
  bySeverity: Record<Severity, number>;
  totalFindings: number;
  /** the providers and feeds judged, sorted */
  providers: string[];
  feeds: string[];
}

function emptyCounts(): FindingCounts {
  return Object.fromEntries(RULE_IDS.map((r) => [r, Object.fromEntries(SEVERITIES.map((s) => [s, 0]))])) as FindingCounts;
}

async function scalarRows(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await conn.runAndReadAll(sql)).getRowsJson() as unknown[][];
}

/** Whole series packed into batches of at most maxRows bars (a series larger than that is a batch of its own). */
function batches<S extends { rows: number }>(sources: S[], maxRows: number): S[][] {
  const out: S[][] = [];
  let cur: S[] = [];
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

/** Runs every rule over the input's series and writes the audit CSV; the lake is only read. */
export async function judge(i: JudgeInput): Promise<JudgeOutput> {
  const scope = i.scope;
  const t = i.thresholds;
  const now = i.now;
  // a bounded DuckDB: a year of 150 symbols (14M bars) took 1.96 GB of RSS with DuckDB's default limit (80% of RAM)
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: VALIDATION_MEMORY, ...(i.tempDir ? { temp_directory: i.tempDir } : {}) });
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
    if (i.sources.length > 0) {
      const sources = i.sources.map((s, k) => ({ ...s, sid: k + 1, rows: 0 }));
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
        for (const batch of batches(sources, i.maxBatchRows ?? DEFAULT_BATCH_ROWS)) {
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
      if (i.deliveredDuplicates.length) await insertDeliveredDuplicates(conn, i.deliveredDuplicates, lo, hi);
      threadExitPoint('validate.judged');
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
         ${i.jobId === null ? 'NULL::VARCHAR' : sqlString(i.jobId)} AS job_id, ${sqlString(CALENDAR_VERSION)} AS calendar_version,
         f.value, f.observed
       FROM findings f JOIN series s USING (sid)
       ORDER BY s.symbol, s.timeframe, s.provider, s.feed, f.e, f.rule`,
      i.reportFile,
    );
    return { barsChecked, findings: counts, bySeverity, totalFindings, providers, feeds };

  } catch (e) {
    if (e instanceof MpError) throw e;
    throw new MpError('E_INTERNAL', `validation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
