// NYSE sessions that no recurring rule produces: closures and shortened days announced ad hoc (mournings,
// storms, outages) or one-off by NYSE notice. Rules live in nyse.ts; anything that cannot be derived from a
// rule belongs here, and any change to this table must bump CALENDAR_VERSION so cached derived data is rebuilt.
//
// Sources: NYSE closing notices; the pre-2015 entries agree with NYSE's historical "Closings" record as
// collected by pandas_market_calendars. Only 1990 onward matters: earlier years are outside the supported range.

export interface UnscheduledClosure {
  /** Exchange-local date, 'YYYY-MM-DD'; must be a weekday. */
  readonly date: string;
  readonly name: string;
}

export interface UnscheduledEarlyClose {
  /** Exchange-local date, 'YYYY-MM-DD'; must be a weekday trading day. */
  readonly date: string;
  readonly name: string;
  /** Regular-session close, America/New_York wall clock. */
  readonly closeHour: number;
  readonly closeMinute: number;
}

export const UNSCHEDULED_CLOSURES: readonly UnscheduledClosure[] = Object.freeze([
  { date: '1994-04-27', name: 'National Day of Mourning (Richard Nixon)' },
  { date: '2001-09-11', name: 'September 11 attacks' },
  { date: '2001-09-12', name: 'September 11 attacks' },
  { date: '2001-09-13', name: 'September 11 attacks' },
  { date: '2001-09-14', name: 'September 11 attacks' },
  { date: '2004-06-11', name: 'National Day of Mourning (Ronald Reagan)' },
  { date: '2007-01-02', name: 'National Day of Mourning (Gerald R. Ford)' },
  { date: '2012-10-29', name: 'Hurricane Sandy' },
  { date: '2012-10-30', name: 'Hurricane Sandy' },
  { date: '2018-12-05', name: 'National Day of Mourning (George H. W. Bush)' },
  { date: '2025-01-09', name: 'National Day of Mourning (Jimmy Carter)' },
]);

// Late openings (moments of silence, the 11:00 start on 1996-01-08, ...) are not modelled: every session here
// opens at 09:30, so on those days the regular session is reported slightly longer than it really was.
export const UNSCHEDULED_EARLY_CLOSES: readonly UnscheduledEarlyClose[] = Object.freeze([
  { date: '1994-02-11', name: 'Snowstorm', closeHour: 14, closeMinute: 30 },
  { date: '1996-01-08', name: 'Blizzard of 1996', closeHour: 14, closeMinute: 0 },
  { date: '1997-10-27', name: 'Circuit breaker halt', closeHour: 15, closeMinute: 30 },
  { date: '1997-12-26', name: 'Day after Christmas', closeHour: 13, closeMinute: 0 },
  { date: '2003-12-26', name: 'Day after Christmas', closeHour: 13, closeMinute: 0 },
  { date: '2005-06-01', name: 'Systems communication problem', closeHour: 15, closeMinute: 56 },
]);
