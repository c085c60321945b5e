// lightweight-charts draws times as UTC. Markets are read on the New York clock, so every instant is shifted by New
// York's UTC offset at that instant before it reaches the chart (and back when read from it): a 09:30 open shows as
// 09:30, a daily bar stamped 00:00 New York shows on its date, whatever the viewer's own zone.

const HOUR = 3_600_000;
const fmt = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
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
  for (const part of fmt.formatToParts(new Date(hour * HOUR))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  const off = asUtc - hour * HOUR;
  if (cache.size > 50_000) cache.clear();
  cache.set(hour, off);
  return off;
}

/** An instant as the chart's time (seconds, New York wall clock read as UTC). */
export function toChartTime(ms: number): number {
  return (ms + nyOffset(ms)) / 1000;
}

/** A chart time back to the instant (bars are never in the repeated hour of a DST change, so this is exact for them). */
export function fromChartTime(sec: number): number {
  const wall = sec * 1000;
  return wall - nyOffset(wall - nyOffset(wall));
}
