import { fromNyWall, toNyWall } from '../../../src-common/nyTime';
import type { Timeframe } from '../../../src-common/timeframes';
import { DEFAULT_TIME_ZONE, resolveZone, wallParts, zoneLabel, type TimeZoneSetting } from '../../../src-common/zonedTime';

// lightweight-charts draws times as UTC. So every instant is shifted by the UTC offset, at that instant, of the zone
// the app's Time zone setting names (New York by default, UTC, or the viewer's own) before it reaches the chart, and
// back when read from it: with New York, a 09:30 open shows as 09:30, whatever the viewer's own zone.
//
// Every date the chart shows (legend, crosshair label, axis ticks) is formatted here, in that one zone: the Chart page
// sets it (setChartZone) before it makes its chart, and makes a new chart when the setting changes.

let zone: TimeZoneSetting = DEFAULT_TIME_ZONE;

export function setChartZone(z: TimeZoneSetting): void {
  zone = z;
}

/** How the chart's zone is named next to its times: "New York time (ET)", "UTC", "local time (Europe/Berlin)". */
export function chartZoneLabel(z: TimeZoneSetting = zone): string {
  if (z === 'America/New_York') return 'New York time (ET)';
  return z === 'UTC' ? 'UTC' : `${zoneLabel(z).replace(/^local/, 'local time')}`;
}

const MINUTE = 60_000;

/** An instant as wall-clock milliseconds of the chart's zone read as UTC (local: the runtime's own offset). */
function toWall(ms: number): number {
  if (zone === 'America/New_York') return toNyWall(ms);
  if (zone === 'UTC') return ms;
  return ms - new Date(ms).getTimezoneOffset() * MINUTE;
}

function fromWall(wall: number): number {
  if (zone === 'America/New_York') return fromNyWall(wall);
  if (zone === 'UTC') return wall;
  // the offset at the guess, then at the corrected instant (right except in the repeated hour of a DST change)
  const guess = wall + new Date(wall).getTimezoneOffset() * MINUTE;
  return wall + new Date(guess).getTimezoneOffset() * MINUTE;
}

/** An instant as the chart's time (seconds, the zone's wall clock read as UTC). */
export function toChartTime(ms: number): number {
  return toWall(ms) / 1000;
}

/** A chart time back to the instant (bars are never in the repeated hour of a DST change, so this is exact for them). */
export function fromChartTime(sec: number): number {
  return fromWall(sec * 1000);
}

/** The zone's abbreviation at an instant: ET for New York (as the markets say), UTC, or the local zone's (CET, GMT+2). */
function zoneShort(ms: number): string {
  if (zone === 'America/New_York') return 'ET';
  if (zone === 'UTC') return 'UTC';
  return wallParts(ms, resolveZone(zone))?.zone ?? resolveZone(zone);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The one date format of the chart (legend and crosshair): "Tue 02 Jan 2024 09:30 ET" in the chart's zone, or
 * "Tue 02 Jan 2024" for a daily bar (a session's date on the exchange, whatever the zone).
 */
export function formatBarTime(ms: number, tf: Timeframe | null): string {
  const d = new Date(tf === '1d' ? toNyWall(ms) : toWall(ms));
  const date = `${DAYS[d.getUTCDay()]} ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  if (tf === '1d') return date;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} ${zoneShort(ms)}`;
}

/** lightweight-charts' TickMarkType: Year, Month, DayOfMonth, Time, TimeWithSeconds. */
export type TickKind = 0 | 1 | 2 | 3 | 4;

/**
 * A time-axis label (chart time in seconds): the tick where a new year begins says the year with its month (and day,
 * on intraday bars: "2 Jan 2024", where a bare "2024" or "2" left the day unsaid), a month tick month and year, a day
 * tick day and month, a time tick the time; so the axis always tells which month and year it shows.
 */
export function formatTick(chartSec: number, kind: TickKind, tf: Timeframe | null = null): string {
  const d = new Date(chartSec * 1000);
  const month = `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  switch (kind) {
    case 0:
      return tf === null || tf === '1d' ? month : `${d.getUTCDate()} ${month}`;
    case 1:
      return month;
    case 2:
      return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
    case 3:
      return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    default:
      return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }
}

/** The crosshair's time label (chart time in seconds): the legend's format. */
export function formatCrosshair(chartSec: number, tf: Timeframe | null): string {
  return formatBarTime(fromChartTime(chartSec), tf);
}
