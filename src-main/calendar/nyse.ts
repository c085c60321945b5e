// The NYSE trading calendar, derived by rule for every supported year rather than read from a table, so it does
// not silently run out in some future year. Only what no rule can produce lives in closures.ts.
//
// Rule history that shapes 1990-2014 (the current rules have been stable since 2013, plus Juneteenth from 2022):
// - MLK Day is observed from 1998.
// - The day after Thanksgiving closes early from 1992 (14:00 that year, 13:00 since).
// - Christmas Eve closes early whenever it is a weekday session (14:00 up to 1992, 13:00 since).
// - Around July 4: from 1995 a Mon/Tue/Thu July 3 closes early; a Wednesday July 3 did not, and instead Friday
//   July 5 closed early (1996-2012). From 2013 any weekday July 3 session closes early.
// Sources: NYSE published holiday and early-close calendars (2015-2026 are cross-checked in nyse.test.ts) and
// NYSE's historical closings record.

import { NEW_YORK } from '../../src-common/nyTime';
import { UNSCHEDULED_CLOSURES, UNSCHEDULED_EARLY_CLOSES } from './closures';
import { MS_PER_DAY, civilToUtcMs, daysInMonth, formatIsoDate, parseIsoDate, utcToZonedParts, zonedTimeToUtc } from '../../src-common/tz';

/** Identifies the rule set and closure table; persisted derived data (bar counts, gap reports) keyed on it. */
export const CALENDAR_VERSION = 'nyse-2026.1';
export const EXCHANGE_TZ = NEW_YORK;
/** Supported years. Earlier years had different rules (Saturday sessions, election days); later ones are unknowable. */
export const CALENDAR_FIRST_YEAR = 1990;
export const CALENDAR_LAST_YEAR = 2100;

export interface Session {
  readonly date: string;
  readonly preOpen: number;
  readonly regularOpen: number;
  readonly regularClose: number;
  readonly postClose: number;
  readonly earlyClose: boolean;
}

export type SessionPhase = 'pre' | 'regular' | 'post';

// Minutes after local midnight, America/New_York.
const PRE_OPEN = 4 * 60;
const REGULAR_OPEN = 9 * 60 + 30;
const REGULAR_CLOSE = 16 * 60;
const POST_CLOSE = 20 * 60;
const EARLY_CLOSE = 13 * 60;
const EARLY_CLOSE_PRE_1993 = 14 * 60;
const EARLY_POST_CLOSE = 17 * 60;

const SUN = 0;
const MON = 1;
const TUE = 2;
const THU = 4;
const FRI = 5;
const SAT = 6;

interface EarlyClose {
  readonly name: string;
  readonly closeMinute: number;
}

interface YearCalendar {
  /** Full-day closures on weekdays, date -> name. Weekends are never listed. */
  readonly closures: ReadonlyMap<string, string>;
  readonly earlyCloses: ReadonlyMap<string, EarlyClose>;
  /** Ascending; ISO strings of one year sort lexicographically, which the binary searches rely on. */
  readonly tradingDays: readonly string[];
  readonly tradingDaySet: ReadonlySet<string>;
}

/** Days since 1970-01-01. */
function dayNumber(year: number, month: number, day: number): number {
  return civilToUtcMs(year, month, day) / MS_PER_DAY;
}

function dayString(dn: number): string {
  const d = new Date(dn * MS_PER_DAY);
  return formatIsoDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

function weekday(dn: number): number {
  // 1970-01-01 was a Thursday.
  return (((dn + THU) % 7) + 7) % 7;
}

function nthWeekday(year: number, month: number, dow: number, n: number): number {
  const first = dayNumber(year, month, 1);
  return first + ((dow - weekday(first) + 7) % 7) + 7 * (n - 1);
}

function lastWeekday(year: number, month: number, dow: number): number {
  const last = dayNumber(year, month + 1, 1) - 1;
  return last - ((weekday(last) - dow + 7) % 7);
}

/** Easter Sunday by the anonymous Gregorian (Meeus/Jones/Butcher) algorithm. */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatIsoDate(year, month, day);
}

/** NYSE Rule 7.2: a holiday on Saturday closes the Friday before, on Sunday the Monday after. */
function observed(dn: number): number {
  const dow = weekday(dn);
  if (dow === SAT) return dn - 1;
  if (dow === SUN) return dn + 1;
  return dn;
}

function scheduledHolidays(year: number): Array<[number, string]> {
  const holidays: Array<[number, string]> = [];
  const newYear = dayNumber(year, 1, 1);
  // Not moved back to Friday Dec 31 when it falls on a Saturday: that would close the last session of the
  // previous year, which NYSE rules exclude.
  if (weekday(newYear) !== SAT) holidays.push([observed(newYear), "New Year's Day"]);
  if (year >= 1998) holidays.push([nthWeekday(year, 1, MON, 3), 'Martin Luther King Jr. Day']);
  holidays.push([nthWeekday(year, 2, MON, 3), "Washington's Birthday"]);
  const easter = parseIsoDate(easterSunday(year));
  holidays.push([dayNumber(easter.year, easter.month, easter.day) - 2, 'Good Friday']);
  holidays.push([lastWeekday(year, 5, MON), 'Memorial Day']);
  if (year >= 2022) holidays.push([observed(dayNumber(year, 6, 19)), 'Juneteenth']);
  holidays.push([observed(dayNumber(year, 7, 4)), 'Independence Day']);
  holidays.push([nthWeekday(year, 9, MON, 1), 'Labor Day']);
  holidays.push([nthWeekday(year, 11, THU, 4), 'Thanksgiving Day']);
  holidays.push([observed(dayNumber(year, 12, 25)), 'Christmas Day']);
  return holidays;
}

