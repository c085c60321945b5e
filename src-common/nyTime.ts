// New York time: the clock the exchange calendar, the bars' sessions and the chart are read on. Built on Intl only
// (standard JavaScript), so it runs alike in Node, Electron and the browser.

import { zoneOffsetAt } from './tz';

/** The exchange's IANA time zone. */
export const NEW_YORK = 'America/New_York';

/** New York's offset from UTC at `ms`, in ms (-4 h or -5 h): the calendar's cached zone arithmetic (tz.ts). */
export function nyOffset(ms: number): number {
  return zoneOffsetAt(ms, NEW_YORK);
}

/** An instant as New York wall-clock time read as UTC, in ms (09:30 New York -> 09:30 UTC of that date). */
export function toNyWall(ms: number): number {
  return ms + nyOffset(ms);
}

/** A New York wall-clock time (read as UTC) back to the instant; exact outside the repeated hour of a DST change. */
export function fromNyWall(wall: number): number {
  return wall - nyOffset(wall - nyOffset(wall));
}
