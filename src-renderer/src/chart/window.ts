import type { ChartBars } from '../../../src-main/contract/chart';
import type { Timeframe } from '../../../src-main/contract/schemas';
import { TIMEFRAME_MS as TF_MS, TIMEFRAMES as ORDER } from '../../../src-common/timeframes';

// What the chart explorer fetches, and when: plain functions over numbers, tested without a browser.
//
// The chart holds one window of bars around what is visible (the visible span again on each side). Panning near an
// edge of the window, or zooming out past it, asks for a new window around the view; the engine answers with the
// finest timeframe that fits maxBars, so zooming out far enough switches to coarser bars by itself. Zooming back in
// asks again once the view is small enough that a finer timeframe would fit.

const DAY = 86_400_000;

/** Bars as the engine sends them, with the range the window covers. */
export type Columns = Pick<ChartBars, 't' | 'o' | 'h' | 'l' | 'c' | 'v'>;
export interface Loaded extends Columns {
  timeframe: Timeframe;
  /** the window asked for (aligned by the engine): no bar outside it is missing from `t` */
  from: number;
  to: number;
}

export interface Range {
  from: number;
  to: number;
}

/** The visible span a timeframe opens with: a few hundred bars, in calendar time (weekends and nights included). */
function initialSpan(tf: Timeframe): number {
  return { '1m': 1, '5m': 5, '15m': 14, '30m': 30, '1h': 60, '4h': 180, '1d': 365 }[tf] * DAY;
}

/**
 * The view to open with: centred on `at` when given, else the span ending at the last bar. An `at` beyond the data
 * (a finding about sessions missing before the first bar or after the last) opens at that edge of the data, so the
 * view shows bars rather than the empty time around them.
 */
export function initialView(tf: Timeframe, extent: Range, at?: number): Range {
  const span = initialSpan(tf);
  if (at !== undefined && Number.isFinite(at)) {
    if (at < extent.from) return { from: extent.from, to: extent.from + span };
    if (at > extent.to) return { from: extent.to - span, to: extent.to };
    return { from: at - span / 2, to: at + span / 2 };
  }
  return { from: extent.to - span, to: extent.to };
}

/** The window to fetch for a view: the view plus its span on each side, within the symbol's extent. */
export function fetchWindow(view: Range, extent: Range): Range {
  const span = Math.max(view.to - view.from, 60_000);
  const from = Math.max(Math.floor(view.from - span), extent.from);
  // +1: `to` is exclusive, the last bar must be in
  const to = Math.min(Math.ceil(view.to + span), extent.to + 1);
  return from < to ? { from, to } : { from: extent.from, to: extent.to + 1 };
}

/** Average spacing of the bars held (calendar ms per bar), for converting bar counts beyond the data to time. */
export function spacing(t: readonly number[], tf: Timeframe): number {
  // At least the regular session's density (6.5 of 24 hours, 5 of 7 days; 5 of 7 for daily bars): a day or two of
  // bars alone would make the blank space past them look like far less time than the bars it stands for.
  const floor = tf === '1d' ? (TF_MS[tf] * 7) / 5 : (TF_MS[tf] * 24 * 7) / (6.5 * 5);
  if (t.length < 2) return floor;
  return Math.max((t[t.length - 1]! - t[0]!) / (t.length - 1), floor);
}

/**
 * The time range a logical (bar-index) range shows. Inside the data it reads the bars' times; past either end it
 * extrapolates with the average spacing (the chart lets the user scroll into blank space there).
 */
export function visibleTimeRange(t: readonly number[], tf: Timeframe, logicalFrom: number, logicalTo: number): Range | null {
  if (t.length === 0) return null;
  const step = spacing(t, tf);
  const at = (i: number): number => {
    if (i <= 0) return t[0]! + i * step;
    const last = t.length - 1;
    if (i >= last) return t[last]! + (i - last) * step;
    const k = Math.floor(i);
    return t[k]! + (i - k) * (t[k + 1]! - t[k]!);
  };
  return { from: at(logicalFrom), to: at(logicalTo) };
}

