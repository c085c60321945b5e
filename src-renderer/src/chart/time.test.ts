import { afterEach, describe, expect, it } from 'vitest';
import { chartZoneLabel, formatBarTime, formatCrosshair, fromChartTime, setChartZone, toChartTime } from './time';

// The chart follows the Time zone setting: axis (chart time), crosshair and legend (formatBarTime) in one zone.

const open = Date.parse('2024-01-02T14:30:00Z'); // 09:30 New York
const summer = Date.parse('2024-07-01T13:30:00Z'); // 09:30 New York (EDT)

afterEach(() => setChartZone('America/New_York'));

describe('chart time in the Time zone setting', () => {
  it('New York (the default): the exchange clock, said as ET', () => {
    expect(toChartTime(open)).toBe(Date.parse('2024-01-02T09:30:00Z') / 1000);
    expect(formatBarTime(summer, '1m')).toBe('Mon 01 Jul 2024 09:30 ET');
    expect(chartZoneLabel()).toBe('New York time (ET)');
  });

  it('UTC: the instants as they are, said as UTC, on the axis, the crosshair and the legend', () => {
    setChartZone('UTC');
    expect(toChartTime(open)).toBe(open / 1000);
    expect(fromChartTime(toChartTime(summer))).toBe(summer);
    expect(formatBarTime(open, '1m')).toBe('Tue 02 Jan 2024 14:30 UTC');
    expect(formatCrosshair(toChartTime(open), '5m')).toBe('Tue 02 Jan 2024 14:30 UTC');
    // a daily bar is a session's date on the exchange, whatever the zone
    expect(formatBarTime(Date.parse('2024-01-02T05:00:00Z'), '1d')).toBe('Tue 02 Jan 2024');
    expect(chartZoneLabel()).toBe('UTC');
  });

  it("local: the runtime's own offset at each instant, and back", () => {
    setChartZone('local');
    for (const t of [open, summer]) {
      expect(toChartTime(t)).toBe((t - new Date(t).getTimezoneOffset() * 60_000) / 1000);
      expect(fromChartTime(toChartTime(t))).toBe(t);
    }
    expect(chartZoneLabel()).toMatch(/^local time \(.+\)$/);
  });
});
