import { describe, expect, it } from 'vitest';
import type { ChartFinding, ChartFindingMarks } from '../../../src-main/contract/chart';
import { sessionEnds, sma, vwap } from './indicators';
import { countsByBar, findingsByBar, groupMarkers, markerBucket, markerText } from './markers';
import { formatBarTime, formatCrosshair, formatTick, toChartTime } from './time';
import { clampLogical, fitLogical, fitWindow, need, type Loaded } from './window';

const MIN = 60_000;
const DAY = 86_400_000;
const f = (t: number, severity: string, rule = 'r'): ChartFinding => ({ t, timeframe: '1m', rule, severity, message: 'm', provider: 'fake', feed: 'sim' });

/** The engine's marks of these findings, one group per instant (what chart.findings counts with per = a bar). */
function marksOf(findings: readonly ChartFinding[]): ChartFindingMarks {
  const m: ChartFindingMarks = { t: [], error: [], warning: [], info: [] };
  for (const x of [...findings].sort((a, b) => a.t - b.t)) {
    if (m.t[m.t.length - 1] !== x.t) {
      m.t.push(x.t);
      m.error.push(0);
      m.warning.push(0);
      m.info.push(0);
    }
    const k = m.t.length - 1;
    const sev = x.severity === 'error' || x.severity === 'warning' ? x.severity : 'info';
    m[sev][k]!++;
  }
  return m;
}

describe('finding markers', () => {
  const findings = [f(0, 'info'), f(0, 'warning'), f(0, 'info'), f(1, 'error'), f(5, 'info'), f(7, 'warning'), f(8, 'error'), f(8, 'info')];
  const marks = marksOf(findings);
  const barOf = (t: number) => t;

  it('one marker per bar, coloured by the worst, with a count; info hidden unless asked', () => {
    const all = groupMarkers(countsByBar(marks, barOf, true), 1);
    expect(all).toEqual([
      { index: 0, worst: 'warning', count: 3, bars: 1 },
      { index: 1, worst: 'error', count: 1, bars: 1 },
      { index: 5, worst: 'info', count: 1, bars: 1 },
      { index: 7, worst: 'warning', count: 1, bars: 1 },
      { index: 8, worst: 'error', count: 2, bars: 1 },
    ]);
    const noInfo = groupMarkers(countsByBar(marks, barOf, false), 1);
    expect(noInfo.map((g) => [g.index, g.count])).toEqual([
      [0, 1],
      [1, 1],
      [7, 1],
      [8, 1],
    ]);
    expect(markerText(all[0]!)).toBe('3');
    expect(markerText(all[1]!)).toBe('');
    // the findings listed on hover, per bar, the same way
    expect([...findingsByBar(findings, (x) => x.t, false)].map(([i, fs]) => [i, fs.length])).toEqual([
      [0, 1],
      [1, 1],
      [7, 1],
      [8, 1],
    ]);
  });

  it('groups of the engine that fall in one bar add up on it; groups outside the bars are left out', () => {
    // 1-minute groups on 5-minute bars starting at 0, 5 and 10; a group the bars do not hold maps to -1
    const coarse = (t: number) => (t >= 15 ? -1 : Math.floor(t / 5));
    const c = countsByBar(marks, coarse, true);
    expect([...c]).toEqual([
      [0, { error: 1, warning: 1, info: 2 }],
      [1, { error: 1, warning: 1, info: 2 }],
    ]);
    expect(countsByBar(marksOf([f(20, 'error')]), coarse, true).size).toBe(0);
  });

  it('thins out when zoomed out: neighbouring bars share a marker on the worst bar, counts summed', () => {
    const groups = groupMarkers(countsByBar(marks, barOf, true), 5);
    expect(groups).toEqual([
      { index: 1, worst: 'error', count: 4, bars: 2 },
      { index: 8, worst: 'error', count: 4, bars: 3 },
    ]);
    expect(markerBucket(20)).toBe(1);
    expect(markerBucket(1)).toBe(14);
    expect(markerBucket(0)).toBe(1);
  });

  it('50,000 findings group into one marker per bucket (their speed is bench/renderer-chart.mjs\'s to measure)', () => {
    const many = Array.from({ length: 50_000 }, (_, i) => f(i % 10_000, i % 3 ? 'info' : 'warning'));
    const groups = groupMarkers(countsByBar(marksOf(many), barOf, true), 10);
    expect(groups).toHaveLength(1000);
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(50_000);
    expect(groups.every((g) => g.worst === 'warning')).toBe(true);
  });
});