/**
 * A window to fetch, and the finest timeframe to accept for it: panning keeps the timeframe shown (it never turns
 * finer by itself, which could flap at an end of the data), zooming out asks for coarser than shown, zooming in for
 * the finest the user asked for (the engine gives the finest that fits).
 */
export type Need = { kind: 'none' } | { kind: 'window'; window: Range; reason: 'edge' | 'finer' | 'coarser'; timeframe: Timeframe };

interface NeedInput {
  view: Range;
  /** bars the view spans at the shown timeframe (the logical range's width) */
  visibleBars: number;
  /** the chart's logical (bar-index) range: near the first or last bar held counts as near an edge, whatever the time */
  logical?: { from: number; to: number };
  loaded: Loaded;
  /** the timeframe the user asked for (the finest wanted) */
  requested: Timeframe;
  extent: Range;
  maxBars: number;
  /** visible bars when a finer timeframe was last asked for and refused (the engine kept this one); null if none */
  finerRefusedAt: number | null;
  /** bars in view when a coarser one was last asked for and refused */
  coarserRefusedAt?: number | null;
  /** Auto timeframe: zooming out asks for coarser bars. false: the timeframe the user picked stays (default true) */
  auto?: boolean;
}

/** Whether the view needs bars the chart does not hold: a new window near an edge, or a finer timeframe. */
export function need(i: NeedInput): Need {
  const span = i.view.to - i.view.from;
  const margin = span / 3;
  const leftOpen = i.loaded.from > i.extent.from;
  const rightOpen = i.loaded.to <= i.extent.to;
  const shown = ORDER.indexOf(i.loaded.timeframe);
  // Zoomed out so far that a window of three views would exceed maxBars. Bars actually in view count, not the
  // logical width (the view may reach into blank space past the data).
  const t = i.loaded.t;
  const inView = lowerBound(t, i.view.to) - lowerBound(t, i.view.from);
  const coarserRefused = i.coarserRefusedAt != null && inView < i.coarserRefusedAt * 1.5;
  if (i.auto !== false && inView * 3 > i.maxBars && i.loaded.timeframe !== '1d' && !coarserRefused) {
    return { kind: 'window', window: fetchWindow(i.view, i.extent), reason: 'coarser', timeframe: ORDER[shown + 1]! };
  }
  const lastIndex = t.length - 1;
  const nearLeft = i.view.from - margin < i.loaded.from || (i.logical !== undefined && i.logical.from < i.visibleBars / 3);
  const nearRight = i.view.to + margin > i.loaded.to || (i.logical !== undefined && i.logical.to > lastIndex - i.visibleBars / 3);
  if ((leftOpen && nearLeft) || (rightOpen && nearRight)) {
    return { kind: 'window', window: fetchWindow(i.view, i.extent), reason: 'edge', timeframe: i.loaded.timeframe };
  }
  if (shown > ORDER.indexOf(i.requested)) {
    const finer = ORDER[shown - 1]!;
    // bars of the finer timeframe a window (three views) would hold; a day holds at least 6.5 hours of trading
    const ratio = i.loaded.timeframe === '1d' ? (6.5 * 3_600_000) / TF_MS[finer] : TF_MS[i.loaded.timeframe] / TF_MS[finer];
    // four views rather than three: a margin, so the finer bars do not at once look too many (no flapping)
    const fits = i.visibleBars * 4 * ratio <= i.maxBars;
    const notRefused = i.finerRefusedAt === null || i.visibleBars < i.finerRefusedAt / 2;
    if (fits && notRefused) return { kind: 'window', window: fetchWindow(i.view, i.extent), reason: 'finer', timeframe: i.requested };
  }
  return { kind: 'none' };
}

