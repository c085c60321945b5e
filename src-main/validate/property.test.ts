import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTradingDay, sessionFor, tradingDays } from '../calendar';
import { fakeDay } from '../providers/fake';
import { emptyBatch } from '../providers/batch';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { dateOfDayNumber, dayNumberOf } from '../calendar/sql';
import { runValidation } from './run';
import { readReport, writePartition, type Bar } from './fixtures/lake';

// Property: bars of the deterministic fake provider (clean by construction) give no findings, and one injected defect
// of a kind gives exactly that kind's finding and nothing else.

let tmp: TmpDir;
beforeAll(() => (tmp = makeTmpDir('mp-validate-prop-')));
afterAll(() => tmp.cleanup());

const DAYS = tradingDays('2024-01-02', '2024-05-31');
const NOW = Date.UTC(2024, 11, 31);

function fakeBars(symbol: string, days: string[]): Bar[] {
  const out: Bar[] = [];
  for (const d of days) {
    const b = emptyBatch(symbol, 400);
    const n = fakeDay(symbol, d, b, 0);
    for (let i = 0; i < n; i++) out.push({ ts: b.ts[i]!, open: b.open[i]!, high: b.high[i]!, low: b.low[i]!, close: b.close[i]!, volume: b.volume[i]!, tradeCount: b.tradeCount[i]!, vwap: b.vwap[i]! });
  }
  return out;
}

const DEFECTS = [
  'none',
  'ohlc_consistency',
  'non_positive_price',
  'negative_volume',
  'duplicate_bar',
  'timestamp_alignment',
  'non_trading_day',
  'outside_trading_hours',
  'missing_session',
  'intraday_gap',
  'price_jump',
  'possible_split',
  'stale_price',
] as const;
type Defect = (typeof DEFECTS)[number];

/** Applies one defect to clean bars (three sessions); returns the bars and the rule expected. */
function inject(bars: Bar[], days: string[], defect: Defect, pos: number): Bar[] {
  const perDay = bars.length / days.length;
  const i = 1 + (pos % (perDay - 40)); // inside the first session, never its first bar, room for a 30-bar run
  const b = bars.map((x) => ({ ...x }));
  const at = b[i]!;
  switch (defect) {
    case 'none':
      return b;
    case 'ohlc_consistency':
      at.high = Math.min(at.open, at.close) - 0.001;
      at.low = Math.min(at.low, at.high);
      return b;
    case 'non_positive_price':
      at.low = 0;
      return b;
    case 'negative_volume':
      at.volume = -1;
      return b;
    case 'duplicate_bar':
      return [...b, { ...at }];
    case 'timestamp_alignment':
      return [...b, { ...at, ts: at.ts + 30_000 }];
    case 'non_trading_day': {
      let dn = dayNumberOf(days[0]!) - 1;
      while (isTradingDay(dateOfDayNumber(dn))) dn--;
      return [{ ...b[0]!, ts: Date.UTC(1970, 0, 1) + dn * 86_400_000 + 17 * 3_600_000 }, ...b];
    }
    case 'outside_trading_hours':
      return [{ ...b[0]!, ts: sessionFor(days[0]!)!.preOpen - 60 * 60_000 }, ...b];
    case 'missing_session':
      return b.filter((x) => x.ts < sessionFor(days[1]!)!.preOpen || x.ts >= sessionFor(days[2]!)!.preOpen);
    case 'intraday_gap':
      return b.filter((_, k) => k < i || k >= i + 1 + (pos % 10));
    case 'price_jump':
      return b.map((x, k) => (k >= i ? { ...x, open: x.open * 1.3, high: x.high * 1.3, low: x.low * 1.3, close: x.close * 1.3, vwap: (x.vwap ?? 0) * 1.3 } : x));
    case 'possible_split': {
      // a 2:1 split at the second session's open: previous close / open = 2 (the fake overnight move taken out)
      const f = b[perDay - 1]!.close / b[perDay]!.open / 2;
      return b.map((x, k) => (k >= perDay ? { ...x, open: x.open * f, high: x.high * f, low: x.low * f, close: x.close * f, vwap: (x.vwap ?? 0) * f } : x));
    }
    case 'stale_price': {
      const p = b[i - 1]!.close;
      for (let k = i; k < i + 30; k++) b[k] = { ...b[k]!, open: p, high: p, low: p, close: p, volume: 0 };
      return b;
    }
  }
}

describe('validation properties', () => {
  it('clean fake bars give no findings; one injected defect gives exactly its finding', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          symbol: fc.stringMatching(/^[A-Z]{1,5}$/),
          start: fc.integer({ min: 0, max: DAYS.length - 3 }),
          defect: fc.constantFrom(...DEFECTS),
          pos: fc.nat({ max: 10_000 }),
        }),
        async ({ symbol, start, defect, pos }) => {
          const days = DAYS.slice(start, start + 3);
          const bars = inject(fakeBars(symbol, days), days, defect, pos);
          const barsRoot = path.join(tmp.dir, `run${run++}`, 'bars');
          await writePartition(barsRoot, { timeframe: '1m', provider: 'fake', feed: 'sim', symbol, year: 2024 }, bars);
          const r = await runValidation({ barsRoot, reportDir: path.join(barsRoot, '..', 'reports'), now: NOW });
          const rules = (await readReport(r.reportFile)).map((x) => x.rule);
          expect(rules).toEqual(defect === 'none' ? [] : [defect]);
        },
      ),
      { numRuns: 40, seed: 20240102, examples: DEFECTS.map((defect) => [{ symbol: 'ABC', start: 0, defect, pos: 123 }]) },
    );
    // ~30 s alone; a loaded 2-core machine has taken 50 s: room enough that load never fails it
  }, 180_000);
});
