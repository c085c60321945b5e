import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log';
import { queryRows, useTestEngine } from '../../testing/engine';
import type { EmulatorHandle } from '../../testing/emulators/common';
import { barsAt } from '../../testing/emulators/common';
import { POLYGON_EMULATOR_KEY, start } from '../../testing/emulators/polygon';
import { EXCHANGE_TZ, zonedTimeToUtc } from '../../calendar';
import { createHttpClient } from '../http/client';
import type { GroupEvent } from '../types';
import { polygonGroups, polygonProvider, polygonResilience } from './index';

// Daily bars of many tickers from the grouped daily endpoint: one request per date instead of one per ticker, used
// when there are fewer dates than tickers.

const MARKET = ['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT', 'NVDA', 'SPY', 'TSLA'];
let emu: EmulatorHandle;
beforeEach(async () => {
  emu = await start({ market: MARKET });
});
afterEach(async () => {
  await emu.close();
});
const env = () => ({ POLYGON_API_KEY: POLYGON_EMULATOR_KEY, POLYGON_BASE_URL: emu.url, POLYGON_RATE_PER_MIN: '60000' });
const fx = useTestEngine('mp-polygon-grouped-', () => ({ env: env() }));
const http = () => createHttpClient('polygon', { ...polygonResilience({}), ratePerMinute: 60_000, burst: 1_000, maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 });

describe('polygon: grouped daily bars', () => {
  it('one request per trading day, adjusted=false, bars stamped 00:00 New York and equal to the per-ticker bars', async () => {
    const ctx = { signal: new AbortController().signal, env: env(), log: silentLogger, http: http() };
    const events: GroupEvent[] = [];
    // 2024-01-05 (Fri) to 2024-01-08 (Mon): 2 trading days; a symbol the market does not list has no bars
    for await (const ev of polygonProvider.fetchGroup!({ symbols: ['MSFT', 'AAPL', 'GONE'], timeframe: '1d', start: '2024-01-05', end: '2024-01-08', feed: 'sip', pageSize: 50_000 }, ctx)) events.push(ev);
    expect(emu.requests.map((r) => [r.path, r.query.adjusted, r.query.apiKey])).toEqual([
      ['/v2/aggs/grouped/locale/us/market/stocks/2024-01-05', 'false', POLYGON_EMULATOR_KEY],
      ['/v2/aggs/grouped/locale/us/market/stocks/2024-01-08', 'false', POLYGON_EMULATOR_KEY],
    ]);
    expect(events.map((e) => (e.done ? `done ${e.symbol}` : `${e.symbol} ${e.batch.length}`))).toEqual(['MSFT 2', 'done MSFT', 'AAPL 2', 'done AAPL', 'done GONE']);
    const aapl = events.find((e) => e.symbol === 'AAPL' && e.batch)!.batch!;
    for (const [i, date] of ['2024-01-05', '2024-01-08'].entries()) {
      const want = barsAt('AAPL', date, '1d')[0]!;
      expect(aapl.ts[i]).toBe(zonedTimeToUtc(date, 0, 0, EXCHANGE_TZ));
      expect([aapl.open[i], aapl.high[i], aapl.low[i], aapl.close[i], aapl.volume[i], aapl.tradeCount[i], aapl.vwap[i]]).toEqual([want.open, want.high, want.low, want.close, want.volume, want.tradeCount, want.vwap]);
    }
  });

  it('is chosen only when there are fewer dates than tickers', () => {
    const symbols = Array.from({ length: 500 }, (_, i) => `S${i}`);
    const plan = (timeframe: '1d' | '1m', days: number, n = 500) => polygonGroups({ timeframe, start: '2024-01-02', end: '2024-01-02', days, pageSize: 50_000 }, symbols.slice(0, n));
    expect(plan('1d', 1).map((g) => g.length)).toEqual([500]);
    expect(plan('1d', 499).map((g) => g.length)).toEqual([500]);
    expect(plan('1d', 500)).toHaveLength(500);
    expect(plan('1d', 3, 3)).toHaveLength(3);
    expect(plan('1m', 1)).toHaveLength(500);
    // the bars a group holds until its last date stay bounded: 5,000 days x 500 tickers is split
    expect(plan('1d', 4_000).every((g) => g.length > 4_000 || g.length === 1)).toBe(true);
  });

  it('an ingest of 6 tickers x 3 sessions costs 3 requests, and lands the same rows as per-ticker requests', async () => {
    const symbols = MARKET.slice(0, 6);
    const job = await fx.engine.startIngest({ provider: 'polygon', symbols, timeframe: '1d', start: '2024-01-02', end: '2024-01-04', pipeline: false });
    expect((await fx.engine.waitForJob(job.id)).status).toBe('succeeded');
    expect(emu.requests.map((r) => r.path.split('/').at(-1))).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
    const grouped = await queryRows(fx.engine, `SELECT symbol, epoch_ms(ts), open, high, low, close, volume, trade_count, vwap FROM bars_all WHERE timeframe = '1d' ORDER BY 1, 2`);
    expect(grouped).toHaveLength(18);
    // 3 dates for 2 tickers: per-ticker requests (2) are fewer than dates (3); those must agree with the grouped rows
    emu.reset();
    const single = await fx.engine.startIngest({ provider: 'polygon', symbols: ['AAPL', 'IBM'], timeframe: '1d', start: '2024-01-02', end: '2024-01-04', pipeline: false, force: true });
    expect((await fx.engine.waitForJob(single.id)).status).toBe('succeeded');
    expect(emu.requests.map((r) => r.path).sort()).toEqual(['/v2/aggs/ticker/AAPL/range/1/day/2024-01-02/2024-01-04', '/v2/aggs/ticker/IBM/range/1/day/2024-01-02/2024-01-04'].sort());
    const again = await queryRows(fx.engine, `SELECT symbol, epoch_ms(ts), open, high, low, close, volume, trade_count, vwap FROM bars_all WHERE timeframe = '1d' ORDER BY 1, 2`);
    expect(again).toEqual(grouped);
  });
});