/** Two sorted column sets as one, sorted, without duplicate times (`b`, the newer, wins). */
export function mergeColumns(a: Columns, b: Columns): Columns {
  const out: Columns = { t: [], o: [], h: [], l: [], c: [], v: [] };
  const push = (s: Columns, k: number) => {
    out.t.push(s.t[k]!);
    out.o.push(s.o[k]!);
    out.h.push(s.h[k]!);
    out.l.push(s.l[k]!);
    out.c.push(s.c[k]!);
    out.v.push(s.v[k]!);
  };
  let i = 0;
  let j = 0;
  while (i < a.t.length || j < b.t.length) {
    if (j >= b.t.length || (i < a.t.length && a.t[i]! < b.t[j]!)) push(a, i++);
    else {
      if (i < a.t.length && a.t[i] === b.t[j]) i++;
      push(b, j++);
    }
  }
  return out;
}

/** The `keep` bars nearest `center` (a contiguous run), so a long pan does not grow memory without bound. */
export function trimAround(cols: Columns, center: number, keep: number): { cols: Columns; first: number; last: number } {
  const n = cols.t.length;
  if (n <= keep) return { cols, first: 0, last: n - 1 };
  const mid = lowerBound(cols.t, center);
  const start = Math.min(Math.max(0, mid - Math.floor(keep / 2)), n - keep);
  const slice = (x: number[]) => x.slice(start, start + keep);
  return { cols: { t: slice(cols.t), o: slice(cols.o), h: slice(cols.h), l: slice(cols.l), c: slice(cols.c), v: slice(cols.v) }, first: start, last: start + keep - 1 };
}

/**
 * What the chart holds after a window arrives. Same timeframe and overlapping ranges: merged (panning keeps what was
 * seen), trimmed to `keep` bars around the view. Otherwise (a coarser or finer timeframe, a jump): replaced.
 */
export function applyWindow(held: Loaded | null, got: Loaded, view: Range, keep: number): Loaded {
  if (!held || held.timeframe !== got.timeframe || got.from > held.to || got.to < held.from) return got;
  const merged = mergeColumns(held, got);
  const { cols, first, last } = trimAround(merged, (view.from + view.to) / 2, keep);
  const trimmedLeft = first > 0;
  const trimmedRight = last < merged.t.length - 1;
  return {
    ...cols,
    timeframe: got.timeframe,
    // a trimmed side is covered only up to the bars kept
    from: trimmedLeft ? cols.t[0]! : Math.min(held.from, got.from),
    to: trimmedRight ? cols.t[cols.t.length - 1]! : Math.max(held.to, got.to),
  };
}

