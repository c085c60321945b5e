// Time-zone arithmetic on the built-in Intl API alone: the app ships without a date library, and Intl carries
// the same IANA tz database that the rest of the runtime uses, so offsets here never disagree with Date.
//
// Intl only formats instants; it cannot map a wall-clock time back to an instant. Both directions are therefore
// built on one primitive, the zone's UTC offset at an instant, which is expensive to get from Intl
// (formatToParts allocates) and is cached so that per-tick and per-day callers stay cheap.

const MS_PER_SECOND = 1_000;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** A proleptic Gregorian calendar date; month is 1-12. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export interface ZonedParts {
  /** Local calendar date, 'YYYY-MM-DD'. */
  readonly date: string;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Strict 'YYYY-MM-DD' parser: rejects calendar-invalid dates such as 2023-02-29 rather than rolling them over. */
export function parseIsoDate(date: string): CivilDate {
  const m = typeof date === 'string' ? ISO_DATE.exec(date) : null;
  if (m === null) throw new RangeError(`Invalid date ${JSON.stringify(date)}: expected 'YYYY-MM-DD'`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`Invalid date '${date}': no such calendar day`);
  }
  return { year, month, day };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatIsoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Epoch ms of a civil date-time read as if it were UTC ("local ms"); offsets are measured against this. */
export function civilToUtcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 0 && year <= 99) {
    // Date.UTC reads years 0-99 as 1900-1999, so those years have to be set explicitly.
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, 0);
    return d.getTime();
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function floorMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // h23 because hour12:false renders midnight as "24" on some ICU builds; era so that BC years stay distinguishable.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset (local minus UTC, in ms) at an instant, straight from Intl. Uncached: see zoneOffsetAt. */
function rawOffset(ts: number, timeZone: string): number {
  const whole = ts - floorMod(ts, MS_PER_SECOND);
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatterFor(timeZone).formatToParts(whole)) p[part.type] = part.value;
  const year = p.era === 'BC' || p.era === 'B' ? 1 - Number(p.year) : Number(p.year);
  return civilToUtcMs(year, Number(p.month ?? 1), Number(p.day ?? 1), Number(p.hour ?? 0) % 24, Number(p.minute ?? 0), Number(p.second ?? 0)) - whole;
}

/**
 * The offset over one UTC day. Zones change offset at most once a day (in practice twice a year), so a day is
 * described by the offset before, the first instant of the new offset, and the offset after.
 */
interface DaySpan {
  readonly before: number;
  readonly transition: number;
  readonly after: number;
}

// Keyed by zone, then by UTC day number. Bounded because a long-running process fed arbitrary timestamps
// would otherwise grow it forever; clearing is crude but a refill costs two Intl calls per day.
const spanCache = new Map<string, Map<number, DaySpan>>();
const MAX_CACHED_DAYS_PER_ZONE = 50_000;

