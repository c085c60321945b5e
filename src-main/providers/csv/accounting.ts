import type { DuckDBConnection } from '@duckdb/node-api';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, EXCHANGE_TZ, exchangeDate, isTradingDay } from '../../calendar';
import { DUPLICATE_DETAIL_LIMIT, type BarValues, type DeliveryDuplicates } from '../batch';
import { BAR_COLUMNS } from '../types';
import type { SourceRows } from '../types';
import { unionOf, type ParsedSource } from './parse';
import { sqlString } from './columns';

// What a source holds for an import, for the job's row accounting (every row stored, or counted with its reason), and
// what a unit's de-duplication drops. All in SQL over the parsed tables, like the import itself.

async function rows(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await conn.runAndReadAll(sql)).getRows() as unknown[][];
}

const exchangeDay = `strftime(timezone('${EXCHANGE_TZ}', to_timestamp(ts / 1000)), '%Y-%m-%d')`;

function* datesBetween(first: string, last: string): Generator<string> {
  const d = new Date(`${first}T00:00:00Z`);
  for (let s = first; s <= last; d.setUTCDate(d.getUTCDate() + 1), s = d.toISOString().slice(0, 10)) yield s;
}

/**
 * The rows of the picked symbols inside `where` (the requested range): how many, how many of them lie at or after
 * `cutoff` (epoch ms: after the last closed session), and, among the others, those on days without a session, per
 * symbol and day (few: weekends and holidays are where vendor files rarely put bars).
 */
export async function sourceRows(conn: DuckDBConnection, parsed: ParsedSource, picked: { key: string; symbol: string }[], where: string | undefined, cutoff: number): Promise<SourceRows> {
  const keys = picked.map((p) => sqlString(p.key)).join(', ');
  const body = `SELECT s, ts FROM (${unionOf(parsed.files, { cols: ['ts'], where })}) WHERE s IN (${keys})`;
  const [total] = await rows(conn, `SELECT count(*)::DOUBLE, count(*) FILTER (WHERE ts >= ${cutoff})::DOUBLE, min(ts), max(ts) FROM (${body})`);
  const received = Number(total?.[0] ?? 0);
  const future = Number(total?.[1] ?? 0);
  if (received === 0) return { received, future, closedDays: [] };
  const first = exchangeDate(Number(total![2]));
  const last = exchangeDate(Math.min(Number(total![3]), cutoff - 1));
  // days the calendar does not know are refused by prepare() before a job exists: none of them counts here
  const lo = first < `${CALENDAR_FIRST_YEAR}-01-01` ? `${CALENDAR_FIRST_YEAR}-01-01` : first;
  const hi = last > `${CALENDAR_LAST_YEAR}-12-31` ? `${CALENDAR_LAST_YEAR}-12-31` : last;
  const closed = [...datesBetween(lo, hi)].filter((d) => !isTradingDay(d));
  if (closed.length === 0 || first > last) return { received, future, closedDays: [] };
  const symbolOf = new Map(picked.map((p) => [p.key, p.symbol]));
  const got = await rows(
    conn,
    `SELECT s, d, count(*)::DOUBLE FROM (SELECT s, ${exchangeDay} AS d FROM (${body}) WHERE ts < ${cutoff})
       WHERE d IN (${closed.map(sqlString).join(', ')}) GROUP BY s, d ORDER BY s, d`,
  );
  return { received, future, closedDays: got.map(([s, d, n]) => ({ symbol: symbolOf.get(String(s))!, date: String(d), rows: Number(n) })) };
}

const VALUE_COLS = BAR_COLUMNS.filter((c) => c !== 'ts');

function valuesOf(row: unknown[], at: number): BarValues {
  const v = VALUE_COLS.map((_, i) => Number(row[at + i]));
  const opt = (x: number) => (Number.isNaN(x) ? null : x);
  return { open: v[0]!, high: v[1]!, low: v[2]!, close: v[3]!, volume: v[4]!, tradeCount: opt(v[5]!), vwap: opt(v[6]!) };
}

/**
 * The copies a unit drops (every copy of a repeated timestamp but the last in reading order: later file, later row),
 * each with the copy kept: the first DUPLICATE_DETAIL_LIMIT in ts order, and how many in all.
 */
export async function unitDuplicates(conn: DuckDBConnection, parsed: ParsedSource, key: string, where: string | undefined): Promise<DeliveryDuplicates> {
  const cols = BAR_COLUMNS.map((c) => `"${c}"`).join(', ');
  const ranked = `SELECT ${cols}, row_number() OVER (PARTITION BY ts ORDER BY f DESC, r DESC) AS k
    FROM (${unionOf(parsed.files, { cols: [...BAR_COLUMNS, 'f', 'r'], symbol: key, where })})`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE mp_dups AS SELECT * FROM (${ranked}) WHERE ts IN (SELECT ts FROM (${ranked}) WHERE k > 1)`);
  try {
    const count = Number((await rows(conn, `SELECT count(*)::DOUBLE FROM mp_dups WHERE k > 1`))[0]?.[0] ?? 0);
    const vals = (t: string) => VALUE_COLS.map((c) => `${t}."${c}"::DOUBLE`).join(', ');
    const got = await rows(
      conn,
      `SELECT d.ts::DOUBLE, ${vals('kept')}, ${vals('d')} FROM mp_dups d JOIN mp_dups kept ON kept.ts = d.ts AND kept.k = 1
         WHERE d.k > 1 ORDER BY d.ts, d.k LIMIT ${DUPLICATE_DETAIL_LIMIT}`,
    );
    return { count, sample: got.map((r) => ({ ts: Number(r[0]), kept: valuesOf(r, 1), dropped: valuesOf(r, 1 + VALUE_COLS.length) })) };
  } finally {
    await conn.run(`DROP TABLE IF EXISTS mp_dups`);
  }
}
