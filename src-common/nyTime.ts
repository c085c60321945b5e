// New York time: the clock the exchange calendar, the bars' sessions and the chart are read on. Built on Intl only
// (standard JavaScript), so it runs alike in Node, Electron and the browser.

/** The exchange's IANA time zone. */
export const NEW_YORK = 'America/New_York';

const HOUR = 3_600_000;
const parts = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
/** offsets change only on whole hours (DST), so one lookup per UTC hour; bounded so a long session cannot grow it */
const cache = new Map<number, number>();

/** New York's offset from UTC at `ms`, in ms (-4 h or -5 h). */
export function nyOffset(ms: number): number {
  const hour = Math.floor(ms / HOUR);
  const hit = cache.get(hour);
  if (hit !== undefined) return hit;
  const p: Record<string, number> = {};
  for (const part of parts.formatToParts(new Date(hour * HOUR))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  const off = asUtc - hour * HOUR;
  if (cache.size > 50_000) cache.clear();
  cache.set(hour, off);
  return off;
}

/** An instant as New York wall-clock time read as UTC, in ms (09:30 New York -> 09:30 UTC of that date). */
export function toNyWall(ms: number): number {
  return ms + nyOffset(ms);
}

/** A New York wall-clock time (read as UTC) back to the instant; exact outside the repeated hour of a DST change. */
export function fromNyWall(wall: number): number {
  return wall - nyOffset(wall - nyOffset(wall));
}