/** Index of the first element >= x (t.length if none). */
function lowerBound(t: readonly number[], x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (t[m]! < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** The bar a finding at `ts` concerns: the one whose interval holds it, else the nearest; -1 when there are no bars. */
export function barIndexFor(t: readonly number[], ts: number, tf: Timeframe): number {
  if (t.length === 0) return -1;
  const k = lowerBound(t, ts);
  if (k < t.length && t[k] === ts) return k;
  if (k === 0) return 0;
  if (k === t.length) return t.length - 1;
  // inside bar k-1's bucket; else (a finding on a day without bars) the nearest bar
  if (ts < t[k - 1]! + TF_MS[tf]) return k - 1;
  return ts - t[k - 1]! <= t[k]! - ts ? k - 1 : k;
}

/** Whether a coarser timeframe than asked is shown, in words for the status line. */
export function timeframeNote(shown: Timeframe, requested: Timeframe): string {
  return shown === requested ? `${shown} bars` : `${shown} bars (zoomed out: ${requested} would be too many to draw)`;
}

/** The logical (bar-index) position of a time: the inverse of visibleTimeRange, to keep the view when bars change. */
export function logicalFor(t: readonly number[], tf: Timeframe, time: number): number {
  if (t.length === 0) return 0;
  const step = spacing(t, tf);
  const last = t.length - 1;
  if (time <= t[0]!) return (time - t[0]!) / step;
  if (time >= t[last]!) return last + (time - t[last]!) / step;
  const k = lowerBound(t, time);
  if (t[k] === time) return k;
  return k - 1 + (time - t[k - 1]!) / (t[k]! - t[k - 1]!);
}

/**
 * The window to fetch to fit the data: Auto takes the whole extent (the engine picks the finest timeframe that fits);
 * a picked timeframe takes the last `bars` bars of it at most (estimated at the regular session's density, which no
 * source exceeds by much: the request's own cap leaves room).
 */
export function fitWindow(tf: Timeframe, extent: Range, auto: boolean, bars: number): Range {
  const all = { from: extent.from, to: extent.to + 1 };
  if (auto) return all;
  const from = Math.max(extent.from, Math.floor(extent.to - bars * spacing([], tf)));
  return { from, to: extent.to + 1 };
}

/** Narrowest bar spacing a fit uses (px): more bars than fit at it show the last ones, ending at the last bar. */
export const FIT_MIN_SPACING = 1.5;

/** px kept before the first bar's centre on a fit: a marker's count over that bar ("20") is not cut to "0" */
export const FIT_LEFT_PX = 12;

/**
 * The logical range that fits `n` bars into `widthPx`: all of them when they fit at FIT_MIN_SPACING, else the last
 * ones that do; a little room after the last bar, and before the first what FIT_LEFT_PX takes (the data fills the plot).
 */
export function fitLogical(n: number, widthPx: number): Range {
  if (n <= 0) return { from: 0, to: 1 };
  const count = Math.max(1, Math.min(n, Math.floor(widthPx / FIT_MIN_SPACING)));
  const after = Math.max(1, count * 0.02);
  // bars before the first one's centre: FIT_LEFT_PX at the spacing the whole range gets (at least half a bar)
  const before = Math.max(0.5, (FIT_LEFT_PX * (count + after)) / Math.max(widthPx - FIT_LEFT_PX, 1));
  return { from: n - count - before, to: n - 0.5 + after };
}

/**
 * A logical range moved (not resized) so it shows some of the `n` bars held: at least a tenth of its width, or all bars
 * when fewer. Windows that arrive after quick drags can lie beside the view; the chart must never go blank over them.
 */
export function clampLogical(from: number, to: number, n: number): Range {
  if (n <= 0) return { from, to };
  const width = to - from;
  const k = Math.min(n, Math.max(1, Math.ceil(width / 10)));
  if (to < k - 1) return { from: from + (k - 1 - to), to: k - 1 };
  if (from > n - k) return { from: n - k, to: to - (from - (n - k)) };
  return { from, to };
}

/**
 * Where the view goes after a pan brought more bars of the same timeframe: its instants on the new bars, unless that
 * changes how many bars it spans by more than a quarter. That happens when an edge of the view was past the bars held
 * (where time is extrapolated at the average spacing) and the new bars put a night or a weekend there, which takes
 * no room on the time scale: mapped by time, a view of 500 bars became one of 2. Panning does not zoom: the view then
 * keeps its `bars`, from its edge that was on the bars held (`held`: their first and last instants), else its centre.
 */
export function panLogical(t: readonly number[], tf: Timeframe, view: Range, bars: number, held: Range): Range {
  const from = logicalFor(t, tf, view.from);
  const to = logicalFor(t, tf, view.to);
  if (!(bars > 0) || Math.abs(to - from - bars) <= bars / 4) return { from, to };
  const on = (x: number) => x >= held.from && x <= held.to;
  if (on(view.to) && !on(view.from)) return { from: to - bars, to };
  if (on(view.from) && !on(view.to)) return { from, to: from + bars };
  const mid = (from + to) / 2;
  return { from: mid - bars / 2, to: mid + bars / 2 };
}
