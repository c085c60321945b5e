import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type { FindingsPage, ReportChunk } from '../contract/validation';
import { sqlString } from '../lake/layout';
import { MpError } from '../shared/errors';
import { REPORT_HEADER } from './report';

// Reading a run's findings back for the page. The report CSV is the one source of truth for a run's findings (a run
// can hold 100k of them: they never sit in SQLite nor in JS memory); DuckDB's CSV reader filters and pages it, so the
// page gets one screen of rows per request however large the run (100k findings: about 0.1-0.2 s a page here).

export interface FindingsFilter {
  symbol?: string;
  rule?: string;
  severity?: string;
  offset: number;
  limit: number;
}

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

function ensureReport(file: string): void {
  if (!fs.existsSync(file)) throw new MpError('E_NOT_FOUND', `the report ${path.basename(file)} is gone from ${path.dirname(file)}`);
}

export async function readFindings(runId: string, file: string, f: FindingsFilter): Promise<FindingsPage> {
  ensureReport(file);
  const where: string[] = [];
  const params: Record<string, DuckDBValue> = {};
  if (f.symbol !== undefined) {
    where.push('symbol = $symbol');
    params.symbol = f.symbol;
  }
  if (f.rule !== undefined) {
    where.push('rule = $rule');
    params.rule = f.rule;
  }
  if (f.severity !== undefined) {
    where.push('severity = $severity');
    params.severity = f.severity;
  }
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  try {
    // Two passes, neither materialising the run: a count that reads only the filtered columns, and the page, which
    // stops reading once it has its rows (the reader keeps the file's order, so OFFSET is stable).
    const filtered = `FROM ${readCsv(file)} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    const total = Number((await conn.runAndReadAll(`SELECT count(*) ${filtered}`, params)).getRows()[0]?.[0] ?? 0);
    const rows = (
      await conn.runAndReadAll(
        `SELECT symbol, timeframe, ts, rule, severity, ${unguard('message')} AS message, ${unguard('provider')} AS provider,
           ${unguard('feed')} AS feed, value, ${unguard('observed')} AS observed
         ${filtered} LIMIT ${f.limit} OFFSET ${f.offset}`,
        params,
      )
    ).getRowObjectsJson() as Record<string, unknown>[];
    return {
      runId,
      total,
      offset: f.offset,
      rows: rows.map((r) => ({
        symbol: String(r.symbol ?? ''),
        timeframe: String(r.timeframe ?? ''),
        ts: String(r.ts ?? ''),
        rule: String(r.rule ?? ''),
        severity: String(r.severity ?? ''),
        message: String(r.message ?? ''),
        provider: r.provider == null ? null : String(r.provider),
        feed: r.feed == null ? null : String(r.feed),
        value: r.value == null || !Number.isFinite(Number(r.value)) ? null : Number(r.value),
        observed: r.observed == null ? null : String(r.observed),
      })),
    };
  } catch (e) {
    throw new MpError('E_IO', `reading the report ${path.basename(file)} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Bytes [offset, offset + length) of a report, base64: web mode downloads a report this way, chunk by chunk. */
export function readReportChunk(file: string, offset: number, length: number): ReportChunk {
  ensureReport(file);
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
