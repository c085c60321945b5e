// Unit-aware numbers for the Metrics page's axes and tooltips: durations pick ms or s from the range shown (never
// "2.6K ms"), counts and rates go compact with K/M/B. Plain functions, tested without a browser.
import { utcToZonedParts, zoneOffsetAt } from '../../../../src-common/tz';

function trim(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.0+$|(\.\d*?)0+$/, '$1');
}

/** A count or rate: 0, 0.25, 42, 950, 2.6K, 1.2M, 3B. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9, a >= 1e10 ? 0 : 1)}B`;
  if (a >= 1e6) return `${trim(n / 1e6, a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${trim(n / 1e3, a >= 1e4 ? 0 : 1)}K`;
  if (a >= 100 || a === 0) return String(Math.round(n));
  if (a >= 1) return trim(n, 1);
  return trim(n, 2);
}

export type DurationUnit = 'ms' | 's';

/** The unit an axis of durations (in ms) reads best in: seconds from a second up. */
export function durationUnit(maxMs: number): DurationUnit {
  return maxMs >= 1000 ? 's' : 'ms';
}

/** Decimals for a value in its unit: none from 100, one from 10, else two (axis ticks such as 0.25 and 12.5 kept whole). */
const durationDigits = (v: number) => (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);

/** A duration in ms in the axis's unit: "250 ms", "2.6 s", "0.25 ms" (not "0.3 ms": ticks stay evenly spaced). */
export function formatDuration(ms: number, unit: DurationUnit = durationUnit(Math.abs(ms))): string {
  if (!Number.isFinite(ms)) return '–';
  const v = unit === 's' ? ms / 1000 : ms;
  return `${trim(v, durationDigits(v))} ${unit}`;
}

/** The largest finite value of the series (0 without any). */
export function maxOf(values: Iterable<number | null | undefined>): number {
  let m = 0;
  for (const v of values) if (v != null && Number.isFinite(v) && v > m) m = v;
  return m;
}

/**
 * A trailing average over `windowMs` of time (of non-negative values, e.g. rates): each point becomes the mean of the points in (t - windowMs, t]. Rows
 * are written a chunk at a time, so the raw rate jumps between 0 and a burst; the average shows the ingest's pace.
 */
export function smooth(points: ReadonlyArray<{ t: number; value: number }>, windowMs: number): Array<{ t: number; value: number }> {
  const out: Array<{ t: number; value: number }> = [];
  let start = 0;
  for (let i = 0; i < points.length; i++) {
    while (points[start]!.t <= points[i]!.t - windowMs) start++;
    // summed afresh (a window holds a few samples): a running sum's rounding would leave "<0.01" or "-8.5K" after a burst
    let sum = 0;
    for (let k = start; k <= i; k++) sum += points[k]!.value;
    out.push({ t: points[i]!.t, value: sum / (i - start + 1) });
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A time-axis label for a span: seconds under 3 minutes, the date beside the time over a day, on the clock of `zone`
 * (an IANA name: the app's Time zone setting, like every other time the app shows).
 */
export function formatAxisTime(ms: number, spanMs: number, zone: string): string {
  const p = utcToZonedParts(Math.floor(ms), zone);
  const hm = `${pad(p.hour)}:${pad(p.minute)}`;
  if (spanMs <= 180_000) return `${hm}:${pad(p.second)}`;
  if (spanMs > 36 * 3_600_000) return `${Number(p.date.slice(8, 10))} ${MONTHS[Number(p.date.slice(5, 7)) - 1]} ${hm}`;
  return hm;
}

/** Round tick times across [from, to]: about `count` of them, on steps people read (15 s … 1 day). */
export function timeTicks(from: number, to: number, zone: string, count = 6): number[] {
  const steps = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];
  const span = Math.max(to - from, 1);
  const step = steps.find((s) => span / s <= count) ?? 86_400_000;
  // steps of an hour and up fall on round hours of `zone`'s clock (midnight for a day)
  const off = step >= 3_600_000 ? -zoneOffsetAt(from, zone) : 0;
  const out: number[] = [];
  for (let t = Math.ceil((from - off) / step) * step + off; t <= to; t += step) out.push(t);
  return out;
}