function scheduledEarlyCloses(year: number): Array<[number, EarlyClose]> {
  const closes: Array<[number, EarlyClose]> = [];
  const july3 = dayNumber(year, 7, 3);
  const july3Dow = weekday(july3);
  const beforeJuly4: EarlyClose = { name: 'Day before Independence Day', closeMinute: EARLY_CLOSE };
  if (year >= 2013) {
    // A Friday July 3 is the observed holiday itself, so only Mon-Thu qualify.
    if (july3Dow >= MON && july3Dow <= THU) closes.push([july3, beforeJuly4]);
  } else if (year >= 1995) {
    if (july3Dow === MON || july3Dow === TUE || july3Dow === THU) closes.push([july3, beforeJuly4]);
    const july5 = july3 + 2;
    if (year >= 1996 && weekday(july5) === FRI) {
      closes.push([july5, { name: 'Day after Independence Day', closeMinute: EARLY_CLOSE }]);
    }
  }
  if (year >= 1992) {
    const closeMinute = year >= 1993 ? EARLY_CLOSE : EARLY_CLOSE_PRE_1993;
    closes.push([nthWeekday(year, 11, THU, 4) + 1, { name: 'Day after Thanksgiving', closeMinute }]);
  }
  const christmasEve = dayNumber(year, 12, 24);
  const christmasEveDow = weekday(christmasEve);
  // A Friday Christmas Eve is the observed Christmas holiday, so only Mon-Thu qualify.
  if (christmasEveDow >= MON && christmasEveDow <= THU) {
    closes.push([christmasEve, { name: 'Christmas Eve', closeMinute: year >= 1993 ? EARLY_CLOSE : EARLY_CLOSE_PRE_1993 }]);
  }
  return closes;
}

function isWeekend(dn: number): boolean {
  const dow = weekday(dn);
  return dow === SAT || dow === SUN;
}

function buildYear(year: number): YearCalendar {
  const closures = new Map<string, string>();
  for (const [dn, name] of scheduledHolidays(year)) closures.set(dayString(dn), name);
  for (const c of UNSCHEDULED_CLOSURES) {
    const { year: y, month, day } = parseIsoDate(c.date);
    // A closure on a weekend or an existing holiday changes nothing, and holidayName must stay null on weekends.
    if (y === year && !closures.has(c.date) && !isWeekend(dayNumber(y, month, day))) closures.set(c.date, c.name);
  }

  // Walks months and days directly: building strings without a Date per day keeps a cold multi-decade
  // tradingDays call within a few milliseconds.
  const tradingDays: string[] = [];
  let dn = dayNumber(year, 1, 1);
  for (let month = 1; month <= 12; month++) {
    const prefix = formatIsoDate(year, month, 1).slice(0, 8);
    const monthDays = daysInMonth(year, month);
    for (let day = 1; day <= monthDays; day++, dn++) {
      if (isWeekend(dn)) continue;
      const date = prefix + (day < 10 ? `0${day}` : String(day));
      if (!closures.has(date)) tradingDays.push(date);
    }
  }
  const tradingDaySet = new Set(tradingDays);

  // Filtered against trading days last, so a closure always wins over an early close on the same date.
  const earlyCloses = new Map<string, EarlyClose>();
  for (const [dn, close] of scheduledEarlyCloses(year)) {
    const date = dayString(dn);
    if (tradingDaySet.has(date)) earlyCloses.set(date, close);
  }
  for (const e of UNSCHEDULED_EARLY_CLOSES) {
    if (parseIsoDate(e.date).year === year && tradingDaySet.has(e.date)) {
      earlyCloses.set(e.date, { name: e.name, closeMinute: e.closeHour * 60 + e.closeMinute });
    }
  }

  return { closures, earlyCloses, tradingDays: Object.freeze(tradingDays), tradingDaySet };
}

// At most one entry per supported year, so it needs no bound.
const yearCache = new Map<number, YearCalendar>();

function yearCalendar(year: number): YearCalendar {
  let yc = yearCache.get(year);
  if (yc === undefined) {
    if (!Number.isInteger(year) || year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR) {
      throw new RangeError(`Year ${year} is outside the NYSE calendar's range ${CALENDAR_FIRST_YEAR}-${CALENDAR_LAST_YEAR}`);
    }
    yc = buildYear(year);
    yearCache.set(year, yc);
  }
  return yc;
}

function calendarFor(date: string): YearCalendar {
  return yearCalendar(parseIsoDate(date).year);
}

