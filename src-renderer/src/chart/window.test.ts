import { describe, expect, it } from 'vitest';
import { applyWindow, barIndexFor, FIT_LEFT_PX, fetchWindow, fitLogical, initialView, logicalFor, mergeColumns, need, panLogical, spacing, trimAround, visibleTimeRange, type Columns, type Loaded } from './window';
import { fromChartTime, toChartTime } from './time';

const MIN = 60_000;
const DAY = 86_400_000;

function cols(t: number[], k = 1): Columns {
  return { t, o: t.map(() => k), h: t.map(() => k), l: t.map(() => k), c: t.map(() => k), v: t.map(() => k) };
}
function loaded(t: number[], from: number, to: number, timeframe: Loaded['timeframe'] = '1m', k = 1): Loaded {
  return { ...cols(t, k), timeframe, from, to };
}
const minutes = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i * MIN);

describe('windows', () => {
  const extent = { from: 0, to: 100 * DAY };

  it('opens centred on `at`, else on the last bars', () => {
    expect(initialView('1m', extent, 50 * DAY)).toEqual({ from: 49.5 * DAY, to: 50.5 * DAY });
    // beyond the data: the view opens at that edge of it
    expect(initialView('1m', extent, extent.from - 3 * DAY)).toEqual({ from: extent.from, to: extent.from + DAY });
    expect(initialView('1m', extent, extent.to + 3 * DAY)).toEqual({ from: extent.to - DAY, to: extent.to });
    expect(initialView('1d', extent)).toEqual({ from: 100 * DAY - 365 * DAY, to: 100 * DAY });
  });

  it('fetches the view plus its span on each side, within the extent', () => {
    expect(fetchWindow({ from: 10 * DAY, to: 11 * DAY }, extent)).toEqual({ from: 9 * DAY, to: 12 * DAY });
    expect(fetchWindow({ from: 0, to: DAY }, extent)).toEqual({ from: 0, to: 2 * DAY });
    expect(fetchWindow({ from: 99 * DAY, to: 101 * DAY }, extent)).toEqual({ from: 97 * DAY, to: 100 * DAY + 1 });
  });

  it('reads the visible times from the bars, extrapolating past the ends', () => {
    const t = minutes(0, 10);
    expect(visibleTimeRange(t, '1m', 2, 5)).toEqual({ from: 2 * MIN, to: 5 * MIN });
    // past the ends at no less than the regular session's density: a minute bar stands for ~5.2 calendar minutes
    const step = spacing(t, '1m');
    expect(step).toBeCloseTo((MIN * 24 * 7) / (6.5 * 5), 6);
    expect(visibleTimeRange(t, '1m', -5, 14)).toEqual({ from: -5 * step, to: 9 * MIN + 5 * step });
    expect(visibleTimeRange([], '1m', 0, 1)).toBeNull();
  });
});

