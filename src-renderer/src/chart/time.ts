import { NEW_YORK, fromNyWall, toNyWall } from '../../../src-common/nyTime';
import type { Timeframe } from '../../../src-common/timeframes';

// lightweight-charts draws times as UTC. Markets are read on the New York clock, so every instant is shifted by New
// York's UTC offset at that instant before it reaches the chart (and back when read from it): a 09:30 open shows as
// 09:30, a daily bar stamped 00:00 New York shows on its date, whatever the viewer's own zone.
//
// Every date the chart shows (legend, crosshair label, axis ticks) is formatted here, for one zone: when the app gets a
// time zone setting, `CHART_ZONE` becomes a parameter of these functions.

/** The zone the chart shows, and how it is named next to the times. */
export const CHART_ZONE = { id: NEW_YORK, label: 'New York time (ET)', short: 'ET' } as const;

/** An instant as the chart's time (seconds, New York wall clock read as UTC). */
export function toChartTime(ms: number): number {
  return toNyWall(ms) / 1000;
}

/** A chart time back to the instant (bars are never in the repeated hour of a DST change, so this is exact for them). */
export function fromChartTime(sec: number): number {
  return fromNyWall(sec * 1000);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The one date format of the chart (legend and crosshair): "Tue 02 Jan 2024 09:30 ET", or "Tue 02 Jan 2024" for a
 * daily bar (a date, not an instant).
 */
export function formatBarTime(ms: number, tf: Timeframe | null): string {
  const d = new Date(toNyWall(ms));
  const date = `${DAYS[d.getUTCDay()]} ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  if (tf === '1d') return date;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} ${CHART_ZONE.short}`;
}

/** lightweight-charts' TickMarkType: Year, Month, DayOfMonth, Time, TimeWithSeconds. */
export type TickKind = 0 | 1 | 2 | 3 | 4;

/**
 * A time-axis label (chart time in seconds): a year tick says the year, a month tick month and year, a day tick day
 * and month, a time tick the time; so the axis always tells which month and year it shows.
 */
export function formatTick(chartSec: number, kind: TickKind): string {
  const d = new Date(chartSec * 1000);
  switch (kind) {
    case 0:
      return String(d.getUTCFullYear());
    case 1:
      return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
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
