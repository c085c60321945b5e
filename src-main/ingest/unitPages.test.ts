import { describe, expect, it } from 'vitest';
import { tradingDays } from '../calendar';
import { asBatch, isPaged } from '../lake/pages';
import { fakePage } from '../providers/fakeBars';
import { makeTask, rowsBySession } from './plan';
import { settleUnit, UnitPages } from './unitPages';

// What the runner reads from a unit held as pages must equal what it read from the unit copied into one batch.
describe('a unit held as pages', () => {
  const t = makeTask('AAPL', 2024, '2024-03-01', '2024-03-28');
  const days = tradingDays(t.start, t.end);
  const total = days.length * 390;
  const pages = (size: number) => {
    const u = new UnitPages('AAPL');
    for (let at = 0; at < total; at += size) u.add(fakePage('AAPL', days, at, Math.min(size, total - at)));
    return u;
  };

  it('stays in its pages when ascending, with the rows per session of the joined batch, in every cut', () => {
    const whole = rowsBySession(t, asBatch(pages(total).pages[0]!), Infinity);
    expect([...whole.values()].reduce((a, b) => a + b, 0)).toBe(total);
    for (const size of [97, 389, 390, 1000, total]) {
      const s = settleUnit(t, pages(size));
      expect(isPaged(s.bars), `pages of ${size}`).toBe(true);
      expect(s.bars.length).toBe(total);
      expect(s.duplicates.count).toBe(0);
      expect(s.sessions).toEqual(whole);
    }
  });

  it('a repeated timestamp across two pages is joined, de-duplicated (the last copy kept) and reported', () => {
    const u = pages(1000);
    const second = u.pages[1]!;
    second.ts[0] = u.pages[0]!.ts[999]!;
    second.close[0] = 12345;
    const s = settleUnit(t, u);
    expect(isPaged(s.bars)).toBe(false);
    expect(s.bars.length).toBe(total - 1);
    expect(s.duplicates.count).toBe(1);
    expect(s.duplicates.sample[0]!.kept.close).toBe(12345);
  });
});