describe('need', () => {
  const extent = { from: 0, to: 100 * DAY };
  const base = { requested: '1m' as const, extent, maxBars: 5000, finerRefusedAt: null };

  it('asks for nothing while the view is well inside the window', () => {
    const l = loaded(minutes(10 * DAY, 10), 9 * DAY, 12 * DAY);
    expect(need({ ...base, view: { from: 10 * DAY, to: 11 * DAY }, visibleBars: 390, loaded: l })).toEqual({ kind: 'none' });
  });

  it('asks for a new window around the view near an edge or when zoomed out past it', () => {
    const l = loaded(minutes(10 * DAY, 10), 9 * DAY, 12 * DAY);
    expect(need({ ...base, view: { from: 9.2 * DAY, to: 10.2 * DAY }, visibleBars: 390, loaded: l })).toEqual({
      kind: 'window',
      window: fetchWindow({ from: 9.2 * DAY, to: 10.2 * DAY }, extent),
      reason: 'edge',
      timeframe: '1m',
    });
    expect(need({ ...base, view: { from: 5 * DAY, to: 15 * DAY }, visibleBars: 4000, loaded: l })).toMatchObject({ kind: 'window', reason: 'edge' });
  });

  it('asks for a coarser timeframe when a window of three views would exceed maxBars, not again right after a refusal', () => {
    // 1m bars every minute from day 10 to day 13 (4320 bars)
    const l = loaded(minutes(10 * DAY, 3 * 1440), 9 * DAY, 14 * DAY);
    const view = (n: number) => ({ from: 11 * DAY, to: 11 * DAY + n * MIN });
    expect(need({ ...base, view: view(1700), visibleBars: 1700, loaded: l })).toMatchObject({ kind: 'window', reason: 'coarser' });
    expect(need({ ...base, view: view(1600), visibleBars: 1600, loaded: l })).toEqual({ kind: 'none' });
    expect(need({ ...base, view: view(1700), visibleBars: 1700, loaded: l, coarserRefusedAt: 1700 })).toEqual({ kind: 'none' });
    expect(need({ ...base, view: view(2600), visibleBars: 2600, loaded: l, coarserRefusedAt: 1700 })).toMatchObject({ kind: 'window', reason: 'coarser' });
    // blank space past the data does not count as bars
    expect(need({ ...base, view: { from: 12.5 * DAY, to: 16 * DAY }, visibleBars: 5000, loaded: { ...l, to: 100 * DAY + 1 } })).toMatchObject({ kind: 'none' });
    // coarser than shown: the engine goes further if that is still too many
    expect(need({ ...base, view: view(2000), visibleBars: 2000, loaded: { ...l, timeframe: '5m' } })).toMatchObject({ reason: 'coarser', timeframe: '15m' });
    // nothing is coarser than 1d: only the edge matters
    expect(need({ ...base, view: view(9000), visibleBars: 9000, loaded: { ...l, timeframe: '1d' }, requested: '1d' })).toMatchObject({ reason: 'edge', timeframe: '1d' });
  });

  it('counts the view near an edge when it is near the first or last bar held, whatever the times say', () => {
    // a weekend between the window's start and its first bar: in time the view is inside, in bars it is at the edge
    const l = loaded(minutes(10 * DAY, 780), 8 * DAY, 100 * DAY + 1);
    const view = { from: 9.5 * DAY, to: 11 * DAY };
    expect(need({ ...base, view, visibleBars: 1500, loaded: l })).toEqual({ kind: 'none' });
    expect(need({ ...base, view, visibleBars: 1500, logical: { from: -500, to: 1000 }, loaded: l })).toMatchObject({ kind: 'window', reason: 'edge' });
  });

  it('does not ask past the ends of the data', () => {
    const l = loaded(minutes(0, 10), 0, 100 * DAY + 1);
    expect(need({ ...base, view: { from: 0, to: DAY }, visibleBars: 390, loaded: l })).toEqual({ kind: 'none' });
  });

  it('asks for a finer timeframe once it would fit, and not again right after a refusal', () => {
    const l = loaded(minutes(0, 10), 0, 100 * DAY + 1, '5m');
    const view = { from: 10 * DAY, to: 11 * DAY };
    // 250 visible 5m bars: four views would be 5000 1m bars <= 5000
    expect(need({ ...base, view, visibleBars: 250, loaded: l })).toMatchObject({ kind: 'window', reason: 'finer', timeframe: '1m' });
    expect(need({ ...base, view, visibleBars: 300, loaded: l })).toEqual({ kind: 'none' });
    expect(need({ ...base, view, visibleBars: 250, loaded: l, finerRefusedAt: 400 })).toEqual({ kind: 'none' });
    expect(need({ ...base, view, visibleBars: 150, loaded: l, finerRefusedAt: 400 })).toMatchObject({ kind: 'window', reason: 'finer' });
    // the timeframe asked for is never refined further
    expect(need({ ...base, requested: '5m', view, visibleBars: 10, loaded: l })).toEqual({ kind: 'none' });
  });
});

