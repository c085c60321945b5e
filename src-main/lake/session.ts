import type { Timeframe } from '../contract/schemas';
import { MpError } from '../shared/errors';
import { calendarDays, clampToCalendar, dayNumberOf } from '../calendar/sql';

// Every bar in the lake carries its `session` (pre | regular | post; NULL outside the extended-hours day or on a day
// the exchange is shut), computed once when the bar is written rather than in the `bars` view: a per-row time-zone
// conversion in a view would be paid by every query. A partition holds the bars of one exchange year, so the write
// carries that year's session bounds as a constant list indexed by day: a projection, not a join, so rows keep their
// order and a sorted write needs no sort.
//
// The index is the UTC day of (instant - 5 h), plain integer arithmetic. New York is UTC-5 or UTC-4, so that is the
// exchange date for every instant from 01:00 to 24:00 New York time: all of an extended-hours day (04:00-20:00). An
// instant it files under another day lies outside that day's window and gets NULL, as it should. boundsOf() checks
// this for every trading day of the year (the exact, zone-aware day is exchangeDaySql, which costs more per row).

const DAY_MS = 86_400_000;
const SHIFT_MS = 5 * 3_600_000;
const dayIndex = (ms: number) => Math.floor((ms - SHIFT_MS) / DAY_MS);

/** The session bounds of the trading days of `year` (and one either side), checked to fall in their shifted UTC day. */
function daysOf(year: number) {
  const range = clampToCalendar(dayNumberOf(`${year}-01-01`) - 1, dayNumberOf(`${year}-12-31`) + 1);
  if (!range) return null;
  const days = calendarDays(range);
  for (const d of days) {
    if (d.trading && (dayIndex(d.preOpen!) !== d.dn || dayIndex(d.postClose! - 1) !== d.dn)) {
      throw new MpError('E_INTERNAL', `the extended-hours day ${d.date} does not fall in one shifted UTC day`);
    }
  }
  return { days, first: range.first };
}

/** The constant list of session bounds for the days of `year` (and one either side), and the day index of its first. */
function boundsOf(year: number): { list: string; first: number } | null {
  const y = daysOf(year);
  if (!y) return null;
  const items = y.days.map((d) => (d.trading ? `{'p': ${d.preOpen}, 'o': ${d.regularOpen}, 'c': ${d.regularClose}, 'x': ${d.postClose}}` : 'NULL'));
  return { list: `[${items.join(', ')}]`, first: y.first };
}

const cache = new Map<number, ReturnType<typeof boundsOf>>();

/** Session codes as the lake writer's group commit stages them (a DOUBLE column beside the bars): 0 is NULL. */
export const SESSION_CODE_SQL = (col: string) => `CASE ${col} WHEN 1 THEN 'pre' WHEN 2 THEN 'regular' WHEN 3 THEN 'post' END`;

/** Per year: the day index of the first day and, four per day, pre-open, open, close, post-close (NaN: shut). */
const codeCache = new Map<number, { first: number; bounds: Float64Array } | null>();

function codeBoundsOf(year: number) {
  if (!codeCache.has(year)) {
    const y = daysOf(year);
    if (!y) codeCache.set(year, null);
    else {
      const bounds = new Float64Array(y.days.length * 4).fill(NaN);
      y.days.forEach((d, i) => {
        if (d.trading) bounds.set([d.preOpen!, d.regularOpen!, d.regularClose!, d.postClose!], i * 4);
      });
      codeCache.set(year, { first: y.first, bounds });
    }
  }
  return codeCache.get(year)!;
}

/**
 * The session of each bar as withSessionSql() computes it in SQL, here in JS for a batch about to be staged: the
 * group commit stages it as a code beside the bars (SESSION_CODE_SQL), so its COPYs carry no calendar literal and
 * no join. Writes `length` codes into `out` from `at`.
 */
export function sessionCodes(ts: Float64Array, length: number, timeframe: Timeframe, year: number, out: Float64Array, at: number): void {
  if (timeframe === '1d') {
    out.fill(2, at, at + length);
    return;
  }
  const b = codeBoundsOf(year);
  if (!b) {
    out.fill(0, at, at + length);
    return;
  }
  const days = b.bounds.length / 4;
  for (let i = 0; i < length; i++) {
    // as the SQL: epoch_ms(ts) (whole ms), its shifted day's bounds
    const ms = Math.round(ts[i]!);
    const k = Math.floor((ms - SHIFT_MS) / DAY_MS) - b.first;
    let code = 0;
    if (k >= 0 && k < days) {
      const p = b.bounds[k * 4]!;
      // NaN (a day the exchange is shut) fails every comparison: code 0
      if (ms >= p && ms < b.bounds[k * 4 + 3]!) code = ms < b.bounds[k * 4 + 1]! ? 1 : ms < b.bounds[k * 4 + 2]! ? 2 : 3;
    }
    out[at + i] = code;
  }
}

/**
 * Wraps a query yielding `ts` (TIMESTAMPTZ) and `cols` so that it also yields `session`, for a partition of `year`.
 * A bar's session is the phase its start instant falls in (each boundary belongs to the phase it starts, as in
 * calendar.sessionOf); daily bars are regular-session aggregates by definition. Rows keep the query's order unless
 * `sort`; bars outside the year's days (or the calendar's years) get NULL.
 */
export function withSessionSql(sql: string, cols: string, timeframe: Timeframe, year: number, sort = true): string {
  const order = sort ? ' ORDER BY ts' : '';
  if (timeframe === '1d') return `SELECT ${cols}, 'regular' AS session FROM (${sql})${order}`;
  if (!cache.has(year)) cache.set(year, boundsOf(year));
  const b = cache.get(year)!;
  if (!b) return `SELECT ${cols}, NULL::VARCHAR AS session FROM (${sql})${order}`;
  return `SELECT ${cols},
      CASE WHEN _d IS NULL OR _ms < _d.p OR _ms >= _d.x THEN NULL
           WHEN _ms < _d.o THEN 'pre'
           WHEN _ms < _d.c THEN 'regular'
           ELSE 'post' END AS session
    FROM (SELECT *, list_extract(${b.list}, (_ms - ${SHIFT_MS}) // ${DAY_MS} - ${b.first - 1}) AS _d
          FROM (SELECT *, epoch_ms(ts) AS _ms FROM (${sql})))${order}`;
}
