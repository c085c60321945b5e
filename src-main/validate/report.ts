import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { publishAtomically } from '../lake/fsync';
import { sqlString } from '../lake/layout';
import { MpError } from '../shared/errors';

// The audit CSV. Written by DuckDB's COPY (streaming, so a million findings never sit in JS memory), then published
// atomically: a reader never sees half a report.
//
// Columns: symbol,timeframe,ts,rule,severity,message first (the stable header every consumer can rely on), then
// provider,feed,job_id,calendar_version,value,observed. `value` is the rule's key number (the move, the bars missing,
// ...), written as a plain number; `observed` is the bar's values as a JSON object.
//
// Quoting is RFC 4180: a field is quoted when it holds a comma, a double quote (doubled inside) or a line break; the
// record separator is LF (DuckDB's writer; RFC 4180 parsers and spreadsheets accept it).
//
// Formula-injection guard (CWE-1236): a text cell that starts with = + - @ TAB or CR gets a leading apostrophe, so a
// spreadsheet shows it as text instead of running it. Nothing is lost: strip one leading apostrophe from such a cell to
// get the original. Numeric columns (value) are never prefixed: a negative number stays a number.

export const REPORT_HEADER = ['symbol', 'timeframe', 'ts', 'rule', 'severity', 'message', 'provider', 'feed', 'job_id', 'calendar_version', 'value', 'observed'] as const;

export const FORMULA_GUARD_MACRO = `CREATE OR REPLACE TEMP MACRO mp_guard(x) AS
  CASE WHEN regexp_matches(x, '^[=+\\-@\\t\\r]') THEN '''' || x ELSE x END`;

/** The guard as JS, for callers that write cells themselves (tests, other exporters). */
export function guardCell(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** ISO 8601 UTC with Z of an epoch-ms expression; milliseconds only when there are any. */
export function isoSql(e: string): string {
  return `CASE WHEN (${e}) % 1000 = 0 THEN strftime(epoch_ms(${e}), '%Y-%m-%dT%H:%M:%SZ') ELSE strftime(epoch_ms(${e}), '%Y-%m-%dT%H:%M:%S.%gZ') END`;
}

export function reportFileName(runId: string, createdAt: Date): string {
  const stamp = createdAt.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `validation-${stamp}-${runId}.csv`;
}

/**
 * Writes the report of the rows of `selectSql` (which must yield the REPORT_HEADER columns in order, raw) to `file`.
 * Text columns go through the guard here, so callers cannot forget it.
 */
export async function writeReport(conn: DuckDBConnection, selectSql: string, file: string): Promise<void> {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  await conn.run(FORMULA_GUARD_MACRO);
  const guarded = `SELECT mp_guard(symbol) AS symbol, timeframe, ts, rule, severity, mp_guard(message) AS message,
      mp_guard(provider) AS provider, mp_guard(feed) AS feed, mp_guard(job_id) AS job_id, calendar_version,
      value, mp_guard(observed) AS observed
    FROM (${selectSql})`;
  try {
    await conn.run(`COPY (${guarded}) TO ${sqlString(tmp)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"', NEW_LINE '\r\n')`);
    await publishAtomically(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new MpError('E_IO', `writing the validation report ${file} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
