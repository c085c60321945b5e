import { describe, expect, it } from 'vitest';
import { UNSCHEDULED_CLOSURES, UNSCHEDULED_EARLY_CLOSES } from './closures';
import {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  CALENDAR_VERSION,
  EXCHANGE_TZ,
  earlyCloseName,
  easterSunday,
  exchangeDate,
  holidayName,
  isTradingDay,
  nextTradingDay,
  previousTradingDay,
  regularMinuteCount,
  sessionFor,
  sessionOf,
  tradingDays,
} from './nyse';
import * as publicSurface from './index';

// Written out by hand from the NYSE's published holiday and early-close calendars, not derived from the rules,
// so that a rule regression cannot make the expectation drift with it. Each list is the complete set of weekday
// full-day closures (scheduled holidays plus unscheduled closures) in that year.
const PUBLISHED_HOLIDAYS: Record<number, string[]> = {
  2015: ['01-01', '01-19', '02-16', '04-03', '05-25', '07-03', '09-07', '11-26', '12-25'],
  2016: ['01-01', '01-18', '02-15', '03-25', '05-30', '07-04', '09-05', '11-24', '12-26'],
  2017: ['01-02', '01-16', '02-20', '04-14', '05-29', '07-04', '09-04', '11-23', '12-25'],
  2018: ['01-01', '01-15', '02-19', '03-30', '05-28', '07-04', '09-03', '11-22', '12-05', '12-25'],
  2019: ['01-01', '01-21', '02-18', '04-19', '05-27', '07-04', '09-02', '11-28', '12-25'],
  2020: ['01-01', '01-20', '02-17', '04-10', '05-25', '07-03', '09-07', '11-26', '12-25'],
  2021: ['01-01', '01-18', '02-15', '04-02', '05-31', '07-05', '09-06', '11-25', '12-24'],
  2022: ['01-17', '02-21', '04-15', '05-30', '06-20', '07-04', '09-05', '11-24', '12-26'],
  2023: ['01-02', '01-16', '02-20', '04-07', '05-29', '06-19', '07-04', '09-04', '11-23', '12-25'],
  2024: ['01-01', '01-15', '02-19', '03-29', '05-27', '06-19', '07-04', '09-02', '11-28', '12-25'],
  2025: ['01-01', '01-09', '01-20', '02-17', '04-18', '05-26', '06-19', '07-04', '09-01', '11-27', '12-25'],
  2026: ['01-01', '01-19', '02-16', '04-03', '05-25', '06-19', '07-03', '09-07', '11-26', '12-25'],
};

// 13:00 closes. Absent on purpose: 2015/2020/2026-07-02 (July 3 is the holiday), 2016/2021/2022-07-01 (no
// July 3 session), Christmas Eve on weekends or when it is the observed Christmas (2016, 2017, 2021-2023).
const PUBLISHED_EARLY_CLOSES: Record<number, string[]> = {
  2015: ['11-27', '12-24'],
  2016: ['11-25'],
  2017: ['07-03', '11-24'],
  2018: ['07-03', '11-23', '12-24'],
  2019: ['07-03', '11-29', '12-24'],
  2020: ['11-27', '12-24'],
  2021: ['11-26'],
  2022: ['11-25'],
  2023: ['07-03', '11-24'],
  2024: ['07-03', '11-29', '12-24'],
  2025: ['07-03', '11-28', '12-24'],
  2026: ['11-27', '12-24'],
};

const PUBLISHED_TRADING_DAY_COUNTS: Record<number, number> = {
  2015: 252,
  2016: 252,
  2017: 251,
  2018: 251,
  2019: 252,
  2020: 253,
  2021: 252,
  2022: 251,
  2023: 250,
  2024: 252,
  2025: 250,
  2026: 251,
};

const PUBLISHED_YEARS = Object.keys(PUBLISHED_HOLIDAYS).map(Number);