describe('merging windows', () => {
  it('merges sorted columns without duplicates, the newer winning', () => {
    const m = mergeColumns(cols([1, 3, 5], 1), cols([3, 4, 6], 2));
    expect(m.t).toEqual([1, 3, 4, 5, 6]);
    expect(m.c).toEqual([1, 2, 2, 1, 2]);
  });

  it('keeps a bounded run of bars around the view', () => {
    const { cols: c, first, last } = trimAround(cols([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 8, 4);
    expect(c.t).toEqual([6, 7, 8, 9]);
    expect([first, last]).toEqual([6, 9]);
  });

  it('merges a window of the same timeframe, replaces one of another', () => {
    const held = loaded([10, 11, 12], 10, 13);
    const more = loaded([12, 13, 14], 12, 15, '1m', 2);
    const m = applyWindow(held, more, { from: 11, to: 13 }, 100);
    expect(m.t).toEqual([10, 11, 12, 13, 14]);
    expect([m.from, m.to]).toEqual([10, 15]);
    const coarser = loaded([0, 5], 0, 20, '5m');
    expect(applyWindow(held, coarser, { from: 0, to: 20 }, 100)).toBe(coarser);
    const far = loaded([100], 100, 101);
    expect(applyWindow(held, far, { from: 100, to: 101 }, 100)).toBe(far);
    const trimmed = applyWindow(held, more, { from: 13, to: 14 }, 3);
    expect(trimmed.t).toEqual([12, 13, 14]);
    expect([trimmed.from, trimmed.to]).toEqual([12, 15]);
  });
});

describe('markers', () => {
  it('puts a finding on the bar whose interval holds it, else the nearest bar', () => {
    const t = [0, 5 * MIN, 10 * MIN, DAY];
    expect(barIndexFor(t, 5 * MIN, '5m')).toBe(1);
    expect(barIndexFor(t, 8 * MIN, '5m')).toBe(1);
    expect(barIndexFor(t, 20 * MIN, '5m')).toBe(2);
    expect(barIndexFor(t, 0.9 * DAY, '5m')).toBe(3);
    expect(barIndexFor(t, 2 * DAY, '5m')).toBe(3);
    expect(barIndexFor([], 0, '1m')).toBe(-1);
  });
});

describe('New York chart time', () => {
  it('shows instants on the New York clock and reads them back', () => {
    const open = Date.parse('2024-01-02T14:30:00Z'); // 09:30 EST
    expect(toChartTime(open)).toBe(Date.parse('2024-01-02T09:30:00Z') / 1000);
    const summer = Date.parse('2024-07-01T13:30:00Z'); // 09:30 EDT
    expect(toChartTime(summer)).toBe(Date.parse('2024-07-01T09:30:00Z') / 1000);
    expect(fromChartTime(toChartTime(open))).toBe(open);
    expect(fromChartTime(toChartTime(summer))).toBe(summer);
  });
});

describe('logicalFor', () => {
  it('inverts visibleTimeRange inside and past the bars', () => {
    const t = [0, MIN, 2 * MIN, 10 * MIN, 11 * MIN];
    for (const i of [-3, 0, 1.5, 2.5, 4, 7]) expect(logicalFor(t, '1m', visibleTimeRange(t, '1m', i, i)!.from)).toBeCloseTo(i, 9);
  });
});

describe('panLogical', () => {
  // two sessions of 1m bars, Friday and Monday (390 each); a weekend between them takes no room on the time scale
  const session = (open: number) => Array.from({ length: 390 }, (_, i) => open + i * MIN);
  const fri = Date.parse('2024-05-31T13:30:00Z');
  const mon = Date.parse('2024-06-03T13:30:00Z');
  const monday = session(mon);
  const both = [...session(fri), ...monday];

  it('a view that reached past the bars held keeps its width in bars when older bars fill that space', () => {
    // Monday's bars held, the view dragged left of them: 300 bars wide, its left edge extrapolated into Sunday
    const before = visibleTimeRange(monday, '1m', -200, 100)!;
    expect(before.from).toBeLessThan(mon);
    // by time alone, the Friday bars would leave the view about 101 bars wide (the weekend is one step between two bars)
    const byTime = logicalFor(both, '1m', before.to) - logicalFor(both, '1m', before.from);
    expect(byTime).toBeLessThan(102);
    const r = panLogical(both, '1m', before, 300, { from: monday[0]!, to: monday[389]! });
    // the right edge stays on the same bar (Monday's 100th), 300 bars wide
    expect(r.to).toBeCloseTo(490, 6);
    expect(r.to - r.from).toBeCloseTo(300, 6);
  });

  it('newer bars: kept from the left edge; a view whose width holds is mapped by its instants', () => {
    const friday = session(fri);
    const before = visibleTimeRange(friday, '1m', 300, 600)!;
    const r = panLogical(both, '1m', before, 300, { from: friday[0]!, to: friday[389]! });
    expect(r.from).toBeCloseTo(300, 6);
    expect(r.to - r.from).toBeCloseTo(300, 6);
    // inside the bars, the instants give the same width: unchanged
    const inside = visibleTimeRange(monday, '1m', 10, 310)!;
    expect(panLogical(both, '1m', inside, 300, { from: monday[0]!, to: monday[389]! })).toEqual({ from: 400, to: 700 });
  });
});


describe('fitLogical', () => {
  // px of bar k's centre in a plot of `w` px showing logical range r
  const px = (r: { from: number; to: number }, w: number, k: number) => ((k - r.from) / (r.to - r.from)) * w;

  it('keeps room for a marker count over the first bar, and the bars fill the plot', () => {
    for (const [n, w] of [
      [280, 1080],
      [520, 1080],
      [40, 1700],
      [5000, 1000],
    ] as const) {
      const r = fitLogical(n, w);
      const first = n - Math.min(n, Math.floor(w / 1.5));
      expect(px(r, w, first), `${n} bars in ${w} px`).toBeGreaterThanOrEqual(FIT_LEFT_PX - 0.01);
      // the room before and after is a few percent of the width, not a third of it
      expect(r.to - r.from).toBeLessThan(Math.min(n, w / 1.5) * 1.06 + 2);
      expect(r.to).toBeGreaterThan(n - 1);
    }
  });
});
