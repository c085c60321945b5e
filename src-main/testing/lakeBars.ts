import type { Timeframe } from '../contract/schemas';
import type { PartitionKey } from '../lake/layout';
import type { BarBatch } from '../lake/batch';
import type { WriteRequest } from '../lake/requests';
import { emptyBatch } from '../providers/batch';

// Write requests for the lake writer's tests (group.test.ts, stage-worker.test.ts).

/** A write of one batch given whole (the tests read its columns). */
export type BatchWrite = WriteRequest & { batch: BarBatch };

export const keyOf = (symbol: string, year = 2024, timeframe: Timeframe = '1m'): PartitionKey => ({ timeframe, provider: 'fake', feed: 'sim', symbol, year });

/**
 * Bars every `stepMin` minutes over [from, to) (epoch ms), all day long (outside sessions too, so every phase and
 * NULL occur), prices from the symbol's seed; every 7th bar has no trade count, every 11th no vwap.
 */
export function bars(key: PartitionKey, from: number, to: number, stepMin: number, seed: number): BatchWrite {
  const n = Math.ceil((to - from) / (stepMin * 60_000));
  const b = emptyBatch(key.symbol, n);
  for (let i = 0; i < n; i++) {
    b.ts[i] = from + i * stepMin * 60_000;
    b.open[i] = seed + i / 1000;
    b.high[i] = seed + i / 1000 + 1;
    b.low[i] = seed + i / 1000 - 1;
    b.close[i] = seed + (i % 97) / 10;
    b.volume[i] = 100 + (i % 13);
    b.tradeCount[i] = i % 7 === 0 ? NaN : i % 50;
    b.vwap[i] = i % 11 === 0 ? NaN : seed + 0.5;
  }
  b.length = n;
  return { key, batch: b, replaceFrom: from, replaceTo: to, jobId: 'job-g' };
}

export const DAY = 86_400_000;
export const jan2 = Date.UTC(2024, 0, 2);
/** A mix: one-session 1m partitions, a whole year of 5-minute bars (every DST switch, holiday and early close of
 * 2024) and of 2023, a partition outside the calendar's years, and daily bars. */
export function mix(): BatchWrite[] {
  return [
    bars(keyOf('AAA'), jan2, jan2 + DAY, 1, 10),
    bars(keyOf('BBB'), jan2 + 3 * DAY, jan2 + 4 * DAY, 1, 20),
    bars(keyOf('YR24'), Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1), 5, 30),
    bars(keyOf('YR23', 2023), Date.UTC(2023, 0, 1), Date.UTC(2024, 0, 1), 5, 40),
    bars(keyOf('OLD', 1990), Date.UTC(1990, 5, 1), Date.UTC(1990, 5, 3), 1, 50),
    bars(keyOf('DLY', 2024, '1d'), Date.UTC(2024, 0, 2, 5), Date.UTC(2024, 2, 1, 5), 24 * 60, 60),
  ];
}