function allDates(year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

function isWeekend(date: string): boolean {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow === 0 || dow === 6;
}

function weekdayClosures(year: number): string[] {
  return allDates(year).filter((d) => !isWeekend(d) && !isTradingDay(d));
}

function earlyCloses(year: number): string[] {
  return allDates(year).filter((d) => sessionFor(d)?.earlyClose === true);
}

const iso = (ts: number): string => new Date(ts).toISOString();

describe('published NYSE calendars 2015-2026', () => {
  it.each(PUBLISHED_YEARS)('%i full-day closures match exactly', (year) => {
    const expected = (PUBLISHED_HOLIDAYS[year] ?? []).map((md) => `${year}-${md}`);
    expect(weekdayClosures(year)).toEqual(expected);
    for (const d of expected) expect(holidayName(d)).not.toBeNull();
  });

  it.each(PUBLISHED_YEARS)('%i early closes match exactly', (year) => {
    const expected = (PUBLISHED_EARLY_CLOSES[year] ?? []).map((md) => `${year}-${md}`);
    expect(earlyCloses(year)).toEqual(expected);
    for (const d of expected) {
      expect(regularMinuteCount(d)).toBe(210);
      expect(earlyCloseName(d)).not.toBeNull();
    }
  });

  it.each(PUBLISHED_YEARS)('%i trading-day count', (year) => {
    expect(tradingDays(`${year}-01-01`, `${year}-12-31`)).toHaveLength(PUBLISHED_TRADING_DAY_COUNTS[year] ?? -1);
  });

  it('counts trading days in the first half of 2024', () => {
    expect(tradingDays('2024-01-02', '2024-06-28')).toHaveLength(124);
  });
});

describe('holiday rules', () => {
  it('names holidays, including observed dates', () => {
    expect(holidayName('2024-01-01')).toBe("New Year's Day");
    expect(holidayName('2023-01-02')).toBe("New Year's Day");
    expect(holidayName('2024-01-15')).toBe('Martin Luther King Jr. Day');
    expect(holidayName('2024-02-19')).toBe("Washington's Birthday");
    expect(holidayName('2024-03-29')).toBe('Good Friday');
    expect(holidayName('2024-05-27')).toBe('Memorial Day');
    expect(holidayName('2024-06-19')).toBe('Juneteenth');
    expect(holidayName('2022-06-20')).toBe('Juneteenth');
    expect(holidayName('2026-07-03')).toBe('Independence Day');
    expect(holidayName('2021-07-05')).toBe('Independence Day');
    expect(holidayName('2024-09-02')).toBe('Labor Day');
    expect(holidayName('2024-11-28')).toBe('Thanksgiving Day');
    expect(holidayName('2021-12-24')).toBe('Christmas Day');
    expect(holidayName('2022-12-26')).toBe('Christmas Day');
  });

  it('names unscheduled closures', () => {
    expect(holidayName('2018-12-05')).toBe('National Day of Mourning (George H. W. Bush)');
    expect(holidayName('2012-10-29')).toBe('Hurricane Sandy');
    expect(holidayName('2012-10-30')).toBe('Hurricane Sandy');
    expect(holidayName('2025-01-09')).toBe('National Day of Mourning (Jimmy Carter)');
    expect(holidayName('1994-04-27')).toBe('National Day of Mourning (Richard Nixon)');
    expect(holidayName('2004-06-11')).toBe('National Day of Mourning (Ronald Reagan)');
    expect(holidayName('2007-01-02')).toBe('National Day of Mourning (Gerald R. Ford)');
    for (const d of ['2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14']) {
      expect(holidayName(d)).toBe('September 11 attacks');
      expect(isTradingDay(d)).toBe(false);
    }
    expect(isTradingDay('2001-09-10')).toBe(true);
    expect(isTradingDay('2001-09-17')).toBe(true);
  });

  it('returns null on normal days and on weekends, even weekend holidays', () => {
    expect(holidayName('2024-03-28')).toBeNull();
    expect(holidayName('2024-03-30')).toBeNull();
    expect(holidayName('2021-12-25')).toBeNull(); // Saturday Christmas, observed on the 24th
    expect(holidayName('2022-01-01')).toBeNull(); // Saturday New Year, not observed at all
    expect(holidayName('2026-07-04')).toBeNull();
  });

  it('does not observe a Saturday New Year on the Friday before', () => {
    for (const d of ['2010-12-31', '2021-12-31', '2027-12-31', '2032-12-31']) {
      expect(isTradingDay(d)).toBe(true);
    }
    expect(isTradingDay('2023-01-02')).toBe(false); // Sunday New Year moves to Monday
    expect(isTradingDay('2017-01-02')).toBe(false);
  });

  it('observes MLK Day only from 1998 and Juneteenth only from 2022', () => {
    expect(isTradingDay('1997-01-20')).toBe(true);
    expect(holidayName('1998-01-19')).toBe('Martin Luther King Jr. Day');
    expect(isTradingDay('2021-06-18')).toBe(true);
    expect(holidayName('2027-06-18')).toBe('Juneteenth'); // Saturday June 19
    expect(holidayName('2033-06-20')).toBe('Juneteenth'); // Sunday June 19
  });

  it('computes Easter by the Gregorian algorithm', () => {
    const known: Record<number, string> = {
      1990: '04-15',
      2000: '04-23',
      2008: '03-23',
      2011: '04-24',
      2019: '04-21',
      2024: '03-31',
      2038: '04-25',
      2049: '04-18',
      2100: '03-28',
    };
    for (const [year, md] of Object.entries(known)) expect(easterSunday(Number(year))).toBe(`${year}-${md}`);
    expect(holidayName('2008-03-21')).toBe('Good Friday');
    expect(holidayName('2038-04-23')).toBe('Good Friday');
    expect(holidayName('2100-03-26')).toBe('Good Friday');
  });

  it('keeps every year in range sane', () => {
    for (let year = CALENDAR_FIRST_YEAR; year <= CALENDAR_LAST_YEAR; year++) {
      const closed = weekdayClosures(year);
      const scheduled = closed.filter((d) => !UNSCHEDULED_CLOSURES.some((c) => c.date === d));
      const expectedCount = 7 + (year >= 1998 ? 1 : 0) + (year >= 2022 ? 1 : 0);
      // Only a Saturday New Year's Day drops a holiday, and no two rules ever land on the same weekday.
      const newYearSaturday = new Date(Date.UTC(year, 0, 1)).getUTCDay() === 6;
      expect(scheduled.length, String(year)).toBe(expectedCount + (newYearSaturday ? 0 : 1));
      const days = tradingDays(`${year}-01-01`, `${year}-12-31`);
      expect(days.length, String(year)).toBeGreaterThanOrEqual(248);
      expect(days.length, String(year)).toBeLessThanOrEqual(254);
    }
  });
});

describe('early closes', () => {
  it('closes at 13:00 Eastern with the post session ending at 17:00', () => {
    const s = sessionFor('2024-11-29');
    expect(s?.earlyClose).toBe(true);
    expect(iso(s?.regularClose ?? 0)).toBe('2024-11-29T18:00:00.000Z');
    expect(iso(s?.postClose ?? 0)).toBe('2024-11-29T22:00:00.000Z');
    expect(earlyCloseName('2024-11-29')).toBe('Day after Thanksgiving');
    expect(earlyCloseName('2024-07-03')).toBe('Day before Independence Day');
    expect(earlyCloseName('2024-12-24')).toBe('Christmas Eve');
    expect(earlyCloseName('2024-12-23')).toBeNull();
    expect(earlyCloseName('2024-12-25')).toBeNull();
  });

  it('follows the pre-2013 July rule: Friday July 5 instead of Wednesday July 3', () => {
    expect(earlyCloseName('2002-07-03')).toBeNull();
    expect(earlyCloseName('2002-07-05')).toBe('Day after Independence Day');
    expect(earlyCloseName('2013-07-03')).toBe('Day before Independence Day');
    expect(sessionFor('2013-07-05')?.earlyClose).toBe(false);
    expect(earlyCloseName('2012-07-03')).toBe('Day before Independence Day');
    expect(earlyCloseName('1994-07-01')).toBeNull();
  });

  it('models the older 14:00 closes and the day-after-Thanksgiving start', () => {
    expect(regularMinuteCount('1991-11-29')).toBe(390);
    expect(regularMinuteCount('1992-11-27')).toBe(270);
    expect(regularMinuteCount('1993-11-26')).toBe(210);
    expect(regularMinuteCount('1990-12-24')).toBe(270);
    expect(regularMinuteCount('1996-12-24')).toBe(210);
    expect(isTradingDay('1999-12-24')).toBe(false); // observed Christmas
  });

  it('applies unscheduled early closes from the table', () => {
    expect(regularMinuteCount('1997-10-27')).toBe(360);
    expect(regularMinuteCount('2005-06-01')).toBe(386);
    expect(regularMinuteCount('2003-12-26')).toBe(210);
    expect(earlyCloseName('2003-12-26')).toBe('Day after Christmas');
  });
});

describe('closures table', () => {
  it('lists only weekdays that no rule already closes, in date order', () => {
    const dates = UNSCHEDULED_CLOSURES.map((c) => c.date);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);
    for (const c of UNSCHEDULED_CLOSURES) {
      expect(isWeekend(c.date), c.date).toBe(false);
      expect(holidayName(c.date), c.date).toBe(c.name);
    }
  });

  it('lists early closes only on trading days', () => {
    for (const e of UNSCHEDULED_EARLY_CLOSES) {
      expect(isTradingDay(e.date), e.date).toBe(true);
      expect(earlyCloseName(e.date), e.date).toBe(e.name);
    }
  });
});

