import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { FindingCounts, FindingsPage, FindingsQuery, ReportChunk } from '../contract/validation';
import { sqlString } from '../lake/layout';
import { MpError } from '../shared/errors';
import { applyAcksToRun, toAck } from './ack';
import { guardCell, REPORT_HEADER } from './report';

// A run's findings for the Validation page. The CSV report is the audit record; the first time the page opens a run,
// its findings are copied into SQLite (migration 0014: validation_findings), where filters, sorting on any column,
// counts by rule and severity and paging are indexed SQL: a page of a 100k-finding run is a few ms, not a CSV scan.
// The copy is a cache: the few most recently opened runs are kept, and a report that changed or vanished is noticed
// on every request (the report stays the truth).

/** Runs whose findings stay loaded (by last opened); a 100k-finding run is about 30 MB in the database. */
export const KEEP_LOADED_RUNS = 8;
/** Rows per SQLite transaction while loading: other requests get the database between batches. */
const LOAD_BATCH = 20_000;

// Every option explicit, like the csv provider: a report we wrote is read exactly as written, never sniffed. The line
// ending is left to the reader, which takes CRLF (reports since issue 13) and LF (older reports) alike.
const COLUMNS = `{${REPORT_HEADER.map((c) => `'${c}': '${c === 'value' ? 'DOUBLE' : 'VARCHAR'}'`).join(', ')}}`;
function readCsv(file: string): string {
  return `read_csv(${sqlString(file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    columns = ${COLUMNS}, null_padding = false, strict_mode = true)`;
}

/** The formula guard undone: the page shows the text as the rule wrote it (React escapes it for the screen). */
function unguard(col: string): string {
  return `CASE WHEN regexp_matches(${col}, '^''[=+\\-@\\t\\r]') THEN substr(${col}, 2) ELSE ${col} END`;
}

const SEV = ['error', 'warning', 'info'] as const;

function reportStat(file: string): fs.Stats {
  try {
    return fs.statSync(file);
  } catch {
    throw new MpError('E_NOT_FOUND', `the report ${path.basename(file)} is gone from ${path.dirname(file)}`);
  }
}

const LOAD_SQL = (file: string) => `SELECT ${unguard('symbol')} AS symbol, timeframe, ts,
    coalesce(epoch_ms(try_cast(ts AS TIMESTAMP)), 0)::DOUBLE AS ts_ms, rule,
    CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END::INTEGER AS sev, ${unguard('message')} AS message,
    ${unguard('provider')} AS provider, ${unguard('feed')} AS feed, ${unguard('job_id')} AS job_id, calendar_version,
    value, ${unguard('observed')} AS observed
  FROM ${readCsv(file)}`;

const LoadedSchema = z.object({ rows: z.number().int(), report_size: z.number().int(), report_mtime: z.number().int() });

const RowSchema = z.object({
  seq: z.number().int(),
  symbol: z.string(),
  timeframe: z.string(),
  ts: z.string(),
  rule: z.string(),
  sev: z.number().int().min(0).max(2),
  message: z.string(),
  provider: z.string().nullable(),
  feed: z.string().nullable(),
  job_id: z.string().nullable(),
  calendar_version: z.string().nullable(),
  value: z.number().nullable(),
  observed: z.string().nullable(),
  ack_id: z.number().int().nullable(),
  ack_kind: z.string().nullable(),
  ack_symbol: z.string().nullable(),
  ack_rule: z.string().nullable(),
  ack_note: z.string().nullable(),
  ack_at: z.string().nullable(),
});
type Row = z.infer<typeof RowSchema>;

