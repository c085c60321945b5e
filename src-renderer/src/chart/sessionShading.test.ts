import { describe, expect, it } from 'vitest';
import type { ChartSession } from '../../../src-main/contract/chart';
import { extendedRuns } from './sessionShading';

const H = 3_600_000;
// two sessions, hours as numbers: pre-market 4-9.5, regular 9.5-16, after hours 16-20
const session = (day: number, close = 16): ChartSession => ({ date: `d${day}`, preOpen: (day * 24 + 4) * H, open: (day * 24 + 9.5) * H, close: (day * 24 + close) * H, postClose: (day * 24 + 20) * H, earlyClose: close !== 16 });

describe('extendedRuns', () => {
  it('gives one run per stretch of bars outside the regular session, across a night', () => {
    const hours = [4, 8, 9.5, 12, 15, 16, 19, 24 + 4, 24 + 9, 24 + 10, 24 + 13, 24 + 14];
    const t = hours.map((h) => h * H);
    // day 1 closes early at 13:00
    const { runs, bars } = extendedRuns(t, [session(0), session(1, 13)]);
    expect(runs).toEqual([0, 1, 5, 8, 10, 11]);
    expect(bars).toBe(8);
  });

  it('shades nothing without sessions, nor bars beyond the sessions known (their sessions are still being fetched)', () => {
    const t = [2 * H, 10 * H, 17 * H, (24 + 5) * H];
    expect(extendedRuns(t, [])).toEqual({ runs: [], bars: 0 });
    // the last bar is on a day whose session is not known yet; the first is before the first pre-market
    expect(extendedRuns(t, [session(0)])).toEqual({ runs: [2, 2], bars: 1 });
  });
});