describe('indicators', () => {
  it('SMA over `length` bars, none before', () => {
    expect(sma([1, 2, 3, 4, 5], 3)).toEqual([null, null, 2, 3, 4]);
    expect(sma([1, 2], 5)).toEqual([null, null]);
  });

  it('VWAP restarts at each session open and skips pre-market bars', () => {
    const open1 = Date.parse('2024-01-02T14:30:00Z'); // 09:30 New York
    const pre = open1 - 30 * MIN;
    const open2 = open1 + DAY;
    const t = [pre, open1, open1 + MIN, open2];
    const h = [10, 10, 20, 30];
    const l = [10, 10, 20, 30];
    const c = [10, 10, 20, 30];
    const v = [100, 1, 3, 5];
    expect(vwap(t, h, l, c, v, false)).toEqual([null, 10, (10 + 60) / 4, 30]);
    // the line stops at each session's last bar: no segment joins two sessions
    expect(sessionEnds(t)).toEqual([false, false, true, false]);
    // daily bars: each its own session
    expect(vwap([open1, open2], [1, 2], [1, 2], [1, 2], [1, 1], true)).toEqual([1, 2]);
  });
});

describe('chart dates', () => {
  it('one format for legend and crosshair, the zone named; daily bars as dates', () => {
    const open = Date.parse('2024-01-02T14:30:00Z');
    expect(formatBarTime(open, '1m')).toBe('Tue 02 Jan 2024 09:30 ET');
    expect(formatBarTime(Date.parse('2024-01-02T05:00:00Z'), '1d')).toBe('Tue 02 Jan 2024');
    expect(formatCrosshair(toChartTime(open), '5m')).toBe(formatBarTime(open, '5m'));
  });

  it('axis ticks name the month and year where the range needs them', () => {
    const t = Date.parse('2024-02-15T09:30:00Z') / 1000;
    expect(formatTick(t, 0)).toBe('Feb 2024');
    expect(formatTick(t, 1)).toBe('Feb 2024');
    expect(formatTick(t, 2)).toBe('15 Feb');
    expect(formatTick(t, 3)).toBe('09:30');
  });

  it('the tick where a new year begins says month and year, and the day on intraday bars', () => {
    const jan2 = Date.parse('2024-01-02T09:30:00Z') / 1000;
    expect(formatTick(jan2, 0, '5m')).toBe('2 Jan 2024');
    expect(formatTick(jan2, 0, '1h')).toBe('2 Jan 2024');
    expect(formatTick(jan2, 0, '1d')).toBe('Jan 2024');
  });
});

describe('fit', () => {
  const extent = { from: 10 * DAY, to: 40 * DAY };

  it('Auto fetches the whole extent; a picked timeframe its last bars', () => {
    expect(fitWindow('1m', extent, true, 5000)).toEqual({ from: extent.from, to: extent.to + 1 });
    expect(fitWindow('1d', extent, false, 5000)).toEqual({ from: extent.from, to: extent.to + 1 });
    const w = fitWindow('1m', extent, false, 5000);
    expect(w.to).toBe(extent.to + 1);
    expect(w.from).toBeGreaterThan(extent.from);
  });

  it('fills the plot: all bars when they fit, else the last ones; never a view past the data', () => {
    // 20 daily bars in 1200 px: all of them, the last one near the right edge
    const r = fitLogical(20, 1200);
    expect(r.from).toBe(-0.5);
    expect(r.to).toBeGreaterThan(19);
    expect(r.to).toBeLessThan(21);
    // 7800 minute bars: the last 800 (1.5 px each), and before the first of them the room of a marker's count (12 px)
    const m = fitLogical(7800, 1200);
    expect(7800 - 800 - m.from).toBeGreaterThan(12 / 1.5);
    expect(7800 - 800 - m.from).toBeLessThan(10);
    expect(m.to).toBeLessThan(7800 + 20);
  });

  it('brings a view that lies beside the bars back to them (no blank canvas after quick drags)', () => {
    expect(clampLogical(10, 50, 390)).toEqual({ from: 10, to: 50 });
    // a view entirely right of the 390 bars held
    expect(clampLogical(1000, 1400, 390)).toEqual({ from: 350, to: 750 });
    // entirely left
    expect(clampLogical(-900, -500, 390)).toEqual({ from: -361, to: 39 });
  });

  it('a picked timeframe is never coarsened by zooming out; Auto is', () => {
    const t = Array.from({ length: 3 * 1440 }, (_, i) => 10 * DAY + i * MIN);
    const loaded: Loaded = { t, o: t, h: t, l: t, c: t, v: t, timeframe: '1m', from: 9 * DAY, to: 14 * DAY };
    const input = { view: { from: 11 * DAY, to: 11 * DAY + 2000 * MIN }, visibleBars: 2000, loaded, requested: '1m' as const, extent: { from: 0, to: 100 * DAY }, maxBars: 5000, finerRefusedAt: null };
    expect(need(input)).toMatchObject({ reason: 'coarser' });
    expect(need({ ...input, auto: false })).toMatchObject({ kind: 'none' });
  });
});
