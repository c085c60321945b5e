import { describe, expect, it } from 'vitest';
import { parseIsoDate, utcToZonedParts, zoneOffsetAt, zonedTimeToUtc } from './tz';

const NY = 'America/New_York';
const iso = (ts: number): string => new Date(ts).toISOString();

// Independent oracle: Intl's own rendering of an instant (Swedish dates read "2024-01-16 09:30:00"), without any of
// tz.ts's caching or offset arithmetic. Used on years 1950-2100 only.
function intlParts(ts: number, timeZone: string): { date: string; hour: number; minute: number; second: number } {
  const [date = '', time = ''] = new Date(ts).toLocaleString('sv-SE', { timeZone }).split(' ');
  const [hour, minute, second] = time.split(':').map(Number);
  return { date, hour: (hour ?? 0) % 24, minute: minute ?? 0, second: second ?? 0 };
}

describe('zonedTimeToUtc', () => {
  it('converts ordinary wall times in winter and summer', () => {
    expect(iso(zonedTimeToUtc('2024-01-16', 9, 30, NY))).toBe('2024-01-16T14:30:00.000Z');
    expect(iso(zonedTimeToUtc('2024-07-15', 9, 30, NY))).toBe('2024-07-15T13:30:00.000Z');
    expect(iso(zonedTimeToUtc('2024-07-15', 0, 0, NY))).toBe('2024-07-15T04:00:00.000Z');
    expect(iso(zonedTimeToUtc('2024-07-15', 23, 59, NY))).toBe('2024-07-16T03:59:00.000Z');
    expect(iso(zonedTimeToUtc('2024-07-15', 12, 0, 'UTC'))).toBe('2024-07-15T12:00:00.000Z');
  });

  it('handles the spring-forward day (02:00-02:59 does not exist) without throwing', () => {
    expect(iso(zonedTimeToUtc('2024-03-10', 1, 59, NY))).toBe('2024-03-10T06:59:00.000Z');
    // Skipped wall times move forward by the gap: 02:30 EST-intended reads as 03:30 EDT.
    expect(iso(zonedTimeToUtc('2024-03-10', 2, 0, NY))).toBe('2024-03-10T07:00:00.000Z');
    expect(iso(zonedTimeToUtc('2024-03-10', 2, 30, NY))).toBe('2024-03-10T07:30:00.000Z');
    expect(iso(zonedTimeToUtc('2024-03-10', 3, 0, NY))).toBe('2024-03-10T07:00:00.000Z');
    expect(iso(zonedTimeToUtc('2024-03-10', 0, 0, NY))).toBe('2024-03-10T05:00:00.000Z');
    expect(iso(zonedTimeToUtc('2024-03-10', 9, 30, NY))).toBe('2024-03-10T13:30:00.000Z');
  });

  it('handles the fall-back day (01:00-01:59 happens twice) by taking the earlier instant', () => {
    expect(iso(zonedTimeToUtc('2024-11-03', 0, 59, NY))).toBe('2024-11-03T04:59:00.000Z');
    expect(iso(zonedTimeToUtc('2024-11-03', 1, 0, NY))).toBe('2024-11-03T05:00:00.000Z');
    expect(iso(zonedTimeToUtc('2024-11-03', 1, 30, NY))).toBe('2024-11-03T05:30:00.000Z');
    expect(iso(zonedTimeToUtc('2024-11-03', 2, 0, NY))).toBe('2024-11-03T07:00:00.000Z');
    expect(iso(zonedTimeToUtc('2024-11-03', 9, 30, NY))).toBe('2024-11-03T14:30:00.000Z');
  });

  it('handles zones with non-hour offsets and southern-hemisphere DST', () => {
    expect(iso(zonedTimeToUtc('2024-07-15', 9, 0, 'Asia/Kolkata'))).toBe('2024-07-15T03:30:00.000Z');
    expect(iso(zonedTimeToUtc('2024-07-15', 9, 0, 'Asia/Kathmandu'))).toBe('2024-07-15T03:15:00.000Z');
    expect(iso(zonedTimeToUtc('2024-01-15', 10, 0, 'Australia/Sydney'))).toBe('2024-01-14T23:00:00.000Z');
    expect(iso(zonedTimeToUtc('2024-07-15', 10, 0, 'Australia/Sydney'))).toBe('2024-07-15T00:00:00.000Z');
    // Lord Howe shifts by only 30 minutes; 2024-10-06 02:00 -> 02:30.
    expect(iso(zonedTimeToUtc('2024-10-06', 2, 15, 'Australia/Lord_Howe'))).toBe('2024-10-05T15:45:00.000Z');
    expect(iso(zonedTimeToUtc('2024-10-06', 3, 0, 'Australia/Lord_Howe'))).toBe('2024-10-05T16:00:00.000Z');
    // London skips 01:00-01:59 GMT; 01:30 is read as GMT and so lands on 02:30 BST.
    expect(iso(zonedTimeToUtc('2024-03-31', 1, 30, 'Europe/London'))).toBe('2024-03-31T01:30:00.000Z');
    expect(iso(zonedTimeToUtc('2024-10-27', 1, 30, 'Europe/London'))).toBe('2024-10-27T00:30:00.000Z');
  });

  it('does not throw for a calendar day a zone skipped entirely', () => {
    // Samoa jumped from 2011-12-29 to 2011-12-31; the 30th never happened there.
    const ts = zonedTimeToUtc('2011-12-30', 12, 0, 'Pacific/Apia');
    expect(Number.isFinite(ts)).toBe(true);
    expect(iso(zonedTimeToUtc('2011-12-29', 12, 0, 'Pacific/Apia'))).toBe('2011-12-29T22:00:00.000Z');
    expect(iso(zonedTimeToUtc('2011-12-31', 12, 0, 'Pacific/Apia'))).toBe('2011-12-30T22:00:00.000Z');
  });

  it('round-trips every quarter hour of DST switch days', () => {
    for (const date of ['2024-03-10', '2024-11-03', '2007-03-11', '2006-04-02', '2006-10-29']) {
      for (let minute = 0; minute < 24 * 60; minute += 15) {
        const hour = Math.floor(minute / 60);
        const ts = zonedTimeToUtc(date, hour, minute % 60, NY);
        const back = utcToZonedParts(ts, NY);
        const skipped = back.date !== date || back.hour !== hour || back.minute !== minute % 60;
        // Only the skipped hour on spring-forward days may fail to round-trip, and then by exactly one hour.
        if (skipped) {
          expect(back.hour, `${date} ${hour}:${minute % 60}`).toBe(hour + 1);
          expect(hour).toBe(2);
        }
      }
    }
  });

  it('validates its inputs', () => {
    expect(() => zonedTimeToUtc('2024-02-30', 9, 30, NY)).toThrow(RangeError);
    expect(() => zonedTimeToUtc('2024-02-03T00:00', 9, 30, NY)).toThrow(RangeError);
    expect(() => zonedTimeToUtc('2024-02-03', 24, 0, NY)).toThrow(RangeError);
    expect(() => zonedTimeToUtc('2024-02-03', 9, 60, NY)).toThrow(RangeError);
    expect(() => zonedTimeToUtc('2024-02-03', 9.5, 0, NY)).toThrow(RangeError);
    expect(() => zonedTimeToUtc('2024-02-03', 9, 0, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('answers the same instant from its cache', () => {
    const first = zonedTimeToUtc('2024-05-01', 9, 30, NY);
    for (let i = 0; i < 1_000; i++) expect(zonedTimeToUtc('2024-05-01', 9, 30, NY)).toBe(first);
  });
});

describe('utcToZonedParts', () => {
  it('returns wall-clock parts', () => {
    expect(utcToZonedParts(Date.parse('2024-07-15T13:30:45.900Z'), NY)).toEqual({ date: '2024-07-15', hour: 9, minute: 30, second: 45 });
    expect(utcToZonedParts(Date.parse('2024-01-16T14:30:00Z'), NY)).toEqual({ date: '2024-01-16', hour: 9, minute: 30, second: 0 });
    expect(utcToZonedParts(0, NY)).toEqual({ date: '1969-12-31', hour: 19, minute: 0, second: 0 });
    expect(utcToZonedParts(-1, 'UTC')).toEqual({ date: '1969-12-31', hour: 23, minute: 59, second: 59 });
  });

  it('switches offset at the exact transition instant', () => {
    expect(utcToZonedParts(Date.parse('2024-03-10T06:59:59.999Z'), NY)).toEqual({ date: '2024-03-10', hour: 1, minute: 59, second: 59 });
    expect(utcToZonedParts(Date.parse('2024-03-10T07:00:00Z'), NY)).toEqual({ date: '2024-03-10', hour: 3, minute: 0, second: 0 });
    expect(utcToZonedParts(Date.parse('2024-11-03T05:59:59Z'), NY)).toEqual({ date: '2024-11-03', hour: 1, minute: 59, second: 59 });
    expect(utcToZonedParts(Date.parse('2024-11-03T06:00:00Z'), NY)).toEqual({ date: '2024-11-03', hour: 1, minute: 0, second: 0 });
    expect(zoneOffsetAt(Date.parse('2024-03-10T06:59:59.999Z'), NY)).toBe(-5 * 3_600_000);
    expect(zoneOffsetAt(Date.parse('2024-03-10T07:00:00Z'), NY)).toBe(-4 * 3_600_000);
  });

  it('matches Intl directly on sampled instants across zones and decades', () => {
    const zones = [NY, 'Europe/London', 'Asia/Tokyo', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Kathmandu', 'Pacific/Chatham'];
    // Deterministic LCG so a failure reproduces.
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const from = Date.parse('1950-01-01T00:00:00Z');
    const to = Date.parse('2100-01-01T00:00:00Z');
    for (let i = 0; i < 3_000; i++) {
      const ts = Math.floor(from + next() * (to - from));
      const zone = zones[i % zones.length] ?? NY;
      expect(utcToZonedParts(ts, zone), `${zone} ${iso(ts)}`).toEqual(intlParts(ts, zone));
    }
  });

  it('handles years 1-99, which Date.UTC would misread', () => {
    const ts = Date.parse('0050-06-15T12:00:00Z');
    expect(utcToZonedParts(ts, 'UTC')).toEqual({ date: '0050-06-15', hour: 12, minute: 0, second: 0 });
    expect(zonedTimeToUtc('0050-06-15', 12, 0, 'UTC')).toBe(ts);
  });

  it('rejects invalid timestamps and zones', () => {
    expect(() => utcToZonedParts(Number.NaN, NY)).toThrow(RangeError);
    expect(() => utcToZonedParts(Number.POSITIVE_INFINITY, NY)).toThrow(RangeError);
    expect(() => utcToZonedParts(8.64e15, NY)).toThrow(RangeError);
    expect(() => utcToZonedParts(0, 'Not/A_Zone')).toThrow(RangeError);
  });
});

describe('parseIsoDate', () => {
  it('accepts valid dates, including leap days', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseIsoDate('2000-02-29')).toEqual({ year: 2000, month: 2, day: 29 });
  });

  it('rejects invalid ones', () => {
    for (const bad of ['1900-02-29', '2023-02-29', '2024-00-10', '2024-06-31', '0000-01-01', '2024-6-1', '2024-06-01 ']) {
      expect(() => parseIsoDate(bad), bad).toThrow(RangeError);
    }
  });
});