function computeSpan(day: number, timeZone: string, zoneCache: Map<number, DaySpan> | undefined): DaySpan {
  const start = day * MS_PER_DAY;
  const end = start + MS_PER_DAY;
  // Adjacent days share a boundary instant; reusing it halves the Intl calls of a sequential sweep.
  const before = zoneCache?.get(day - 1)?.after ?? rawOffset(start, timeZone);
  const after = zoneCache?.get(day + 1)?.before ?? rawOffset(end, timeZone);
  if (before === after) return { before, transition: Number.POSITIVE_INFINITY, after };
  // Transitions fall on whole seconds in tzdb, and Intl resolves seconds, so a binary search to the second is exact.
  let lo = start;
  let hi = end;
  while (hi - lo > MS_PER_SECOND) {
    const mid = lo + Math.floor((hi - lo) / (2 * MS_PER_SECOND)) * MS_PER_SECOND;
    if (rawOffset(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return { before, transition: hi, after };
}

/** UTC offset of `timeZone` at instant `ts`, in ms (America/New_York in winter: -18_000_000). */
export function zoneOffsetAt(ts: number, timeZone: string): number {
  const day = Math.floor(ts / MS_PER_DAY);
  let zoneCache = spanCache.get(timeZone);
  let span = zoneCache?.get(day);
  if (span === undefined) {
    span = computeSpan(day, timeZone, zoneCache);
    // Created only after computeSpan succeeded, so an invalid zone name leaves no cache entry behind.
    if (zoneCache === undefined) {
      zoneCache = new Map();
      spanCache.set(timeZone, zoneCache);
    } else if (zoneCache.size >= MAX_CACHED_DAYS_PER_ZONE) {
      zoneCache.clear();
    }
    zoneCache.set(day, span);
  }
  return ts < span.transition ? span.before : span.after;
}

interface DateBracket {
  readonly localMidnight: number;
  readonly before: number;
  readonly after: number;
}

const bracketCache = new Map<string, DateBracket>();
const MAX_CACHED_BRACKETS = 100_000;

/**
 * Offsets bracketing every instant a wall time on `date` can map to. UTC offsets lie within -14h..+14h, so those
 * instants fall inside [midnight - 1 day, midnight + 2 days); sampling outside that window means equal offsets
 * prove there is no transition to worry about on that date.
 */
function bracketFor(date: string, timeZone: string): DateBracket {
  const key = `${timeZone}\u0000${date}`;
  let bracket = bracketCache.get(key);
  if (bracket === undefined) {
    const { year, month, day } = parseIsoDate(date);
    const localMidnight = civilToUtcMs(year, month, day);
    bracket = {
      localMidnight,
      before: zoneOffsetAt(localMidnight - MS_PER_DAY, timeZone),
      after: zoneOffsetAt(localMidnight + 2 * MS_PER_DAY, timeZone),
    };
    if (bracketCache.size >= MAX_CACHED_BRACKETS) bracketCache.clear();
    bracketCache.set(key, bracket);
  }
  return bracket;
}

function assertIntegerIn(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Invalid ${what} ${String(value)}: expected an integer ${min}-${max}`);
  }
}

/**
 * The UTC instant of wall-clock `hour:minute` on `date` in `timeZone`. Never throws for a valid input: a wall time
 * that occurs twice (DST ends) resolves to the earlier instant, and one that is skipped (DST starts) is read with
 * the offset from before the jump, which lands it as far past the gap as it was into it (02:30 -> 03:30 EDT).
 * Both choices match Temporal's default 'compatible' disambiguation.
 */
export function zonedTimeToUtc(date: string, hour: number, minute: number, timeZone: string): number {
  assertIntegerIn(hour, 0, 23, 'hour');
  assertIntegerIn(minute, 0, 59, 'minute');
  const { localMidnight, before, after } = bracketFor(date, timeZone);
  const local = localMidnight + hour * MS_PER_HOUR + minute * MS_PER_MINUTE;
  if (before === after) return local - before;
  const withBefore = local - before;
  const withAfter = local - after;
  const beforeFits = zoneOffsetAt(withBefore, timeZone) === before;
  const afterFits = zoneOffsetAt(withAfter, timeZone) === after;
  if (beforeFits && afterFits) return Math.min(withBefore, withAfter);
  if (afterFits) return withAfter;
  return withBefore;
}

// The range 'YYYY-MM-DD' can express, years 0001-9999.
const MIN_TS = civilToUtcMs(1, 1, 1) - 2 * MS_PER_DAY;
const MAX_TS = civilToUtcMs(10_000, 1, 1) + 2 * MS_PER_DAY;

/** Wall-clock date and time of instant `ts` in `timeZone`; sub-second precision is dropped. */
export function utcToZonedParts(ts: number, timeZone: string): ZonedParts {
  if (!Number.isFinite(ts) || ts < MIN_TS || ts > MAX_TS) {
    throw new RangeError(`Invalid timestamp ${String(ts)}: expected finite epoch milliseconds within years 1-9999`);
  }
  const local = new Date(ts + zoneOffsetAt(ts, timeZone));
  const year = local.getUTCFullYear();
  if (year < 1 || year > 9999) throw new RangeError(`Timestamp ${ts} falls outside years 1-9999 in ${timeZone}`);
  return {
    date: formatIsoDate(year, local.getUTCMonth() + 1, local.getUTCDate()),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}
