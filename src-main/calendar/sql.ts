import type { DuckDBConnection } from '@duckdb/node-api';
import {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  EXCHANGE_TZ,
  holidayName,
  sessionFor,
  zonedTimeToUtc,
} from './index';

// The exchange calendar as DuckDB sees it. Validation and aggregation work on epoch milliseconds (BIGINT) and exchange
// "day numbers" (days since 1970-01-01 of the New York calendar date), never on ICU time-zone conversions per row:
// those cost about a microsecond a row (seconds over a few million bars), integer arithmetic costs nothing.

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;
const HOUR = 3_600_000;

/** Days since 1970-01-01 of a 'YYYY-MM-DD' date (the date itself, not an instant). */
export function dayNumberOf(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;
}

export function dateOfDayNumber(dn: number): string {
  return new Date(dn * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 00:00 America/New_York of `date`, epoch ms. */
export function exchangeMidnight(date: string): number {
  return zonedTimeToUtc(date, 0, 0, EXCHANGE_TZ);
}

export interface CalendarRange {
  /** first and last day numbers covered (inclusive) */
  first: number;
  last: number;
}

/** Clamps a day-number range to the years the calendar knows; null when nothing is left. */
export function clampToCalendar(first: number, last: number): CalendarRange | null {
  const lo = Math.max(first, dayNumberOf(`${CALENDAR_FIRST_YEAR}-01-01`));
  const hi = Math.min(last, dayNumberOf(`${CALENDAR_LAST_YEAR}-12-31`));
  return lo <= hi ? { first: lo, last: hi } : null;
}

/**
 * SQL for the exchange day number of an epoch-ms expression. New York is UTC-4 or UTC-5, so the local date is one of
 * two candidates: g = day of (e - 4h), or g - 1. It is g when e is at or after local midnight of g, whose offset is
 * -4h when midnight of g falls in daylight time. The daylight-midnight day ranges come from the zone data (Intl) for
 * the range, so this is exact without calling ICU per row. Outside `range` midnight is taken as standard time.
 */
export function exchangeDaySql(e: string, range: CalendarRange): string {
  const edt: Array<[number, number]> = [];
  let runStart: number | null = null;
  for (let dn = range.first - 1; dn <= range.last + 1; dn++) {
    const date = dateOfDayNumber(dn);
    const isEdt = dn * MS_PER_DAY - exchangeMidnight(date) === -4 * HOUR;
    if (isEdt && runStart === null) runStart = dn;
    if (!isEdt && runStart !== null) {
      edt.push([runStart, dn - 1]);
      runStart = null;
    }
  }
  if (runStart !== null) edt.push([runStart, range.last + 1]);
  const g = `((${e}) - ${4 * HOUR}) // ${MS_PER_DAY}`;
  const daylight = edt.length === 0 ? 'false' : edt.map(([a, b]) => `(${g} BETWEEN ${a} AND ${b})`).join(' OR ');
  return `(CASE WHEN (${e}) >= ${g} * ${MS_PER_DAY} + (CASE WHEN ${daylight} THEN ${4 * HOUR} ELSE ${5 * HOUR} END) THEN ${g} ELSE ${g} - 1 END)`;
}

export interface CalendarDayRow {
  dn: number;
  date: string;
  startMs: number;
  trading: boolean;
  /** why the exchange is shut: 'Saturday', 'Sunday' or the holiday's name; null on trading days */
  closedWhy: string | null;
  preOpen: number | null;
  regularOpen: number | null;
  regularClose: number | null;
  postClose: number | null;
  earlyClose: boolean;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function calendarDays(range: CalendarRange): CalendarDayRow[] {
  const rows: CalendarDayRow[] = [];
  for (let dn = range.first; dn <= range.last; dn++) {
    const date = dateOfDayNumber(dn);
    const s = sessionFor(date);
    const dow = new Date(dn * MS_PER_DAY).getUTCDay();
    rows.push({
      dn,
      date,
      startMs: exchangeMidnight(date),
      trading: s !== null,
      closedWhy: s !== null ? null : (holidayName(date) ?? WEEKDAYS[dow] ?? null),
      preOpen: s?.preOpen ?? null,
      regularOpen: s?.regularOpen ?? null,
      regularClose: s?.regularClose ?? null,
      postClose: s?.postClose ?? null,
      earlyClose: s?.earlyClose ?? false,
    });
  }
  return rows;
}

const num = (n: number | null) => (n === null ? 'NULL' : String(n));
const str = (s: string | null) => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);

/**
 * Creates (or replaces) the temp table `table` with one row per calendar date of the range: day number, date, local
 * midnight, whether it trades and why not, and the session bounds in epoch ms (NULL on closed days).
 */
export async function createCalendarTable(conn: DuckDBConnection, range: CalendarRange, table = 'cal'): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} (dn INTEGER PRIMARY KEY, d DATE, start_ms BIGINT, trading BOOLEAN,
    closed_why VARCHAR, pre_open BIGINT, reg_open BIGINT, reg_close BIGINT, post_close BIGINT, early_close BOOLEAN)`);
  const rows = calendarDays(range);
  // A few hundred rows a year: VALUES in slices keeps each statement small.
  for (let i = 0; i < rows.length; i += 1000) {
    const values = rows
      .slice(i, i + 1000)
      .map((r) => `(${r.dn}, DATE '${r.date}', ${r.startMs}, ${r.trading}, ${str(r.closedWhy)}, ${num(r.preOpen)}, ${num(r.regularOpen)}, ${num(r.regularClose)}, ${num(r.postClose)}, ${r.earlyClose})`)
      .join(',\n');
    await conn.run(`INSERT INTO ${table} VALUES ${values}`);
  }
}
