import { describe, expect, it } from 'vitest';
import { formatCellInstant, formatInstant, isTimeZoneSetting, resolveZone, zoneLabel } from './zonedTime';

describe('the time zone setting', () => {
  it('knows its values and names them', () => {
    expect(isTimeZoneSetting('America/New_York')).toBe(true);
    expect(isTimeZoneSetting('UTC')).toBe(true);
    expect(isTimeZoneSetting('local')).toBe(true);
    expect(isTimeZoneSetting('Europe/Berlin')).toBe(false);
    expect(zoneLabel('America/New_York')).toBe('New York');
    expect(zoneLabel('UTC')).toBe('UTC');
    expect(zoneLabel('local', 'Europe/Berlin')).toBe('local (Europe/Berlin)');
    expect(resolveZone('local', 'Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(resolveZone('local')).toBeTruthy();
  });
});

describe('formatInstant', () => {
  const winter = '2024-01-02T14:30:05.000Z';
  const summer = '2024-07-02T13:30:05.000Z';
  it('shows date, time and zone in New York across DST', () => {
    expect(formatInstant(winter, 'America/New_York')).toBe('2024-01-02 09:30:05 EST');
    expect(formatInstant(summer, 'America/New_York')).toBe('2024-07-02 09:30:05 EDT');
  });
  it('shows UTC as UTC', () => {
    expect(formatInstant(winter, 'UTC')).toBe('2024-01-02 14:30:05 UTC');
    expect(formatInstant(Date.parse(summer), 'UTC', { seconds: false })).toBe('2024-07-02 13:30 UTC');
  });
  it('shows local in the given zone, the date changing with it', () => {
    expect(formatInstant('2024-01-02T23:30:00Z', 'local', {}, 'Asia/Tokyo')).toBe('2024-01-03 08:30:00 GMT+9');
    expect(formatInstant(winter, 'local', { zone: false }, 'Europe/Berlin')).toBe('2024-01-02 15:30:05');
    expect(formatInstant(summer, 'local', {}, 'Europe/Berlin')).toBe('2024-07-02 15:30:05 GMT+2');
  });
  it('around the spring-forward and fall-back hours', () => {
    // 2024-03-10 02:00 EST -> 03:00 EDT (07:00 UTC); 2024-11-03 02:00 EDT -> 01:00 EST (06:00 UTC)
    expect(formatInstant('2024-03-10T06:59:00Z', 'America/New_York')).toBe('2024-03-10 01:59:00 EST');
    expect(formatInstant('2024-03-10T07:00:00Z', 'America/New_York')).toBe('2024-03-10 03:00:00 EDT');
    expect(formatInstant('2024-11-03T05:30:00Z', 'America/New_York')).toBe('2024-11-03 01:30:00 EDT');
    expect(formatInstant('2024-11-03T06:30:00Z', 'America/New_York')).toBe('2024-11-03 01:30:00 EST');
  });
  it('names the zone right on both sides of a transition once the names are cached (a page of findings formats each quarter hour once)', () => {
    // the same quarter hours again, in the other order, and a zone sharing nothing with New York
    for (let i = 0; i < 2; i++) {
      expect(formatInstant('2024-03-10T07:14:59Z', 'America/New_York')).toBe('2024-03-10 03:14:59 EDT');
      expect(formatInstant('2024-03-10T06:45:00Z', 'America/New_York')).toBe('2024-03-10 01:45:00 EST');
      expect(formatInstant('2024-03-10T06:45:00Z', 'UTC')).toBe('2024-03-10 06:45:00 UTC');
      expect(formatInstant('2024-03-31T01:00:00Z', 'local', {}, 'Europe/Berlin')).toBe('2024-03-31 03:00:00 GMT+2');
      expect(formatInstant('2024-03-31T00:59:59Z', 'local', {}, 'Europe/Berlin')).toBe('2024-03-31 01:59:59 GMT+1');
    }
  });
  it('leaves non-instants visible and nothing for null', () => {
    expect(formatInstant(null, 'UTC')).toBe('');
    expect(formatInstant('soon', 'UTC')).toBe('soon');
  });
});

describe('formatCellInstant', () => {
  it('converts instants, keeps their fraction, leaves naive timestamps and dates as written', () => {
    expect(formatCellInstant('2024-01-02T14:30:00.000Z', 'America/New_York')).toBe('2024-01-02 09:30:00');
    expect(formatCellInstant('2024-07-02T14:30:00.123456Z', 'America/New_York')).toBe('2024-07-02 10:30:00.123456');
    expect(formatCellInstant('2024-01-02T14:30:00.000Z', 'UTC')).toBe('2024-01-02 14:30:00');
    expect(formatCellInstant('2024-01-02T14:30:00.500', 'America/New_York')).toBe('2024-01-02 14:30:00.500');
    expect(formatCellInstant('2024-01-02', 'America/New_York')).toBe('2024-01-02');
    expect(formatCellInstant('infinity', 'UTC')).toBe('infinity');
  });
});
