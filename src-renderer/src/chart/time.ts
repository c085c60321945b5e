import { fromNyWall, toNyWall } from '../../../src-common/nyTime';

// lightweight-charts draws times as UTC. Markets are read on the New York clock, so every instant is shifted by New
// York's UTC offset at that instant before it reaches the chart (and back when read from it): a 09:30 open shows as
// 09:30, a daily bar stamped 00:00 New York shows on its date, whatever the viewer's own zone.

/** An instant as the chart's time (seconds, New York wall clock read as UTC). */
export function toChartTime(ms: number): number {
  return toNyWall(ms) / 1000;
}

/** A chart time back to the instant (bars are never in the repeated hour of a DST change, so this is exact for them). */
export function fromChartTime(sec: number): number {
  return fromNyWall(sec * 1000);
}
