import { toNyWall } from '../../../src-common/nyTime';

// Overlays computed from the bars held: plain functions over columns, tested without a browser. A bar without a value
// is null (drawn as a gap).

const DAY = 86_400_000;
/** 09:30, the regular open, in ms after New York midnight */
const OPEN = 9.5 * 3_600_000;

/** Simple moving average of `close` over `length` bars (null for the first length-1 bars). */
export function sma(close: readonly number[], length: number): Array<number | null> {
  const n = Math.max(1, Math.floor(length));
  const out = new Array<number | null>(close.length).fill(null);
  let sum = 0;
  for (let i = 0; i < close.length; i++) {
    sum += close[i]!;
    if (i >= n) sum -= close[i - n]!;
    if (i >= n - 1) out[i] = sum / n;
  }
  return out;
}

/**
 * VWAP anchored at each session's open: typical price ((h+l+c)/3) weighted by volume, summed from the session's first
 * regular bar (09:30 New York) on; bars before the open have none. Daily bars: each bar is its own session.
 */
export function vwap(t: readonly number[], h: readonly number[], l: readonly number[], c: readonly number[], v: readonly number[], daily: boolean): Array<number | null> {
  const out = new Array<number | null>(t.length).fill(null);
  let day = NaN;
  let pv = 0;
  let vol = 0;
  for (let i = 0; i < t.length; i++) {
    const wall = toNyWall(t[i]!);
    const d = Math.floor(wall / DAY);
    if (d !== day) {
      day = d;
      pv = 0;
      vol = 0;
    }
    if (!daily && wall - d * DAY < OPEN) continue;
    const tp = (h[i]! + l[i]! + c[i]!) / 3;
    pv += tp * v[i]!;
    vol += v[i]!;
    out[i] = vol > 0 ? pv / vol : tp;
  }
  return out;
}

/** For each bar, whether the next bar is on another New York date (the bar closes its session's line). */
export function sessionEnds(t: readonly number[]): boolean[] {
  const day = t.map((x) => Math.floor(toNyWall(x) / DAY));
  return t.map((_, i) => i + 1 < t.length && day[i + 1] !== day[i]);
}