/** The SQL of a query's filters; `skip` leaves one out (each facet is counted under the other filters). */
function filters(q: Omit<FindingsQuery, 'runId'>, skip?: 'severity' | 'rule' | 'acknowledged'): { sql: string; params: Record<string, string | number> } {
  const where = ['f.run_id = @runId'];
  const params: Record<string, string | number> = {};
  if (q.symbol !== undefined) {
    where.push('f.symbol = @symbol');
    params.symbol = q.symbol;
  }
  if (q.rule !== undefined && skip !== 'rule') {
    where.push('f.rule = @rule');
    params.rule = q.rule;
  }
  if (q.severity !== undefined && skip !== 'severity') {
    where.push('f.sev = @sev');
    params.sev = SEV.indexOf(q.severity);
  }
  if (q.text) {
    where.push(`f.message LIKE @text ESCAPE '\\'`);
    params.text = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  if (skip !== 'acknowledged' && q.acknowledged !== 'show') where.push(q.acknowledged === 'hide' ? 'f.ack_id IS NULL' : 'f.ack_id IS NOT NULL');
  return { sql: where.join(' AND '), params };
}

const ORDER: Record<NonNullable<FindingsQuery['sort']>, string> = {
  ts: 'f.ts_ms',
  symbol: 'f.symbol',
  timeframe: 'f.timeframe',
  rule: 'f.rule',
  severity: 'f.sev',
  message: 'f.message',
  value: 'f.value',
};

/** Ties fall back to the report's order, in the sort's direction (so an index serves both directions). */
function orderBy(q: Pick<FindingsQuery, 'sort' | 'dir'>): string {
  const dir = q.dir === 'desc' ? 'DESC' : 'ASC';
  return q.sort ? `${ORDER[q.sort]} ${dir}, f.seq ${dir}` : `f.seq ${dir}`;
}

/** The audit report's columns, then the acknowledgement (empty when none). */
export const EXPORT_HEADER = [...REPORT_HEADER, 'acknowledged', 'ack_note', 'acknowledged_at'] as const;

/** A row as the export writes it: text cells keep the report's formula guard (the note is the analyst's text). */
function exportCells(r: Row): (string | number | null)[] {
  const g = (v: string | null) => (v === null ? null : guardCell(v));
  return [g(r.symbol), r.timeframe, r.ts, r.rule, SEV[r.sev] ?? null, g(r.message), g(r.provider), g(r.feed), g(r.job_id), r.calendar_version, r.value, g(r.observed), r.ack_kind, g(r.ack_note), r.ack_at];
}

export class FindingsIndex {
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly db: Database.Database) {}

  /** Makes sure the run's findings are loaded from its report (again if the report changed); E_NOT_FOUND if it is gone. */
  async ensure(runId: string, file: string): Promise<void> {
    const pending = this.loading.get(runId);
    if (pending) return pending;
    const st = reportStat(file);
    const loaded = this.db.prepare(`SELECT rows, report_size, report_mtime FROM validation_findings_runs WHERE run_id = ?`).get(runId);
    const l = loaded === undefined ? null : LoadedSchema.parse(loaded);
    if (l && l.rows >= 0 && l.report_size === st.size && l.report_mtime === Math.trunc(st.mtimeMs)) {
      this.db.prepare(`UPDATE validation_findings_runs SET opened_at = ? WHERE run_id = ?`).run(new Date().toISOString(), runId);
      return;
    }
    const p = this.load(runId, file, st).finally(() => this.loading.delete(runId));
    this.loading.set(runId, p);
    return p;
  }

  private async load(runId: string, file: string, st: fs.Stats): Promise<void> {
    // a marker with rows -1 first: a process killed mid-load leaves a run that is loaded again next time
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM validation_findings_runs WHERE run_id = ?`).run(runId);
      this.db
        .prepare(`INSERT INTO validation_findings_runs (run_id, rows, report_size, report_mtime, opened_at) VALUES (?, -1, ?, ?, ?)`)
        .run(runId, st.size, Math.trunc(st.mtimeMs), new Date().toISOString());
    })();
    const insert = this.db.prepare(`INSERT INTO validation_findings (run_id, seq, symbol, timeframe, ts, ts_ms, rule, sev, message, provider,
      feed, job_id, calendar_version, value, observed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertBatch = this.db.transaction((rows: unknown[][], first: number) => {
      rows.forEach((r, i) => insert.run(runId, first + i, ...r.map((v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))));
    });
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const conn = await instance.connect();
    let seq = 0;
    try {
      const result = await conn.stream(LOAD_SQL(file));
      let batch: unknown[][] = [];
      for await (const rows of result.yieldRowsJs()) {
        batch.push(...rows);
        if (batch.length >= LOAD_BATCH) {
          insertBatch(batch, seq);
          seq += batch.length;
          batch = [];
        }
      }
      insertBatch(batch, seq);
      seq += batch.length;
    } catch (e) {
      this.db.prepare(`DELETE FROM validation_findings_runs WHERE run_id = ?`).run(runId);
      throw new MpError('E_IO', `reading the report ${path.basename(file)} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    this.db.transaction(() => {
      applyAcksToRun(this.db, runId);
      this.db.prepare(`UPDATE validation_findings_runs SET rows = ? WHERE run_id = ?`).run(seq, runId);
      // the least recently opened runs beyond the few kept are dropped (their reports stay)
      this.db
        .prepare(`DELETE FROM validation_findings_runs WHERE run_id NOT IN (SELECT run_id FROM validation_findings_runs ORDER BY opened_at DESC LIMIT ?)`)
        .run(KEEP_LOADED_RUNS);
    })();
  }

  /** Counts for the filters above the table (each facet under the other filters, see FindingCountsSchema). */
  counts(q: FindingsQuery): FindingCounts {
    const sev = filters(q, 'severity');
    const bySeverity = { error: 0, warning: 0, info: 0 };
    for (const r of this.db.prepare(`SELECT f.sev AS sev, count(*) AS n FROM validation_findings f WHERE ${sev.sql} GROUP BY f.sev`).all({ ...sev.params, runId: q.runId })) {
      const { sev: s, n } = z.object({ sev: z.number().int().min(0).max(2), n: z.number().int() }).parse(r);
      bySeverity[SEV[s]!] = n;
    }
    const rule = filters(q, 'rule');
    const byRule = this.db
      .prepare(`SELECT f.rule AS rule, count(*) AS count FROM validation_findings f WHERE ${rule.sql} GROUP BY f.rule ORDER BY f.rule`)
      .all({ ...rule.params, runId: q.runId })
      .map((r) => z.object({ rule: z.string(), count: z.number().int() }).parse(r));
    const ack = filters(q, 'acknowledged');
    const acknowledged = Number(
      this.db.prepare(`SELECT count(*) FROM validation_findings f WHERE ${ack.sql} AND f.ack_id IS NOT NULL`).pluck().get({ ...ack.params, runId: q.runId }) ?? 0,
    );
    return { bySeverity, byRule, acknowledged };
  }

  /** Findings matching every filter. */
  total(q: FindingsQuery, counts: FindingCounts = this.counts(q)): number {
    const s = counts.bySeverity;
    return q.severity ? s[q.severity] : s.error + s.warning + s.info;
  }

  private rows(q: FindingsQuery, offset: number, limit: number): Row[] {
    const w = filters(q);
    return this.db
      .prepare(
        `SELECT f.seq, f.symbol, f.timeframe, f.ts, f.rule, f.sev, f.message, f.provider, f.feed, f.job_id, f.calendar_version, f.value,
           f.observed, f.ack_id, a.kind AS ack_kind, a.symbol AS ack_symbol, a.rule AS ack_rule, a.note AS ack_note, a.created_at AS ack_at
         FROM validation_findings f LEFT JOIN validation_acks a ON a.id = f.ack_id
         WHERE ${w.sql} ORDER BY ${orderBy(q)} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...w.params, runId: q.runId, limit, offset })
      .map((r) => RowSchema.parse(r));
  }

  /** One page of findings with the counts (the run must be loaded: ensure). */
  page(q: FindingsQuery, offset: number, limit: number): FindingsPage {
    const counts = this.counts(q);
    const rows = this.rows(q, offset, limit).map((r) => ({
      seq: r.seq,
      symbol: r.symbol,
      timeframe: r.timeframe,
      ts: r.ts,
      rule: r.rule,
      severity: SEV[r.sev]!,
      message: r.message,
      provider: r.provider,
      feed: r.feed,
      value: r.value,
      observed: r.observed,
      ack:
        r.ack_id === null || r.ack_kind === null
          ? null
          : toAck({ id: r.ack_id, kind: r.ack_kind, symbol: r.ack_symbol, rule: r.ack_rule, note: r.ack_note, created_at: r.ack_at }),
    }));
    return { runId: q.runId, total: this.total(q, counts), offset, rows, counts };
  }

  /** CSV lines (CRLF) of the findings a query selects, from `offset`; the header first when offset is 0. */
  csv(q: FindingsQuery, offset: number, limit: number): { csv: string; rows: number; total: number } {
    const rows = this.rows(q, offset, limit);
    // RFC 4180 like the reports: a field is quoted when it holds a comma, a quote (doubled) or a line break; CRLF
    const records: (string | number | null)[][] = rows.map(exportCells);
    if (offset === 0) records.unshift([...EXPORT_HEADER]);
    return { csv: stringify(records, { record_delimiter: '\r\n', cast: { number: (v) => String(v) } }), rows: rows.length, total: this.total(q) };
  }

  /** Writes the CSV of the findings a query selects to `file`, a batch at a time; returns the rows written. */
  writeCsv(q: FindingsQuery, file: string): number {
    const fd = fs.openSync(file, 'wx', 0o600);
    let written = 0;
    try {
      for (;;) {
        const part = this.csv(q, written, 5000);
        if (part.csv) fs.writeSync(fd, part.csv);
        written += part.rows;
        if (part.rows < 5000) return written;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** The name of a filtered export: the report's, marked. */
export function filteredName(reportName: string): string {
  return reportName.replace(/\.csv$/, '') + '-filtered.csv';
}

/** Bytes [offset, offset + length) of a report, base64: web mode downloads a report this way, chunk by chunk. */
export function readReportChunk(file: string, offset: number, length: number): ReportChunk {
  reportStat(file);
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (offset > size) throw new MpError('E_BAD_INPUT', `offset ${offset} is past the end of the report (${size} bytes)`);
    const buf = Buffer.alloc(Math.min(length, size - offset));
    let read = 0;
    while (read < buf.length) {
      const n = fs.readSync(fd, buf, read, buf.length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    return { fileName: path.basename(file), size, offset, data: buf.subarray(0, read).toString('base64'), done: offset + read >= size };
  } finally {
    fs.closeSync(fd);
  }
}
