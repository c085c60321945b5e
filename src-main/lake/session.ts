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

/** The constant list of session bounds for the days of `year` (and one either side), and the day index of its first. */
function boundsOf(year: number): { list: string; first: number } | null {
  const range = clampToCalendar(dayNumberOf(`${year}-01-01`) - 1, dayNumberOf(`${year}-12-31`) + 1);
  if (!range) return null;
  const days = calendarDays(range);
  for (const d of days) {
    if (d.trading && (dayIndex(d.preOpen!) !== d.dn || dayIndex(d.postClose! - 1) !== d.dn)) {
      throw new MpError('E_INTERNAL', `the extended-hours day ${d.date} does not fall in one shifted UTC day`);
    }
  }
  const items = days.map((d) => (d.trading ? `{'p': ${d.preOpen}, 'o': ${d.regularOpen}, 'c': ${d.regularClose}, 'x': ${d.postClose}}` : 'NULL'));
  return { list: `[${items.join(', ')}]`, first: range.first };
}

const cache = new Map<number, ReturnType<typeof boundsOf>>();

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