describe('trading-day navigation', () => {
  it('returns inclusive ascending ranges', () => {
    expect(tradingDays('2024-03-27', '2024-04-02')).toEqual(['2024-03-27', '2024-03-28', '2024-04-01', '2024-04-02']);
    expect(tradingDays('2024-03-29', '2024-03-31')).toEqual([]);
    expect(tradingDays('2024-04-02', '2024-03-27')).toEqual([]);
    expect(tradingDays('2024-04-01', '2024-04-01')).toEqual(['2024-04-01']);
    expect(tradingDays('2024-12-30', '2025-01-03')).toEqual(['2024-12-30', '2024-12-31', '2025-01-02', '2025-01-03']);
  });

  it('returns a fresh array that callers may mutate', () => {
    const a = tradingDays('2024-01-01', '2024-12-31');
    a.length = 0;
    expect(tradingDays('2024-01-01', '2024-12-31')).toHaveLength(252);
  });

  it('agrees with isTradingDay over the whole range', () => {
    const days = tradingDays(`${CALENDAR_FIRST_YEAR}-01-01`, `${CALENDAR_LAST_YEAR}-12-31`);
    const set = new Set(days);
    const mismatches: string[] = [];
    for (let year = CALENDAR_FIRST_YEAR; year <= CALENDAR_LAST_YEAR; year++) {
      for (const d of allDates(year)) if (set.has(d) !== isTradingDay(d)) mismatches.push(d);
    }
    expect(mismatches).toEqual([]);
    expect(days.every((d, i) => i === 0 || (days[i - 1] as string) < d)).toBe(true);
  });

  it('steps strictly forward and backward across weekends, holidays and years', () => {
    expect(nextTradingDay('2024-03-28')).toBe('2024-04-01');
    expect(nextTradingDay('2024-03-29')).toBe('2024-04-01');
    expect(nextTradingDay('2024-03-30')).toBe('2024-04-01');
    expect(nextTradingDay('2024-04-01')).toBe('2024-04-02');
    expect(previousTradingDay('2024-04-01')).toBe('2024-03-28');
    expect(previousTradingDay('2024-03-31')).toBe('2024-03-28');
    expect(nextTradingDay('2024-12-31')).toBe('2025-01-02');
    expect(previousTradingDay('2025-01-02')).toBe('2024-12-31');
    expect(nextTradingDay('2025-01-08')).toBe('2025-01-10');
    expect(nextTradingDay('2001-09-10')).toBe('2001-09-17');
    expect(previousTradingDay('2001-09-17')).toBe('2001-09-10');
    expect(nextTradingDay('2022-12-30')).toBe('2023-01-03');
  });

  it('is consistent with tradingDays', () => {
    const days = tradingDays('2019-01-01', '2026-12-31');
    for (let i = 0; i + 1 < days.length; i++) {
      expect(nextTradingDay(days[i] as string)).toBe(days[i + 1]);
      expect(previousTradingDay(days[i + 1] as string)).toBe(days[i]);
    }
  });

  it('answers multi-decade ranges (from the per-year caches the second time)', () => {
    const first = tradingDays('1995-01-01', '2024-12-31');
    expect(first.length).toBeGreaterThan(7_500);
    expect(tradingDays('1995-01-01', '2024-12-31')).toEqual(first);
  });
});

