import type { DuckDBConnection } from '@duckdb/node-api';
import type { Timeframe } from '../contract/schemas';
import { clampToCalendar, createCalendarTable, dayNumberOf, insertCalendarDays } from '../validate/calendar-sql';

// Every bar in the lake carries its `session` (pre | regular | post; NULL outside the extended-hours day or on a day
// the exchange is shut), computed once when the bar is written rather than in the `bars` view: a per-row time-zone
// conversion in a view would be paid by every query. The boundaries come from the exchange calendar (early closes
// included) in a temp table per writer connection, joined by ASOF on each New York day's local midnight.

export const SESSION_CALENDAR = 'mp_session_cal';

/** The calendar rows a writer connection has, loaded a year at a time as writes need them. */
export class SessionCalendar {
  private readonly years = new Set<number>();

  private constructor(private readonly conn: DuckDBConnection) {}

  static async create(conn: DuckDBConnection): Promise<SessionCalendar> {
    await createCalendarTable(conn, null, SESSION_CALENDAR);
    return new SessionCalendar(conn);
  }

  /** Loads the years around `year` (a partition's bars can reach a day into the next or previous year). */
  async ensure(year: number): Promise<void> {
    for (const y of [year - 1, year, year + 1]) {
      if (this.years.has(y)) continue;
      this.years.add(y);
      const range = clampToCalendar(dayNumberOf(`${y}-01-01`), dayNumberOf(`${y}-12-31`));
      if (range) await insertCalendarDays(this.conn, range, SESSION_CALENDAR);
    }
  }
}

/**
 * Wraps a query yielding `ts` (TIMESTAMPTZ) and `cols` so that it also yields `session`, ordered by ts. A bar's session
 * is the phase its start instant falls in (each boundary belongs to the phase it starts, as in calendar.sessionOf);
 * daily bars are regular-session aggregates by definition. Bars beyond the calendar's years get NULL.
 */
export function withSessionSql(sql: string, cols: string, timeframe: Timeframe): string {
  if (timeframe === '1d') return `SELECT ${cols}, 'regular' AS session FROM (${sql}) ORDER BY ts`;
  const qualified = cols
    .split(',')
    .map((c) => `q.${c.trim()}`)
    .join(', ');
  return `SELECT ${qualified},
      CASE WHEN c.trading IS NOT TRUE OR q._ms < c.pre_open OR q._ms >= c.post_close THEN NULL
           WHEN q._ms < c.reg_open THEN 'pre'
           WHEN q._ms < c.reg_close THEN 'regular'
           ELSE 'post' END AS session
    FROM (SELECT *, epoch_ms(ts) AS _ms FROM (${sql})) q
    ASOF LEFT JOIN ${SESSION_CALENDAR} c ON q._ms >= c.start_ms
    ORDER BY q.ts`;
}
