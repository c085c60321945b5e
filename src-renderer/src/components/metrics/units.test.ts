import { describe, expect, it } from 'vitest';
import { durationUnit, formatAxisTime, formatCount, formatDuration, maxOf, smooth, timeTicks } from './units';

describe('metric units', () => {
  it('counts go compact with K/M/B', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(0.25)).toBe('0.25');
    expect(formatCount(3.5)).toBe('3.5');
    expect(formatCount(950)).toBe('950');
    expect(formatCount(2600)).toBe('2.6K');
    expect(formatCount(2000)).toBe('2K');
    expect(formatCount(42_000)).toBe('42K');
    expect(formatCount(1_250_000)).toBe('1.3M');
    expect(formatCount(3e9)).toBe('3B');
  });

  it('durations pick ms or s from the range: never "2.6K ms"', () => {
    expect(durationUnit(800)).toBe('ms');
    expect(durationUnit(2600)).toBe('s');
    expect(formatDuration(2600, durationUnit(2600))).toBe('2.6 s');
    expect(formatDuration(500, 's')).toBe('0.5 s');
    expect(formatDuration(250, 'ms')).toBe('250 ms');
    expect(formatDuration(2.5, 'ms')).toBe('2.5 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    // the ticks of a 0-1 ms or 0-3 s axis as they are, not rounded to uneven steps (0.3, 0.5, 0.8)
    expect([0, 0.25, 0.5, 0.75, 1].map((v) => formatDuration(v, 'ms'))).toEqual(['0 ms', '0.25 ms', '0.5 ms', '0.75 ms', '1 ms']);
    expect([750, 2250, 12_500].map((v) => formatDuration(v, 's'))).toEqual(['0.75 s', '2.25 s', '12.5 s']);
    expect(formatDuration(12.5, 'ms')).toBe('12.5 ms');
    expect(formatDuration(437.6, 'ms')).toBe('438 ms');
    for (const v of [1, 999, 2600, 45_000, 2_600_000]) expect(formatDuration(v, durationUnit(v))).not.toMatch(/K|M/);
  });

  it('maxOf ignores gaps', () => {
    expect(maxOf([null, 3, undefined, NaN, 7, 2])).toBe(7);
    expect(maxOf([])).toBe(0);
  });
});

describe('smoothing', () => {
  it('averages over a trailing time window: bursts become a pace', () => {
    const pts = [0, 0, 3000, 0, 0, 3000, 0, 0].map((value, i) => ({ t: i * 1000, value }));
    const s = smooth(pts, 3000);
    expect(s.map((p) => p.value)).toEqual([0, 0, 1000, 1000, 1000, 1000, 1000, 1000]);
    expect(smooth([], 1000)).toEqual([]);
    // a window shorter than the spacing: the raw values
    expect(smooth(pts, 500).map((p) => p.value)).toEqual(pts.map((p) => p.value));
  });
});

describe('time axis', () => {
  it('ticks on round steps, labels with the date over long spans', () => {
    const from = Date.UTC(2024, 0, 2, 10, 0, 7);
    const ticks = timeTicks(from, from + 3_600_000, 'America/New_York');
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(7);
    for (const t of ticks) expect(t % 60_000).toBe(0);
    expect(formatAxisTime(from, 60_000, 'UTC')).toBe('10:00:07');
    expect(formatAxisTime(from, 3_600_000, 'UTC')).toBe('10:00');
    expect(formatAxisTime(from, 7 * 86_400_000, 'UTC')).toBe('2 Jan 10:00');
  });

  it('labels and round ticks on the clock of the Time zone setting, not the browser\'s', () => {
    const from = Date.UTC(2024, 0, 2, 3, 0, 0); // 22:00 on Jan 1 in New York (EST)
    expect(formatAxisTime(from, 7 * 86_400_000, 'America/New_York')).toBe('1 Jan 22:00');
    expect(formatAxisTime(Date.UTC(2024, 6, 2, 15, 30), 3_600_000, 'America/New_York')).toBe('11:30'); // EDT
    // six-hour steps over two days fall on 00, 06, 12, 18 o'clock of the zone
    const ny = timeTicks(from, from + 2 * 86_400_000, 'America/New_York');
    expect(ny.map((t) => formatAxisTime(t, 3_600_000, 'America/New_York'))).toEqual(['00:00', '12:00', '00:00', '12:00']);
    const utc = timeTicks(from, from + 2 * 86_400_000, 'UTC');
    expect(utc.map((t) => formatAxisTime(t, 3_600_000, 'UTC'))).toEqual(['12:00', '00:00', '12:00', '00:00']);
  });
});