describe('input validation', () => {
  it('rejects malformed and impossible dates', () => {
    for (const bad of ['2024-1-02', '2024/01/02', '20240102', '2023-02-29', '2024-13-01', '2024-04-31', '', ' 2024-01-02']) {
      expect(() => isTradingDay(bad), bad).toThrow(RangeError);
    }
    expect(isTradingDay('2024-02-29')).toBe(true);
  });

  it('rejects years outside the supported range instead of guessing', () => {
    expect(() => isTradingDay('1989-12-29')).toThrow(RangeError);
    expect(() => sessionFor('2101-01-03')).toThrow(RangeError);
    expect(() => tradingDays('1985-01-01', '1990-12-31')).toThrow(RangeError);
    expect(() => nextTradingDay('2100-12-31')).toThrow(RangeError);
    expect(() => previousTradingDay('1990-01-02')).toThrow(RangeError);
    expect(nextTradingDay('2100-12-30')).toBe('2100-12-31');
    expect(previousTradingDay('1990-01-03')).toBe('1990-01-02');
  });

  it('rejects non-finite timestamps', () => {
    expect(() => exchangeDate(Number.NaN)).toThrow(RangeError);
    expect(() => sessionOf(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('sessions', () => {
  it('converts Eastern wall times to UTC across DST', () => {
    expect(EXCHANGE_TZ).toBe('America/New_York');
    expect(iso(sessionFor('2024-03-08')?.regularOpen ?? 0)).toBe('2024-03-08T14:30:00.000Z');
    expect(iso(sessionFor('2024-03-11')?.regularOpen ?? 0)).toBe('2024-03-11T13:30:00.000Z');
    expect(iso(sessionFor('2024-11-01')?.regularOpen ?? 0)).toBe('2024-11-01T13:30:00.000Z');
    expect(iso(sessionFor('2024-11-04')?.regularOpen ?? 0)).toBe('2024-11-04T14:30:00.000Z');
    const s = sessionFor('2024-07-15');
    expect(s).toEqual({
      date: '2024-07-15',
      preOpen: Date.parse('2024-07-15T08:00:00Z'),
      regularOpen: Date.parse('2024-07-15T13:30:00Z'),
      regularClose: Date.parse('2024-07-15T20:00:00Z'),
      postClose: Date.parse('2024-07-16T00:00:00Z'),
      earlyClose: false,
    });
  });

  it('handles the old US DST dates (first Sunday of April before 2007)', () => {
    expect(iso(sessionFor('2006-03-31')?.regularOpen ?? 0)).toBe('2006-03-31T14:30:00.000Z');
    expect(iso(sessionFor('2006-04-03')?.regularOpen ?? 0)).toBe('2006-04-03T13:30:00.000Z');
    expect(iso(sessionFor('2006-10-27')?.regularOpen ?? 0)).toBe('2006-10-27T13:30:00.000Z');
    expect(iso(sessionFor('2006-10-30')?.regularOpen ?? 0)).toBe('2006-10-30T14:30:00.000Z');
  });

  it('returns null for non-trading days and caches sessions', () => {
    expect(sessionFor('2024-03-29')).toBeNull();
    expect(sessionFor('2024-03-30')).toBeNull();
    expect(sessionFor('2024-04-01')).toBe(sessionFor('2024-04-01'));
    expect(Object.isFrozen(sessionFor('2024-04-01'))).toBe(true);
  });

  it('counts regular minutes', () => {
    expect(regularMinuteCount('2024-03-08')).toBe(390);
    expect(regularMinuteCount('2024-03-11')).toBe(390);
    expect(regularMinuteCount('2024-07-03')).toBe(210);
    expect(regularMinuteCount('2024-07-04')).toBe(0);
    expect(regularMinuteCount('2024-07-06')).toBe(0);
  });
});

describe('sessionOf', () => {
  // 2024-07-15 is EDT (UTC-4); 2024-01-16 is EST (UTC-5).
  const edt = (hms: string): number => Date.parse(`2024-07-15T${hms}-04:00`);
  const est = (hms: string): number => Date.parse(`2024-01-16T${hms}-05:00`);

  it('classifies the edges of each phase', () => {
    for (const at of [edt, est]) {
      expect(sessionOf(at('03:59:59'))).toBeNull();
      expect(sessionOf(at('04:00:00'))).toBe('pre');
      expect(sessionOf(at('09:29:59'))).toBe('pre');
      expect(sessionOf(at('09:29:59.999'))).toBe('pre');
      expect(sessionOf(at('09:30:00'))).toBe('regular');
      expect(sessionOf(at('15:59:00'))).toBe('regular');
      expect(sessionOf(at('15:59:59.999'))).toBe('regular');
      expect(sessionOf(at('16:00:00'))).toBe('post');
      expect(sessionOf(at('19:59:59'))).toBe('post');
      expect(sessionOf(at('20:00:00'))).toBeNull();
      expect(sessionOf(at('23:59:59'))).toBeNull();
      expect(sessionOf(at('00:00:00'))).toBeNull();
    }
  });

  it('switches to post at 13:00 on early closes and ends it at 17:00', () => {
    const at = (hms: string): number => Date.parse(`2024-11-29T${hms}-05:00`);
    expect(sessionOf(at('12:59:59'))).toBe('regular');
    expect(sessionOf(at('13:00:00'))).toBe('post');
    expect(sessionOf(at('16:59:59'))).toBe('post');
    expect(sessionOf(at('17:00:00'))).toBeNull();
  });

  it('is null on weekends and holidays', () => {
    expect(sessionOf(Date.parse('2024-07-04T10:00:00-04:00'))).toBeNull();
    expect(sessionOf(Date.parse('2024-07-06T10:00:00-04:00'))).toBeNull();
    expect(sessionOf(Date.parse('2025-01-09T10:00:00-05:00'))).toBeNull();
  });

  it('uses the Eastern date, not the UTC date, for evening instants', () => {
    // 2024-07-15 23:30 EDT is already 07-16 in UTC.
    expect(sessionOf(Date.parse('2024-07-16T03:30:00Z'))).toBeNull();
    expect(sessionOf(Date.parse('2024-07-15T23:59:59Z'))).toBe('post');
  });

  it('works on DST switch Mondays', () => {
    expect(sessionOf(Date.parse('2024-03-11T13:30:00Z'))).toBe('regular');
    expect(sessionOf(Date.parse('2024-03-11T13:29:59Z'))).toBe('pre');
    expect(sessionOf(Date.parse('2024-11-04T14:29:59Z'))).toBe('pre');
    expect(sessionOf(Date.parse('2024-11-04T14:30:00Z'))).toBe('regular');
  });
});

describe('exchangeDate', () => {
  it('returns the New York date near UTC midnight', () => {
    expect(exchangeDate(Date.parse('2024-07-16T03:59:59Z'))).toBe('2024-07-15');
    expect(exchangeDate(Date.parse('2024-07-16T04:00:00Z'))).toBe('2024-07-16');
    expect(exchangeDate(Date.parse('2024-01-16T04:59:59Z'))).toBe('2024-01-15');
    expect(exchangeDate(Date.parse('2024-01-16T05:00:00Z'))).toBe('2024-01-16');
    expect(exchangeDate(Date.parse('2024-01-01T00:00:00Z'))).toBe('2023-12-31');
  });

  it('works around the DST transitions themselves', () => {
    expect(exchangeDate(Date.parse('2024-03-10T06:59:59Z'))).toBe('2024-03-10');
    expect(exchangeDate(Date.parse('2024-03-10T07:00:00Z'))).toBe('2024-03-10');
    expect(exchangeDate(Date.parse('2024-11-03T04:00:00Z'))).toBe('2024-11-03');
    expect(exchangeDate(Date.parse('2024-11-03T03:59:59Z'))).toBe('2024-11-02');
  });
});

describe('public surface', () => {
  it('re-exports the calendar API and a version', () => {
    expect(CALENDAR_VERSION).toMatch(/^nyse-\d{4}\.\d+$/);
    expect(publicSurface.CALENDAR_VERSION).toBe(CALENDAR_VERSION);
    for (const fn of [
      'isTradingDay',
      'holidayName',
      'tradingDays',
      'nextTradingDay',
      'previousTradingDay',
      'sessionFor',
      'sessionOf',
      'exchangeDate',
      'regularMinuteCount',
      'zonedTimeToUtc',
      'utcToZonedParts',
    ] as const) {
      expect(typeof publicSurface[fn]).toBe('function');
    }
  });
});