/** First index whose element is >= target (or > target when `strict`). */
function searchSorted(sorted: readonly string[], target: string, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as string;
    if (v < target || (strict && v === target)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function isTradingDay(date: string): boolean {
  return calendarFor(date).tradingDaySet.has(date);
}

/** Why the exchange is shut on a weekday, or null when it trades (or it is a weekend). */
export function holidayName(date: string): string | null {
  return calendarFor(date).closures.get(date) ?? null;
}

/** Why a trading day closes early, or null on full sessions and non-trading days. */
export function earlyCloseName(date: string): string | null {
  return calendarFor(date).earlyCloses.get(date)?.name ?? null;
}

/** Trading days in [start, end], ascending; empty when start > end. */
export function tradingDays(start: string, end: string): string[] {
  const from = parseIsoDate(start).year;
  const to = parseIsoDate(end).year;
  // Range-checked even for an empty interval, so a bad bound fails the same way whatever the order.
  yearCalendar(from);
  yearCalendar(to);
  if (start > end) return [];
  const out: string[] = [];
  for (let year = from; year <= to; year++) {
    const days = yearCalendar(year).tradingDays;
    const lo = year === from ? searchSorted(days, start, false) : 0;
    const hi = year === to ? searchSorted(days, end, true) : days.length;
    for (let i = lo; i < hi; i++) out.push(days[i] as string);
  }
  return out;
}

/** The first trading day strictly after `date`. */
export function nextTradingDay(date: string): string {
  let year = parseIsoDate(date).year;
  let days = yearCalendar(year).tradingDays;
  let i = searchSorted(days, date, true);
  while (i >= days.length) {
    year += 1;
    days = yearCalendar(year).tradingDays;
    i = 0;
  }
  return days[i] as string;
}

/** The last trading day strictly before `date`. */
export function previousTradingDay(date: string): string {
  let year = parseIsoDate(date).year;
  let days = yearCalendar(year).tradingDays;
  let i = searchSorted(days, date, false) - 1;
  while (i < 0) {
    year -= 1;
    days = yearCalendar(year).tradingDays;
    i = days.length - 1;
  }
  return days[i] as string;
}

function localMinuteToUtc(date: string, minuteOfDay: number): number {
  return zonedTimeToUtc(date, Math.floor(minuteOfDay / 60), minuteOfDay % 60, EXCHANGE_TZ);
}

// Bounded by the supported range (~40k dates); sessions are frozen because callers share them.
const sessionCache = new Map<string, Session | null>();

/** Session boundaries as UTC epoch ms; null when `date` is not a trading day. */
export function sessionFor(date: string): Session | null {
  const cached = sessionCache.get(date);
  if (cached !== undefined) return cached;
  const yc = calendarFor(date);
  let session: Session | null = null;
  if (yc.tradingDaySet.has(date)) {
    const early = yc.earlyCloses.get(date);
    session = Object.freeze({
      date,
      preOpen: localMinuteToUtc(date, PRE_OPEN),
      regularOpen: localMinuteToUtc(date, REGULAR_OPEN),
      regularClose: localMinuteToUtc(date, early?.closeMinute ?? REGULAR_CLOSE),
      postClose: localMinuteToUtc(date, early === undefined ? POST_CLOSE : EARLY_POST_CLOSE),
      earlyClose: early !== undefined,
    });
  }
  sessionCache.set(date, session);
  return session;
}

/** America/New_York calendar date of a UTC instant. */
export function exchangeDate(ts: number): string {
  return utcToZonedParts(ts, EXCHANGE_TZ).date;
}

/** Which part of the extended-hours day `ts` falls in; each boundary belongs to the phase it starts. */
export function sessionOf(ts: number): SessionPhase | null {
  const session = sessionFor(exchangeDate(ts));
  if (session === null || ts < session.preOpen || ts >= session.postClose) return null;
  if (ts < session.regularOpen) return 'pre';
  if (ts < session.regularClose) return 'regular';
  return 'post';
}

/** Length of the regular session in minutes: 390 normally, 210 on a 13:00 early close, 0 when closed. */
/** The latest trading day whose extended-hours session is over at `now` (epoch ms): what "up to date" means. */
export function lastClosedSession(now: number = Date.now()): string {
  const today = exchangeDate(now);
  const s = sessionFor(today);
  if (s && s.postClose <= now) return today;
  return previousTradingDay(today);
}

/**
 * No future bars: an ingest range [start, end] (exchange dates) ending after the last closed session is clipped to it
 * (`clippedFrom` is the end asked for); one starting after it is bad input (RangeError, with the message to show).
 */
export function clipToClosedSessions(start: string, end: string, now: number = Date.now()): { start: string; end: string; clippedFrom: string | null } {
  const last = lastClosedSession(now);
  if (start > last) throw new RangeError(`start ${start} is after the last closed session ${last}: there are no bars to fetch yet`);
  if (end > last) return { start, end: last, clippedFrom: end };
  return { start, end, clippedFrom: null };
}

export function regularMinuteCount(date: string): number {
  const session = sessionFor(date);
  return session === null ? 0 : Math.round((session.regularClose - session.regularOpen) / 60_000);
}
