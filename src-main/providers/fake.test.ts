import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tradingDays } from '../calendar';
import { silentLogger } from '../shared/log';
import { BatchBuffer } from './batch';
import { fakeProvider } from '../testing/provider-harness';
import { offline } from './http/offline';
import type { BarBatch } from './types';

async function fetchAll(symbol: string, start: string, end: string, pageSize = 10_000, env: NodeJS.ProcessEnv = {}, signal = new AbortController().signal): Promise<{ bars: BarBatch; pages: number }> {
  const buf = new BatchBuffer(symbol);
  let pages = 0;
  for await (const page of fakeProvider.fetchBars({ symbol, timeframe: '1m', start, end, feed: 'sim', pageSize }, { signal, env, log: silentLogger, http: offline('fake') })) {
    buf.append(page);
    pages++;
  }
  return { bars: buf.view(), pages };
}

function digest(b: BarBatch): string {
  const h = createHash('sha256');
  for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume', 'tradeCount', 'vwap'] as const) h.update(Buffer.from(b[c].buffer, b[c].byteOffset, b.length * 8));
  return h.digest('hex').slice(0, 16);
}

describe('fake provider', () => {
  it('gives one bar per regular-session minute of every trading day', async () => {
    const { bars } = await fetchAll('AAPL', '2024-01-01', '2024-01-07'); // Jan 1 is a holiday, 6-7 a weekend
    expect(bars.length).toBe(4 * 390);
    expect(new Date(bars.ts[0]!).toISOString()).toBe('2024-01-02T14:30:00.000Z');
    expect(new Date(bars.ts[bars.length - 1]!).toISOString()).toBe('2024-01-05T20:59:00.000Z');
    for (let i = 1; i < bars.length; i++) expect(bars.ts[i]! > bars.ts[i - 1]!).toBe(true);
  });

  it('follows daylight saving time and early closes', async () => {
    const summer = await fetchAll('AAPL', '2024-07-01', '2024-07-01');
    expect(new Date(summer.bars.ts[0]!).toISOString()).toBe('2024-07-01T13:30:00.000Z');
    const early = await fetchAll('AAPL', '2024-11-29', '2024-11-29'); // day after Thanksgiving: 13:00 close
    expect(early.bars.length).toBe(210);
    expect(new Date(early.bars.ts[209]!).toISOString()).toBe('2024-11-29T17:59:00.000Z');
  });

  it('is deterministic: the same day gives the same bars whatever the range or page size', async () => {
    const alone = await fetchAll('MSFT', '2024-03-15', '2024-03-15');
    const within = await fetchAll('MSFT', '2024-03-01', '2024-03-29', 777);
    const i = Array.from(within.bars.ts).indexOf(alone.bars.ts[0]!);
    expect(i).toBeGreaterThan(0);
    for (const c of ['open', 'high', 'low', 'close', 'volume', 'tradeCount', 'vwap'] as const) {
      expect(Array.from(within.bars[c].subarray(i, i + 390))).toEqual(Array.from(alone.bars[c]));
    }
    // a golden digest: the same on every machine (only exact IEEE arithmetic is used)
    expect(digest(alone.bars)).toBe(digest((await fetchAll('MSFT', '2024-03-15', '2024-03-15')).bars));
    expect(digest(alone.bars)).toMatchInlineSnapshot(`"925d811e7136fd35"`);
  });

  it('produces valid OHLC with positive prices and volumes', async () => {
    const { bars } = await fetchAll('BRK.B', '2024-01-02', '2024-03-28');
    expect(bars.length).toBe(tradingDays('2024-01-02', '2024-03-28').length * 390);
    for (let i = 0; i < bars.length; i++) {
      const o = bars.open[i]!, h = bars.high[i]!, l = bars.low[i]!, c = bars.close[i]!;
      if (!(h >= Math.max(o, c) && l <= Math.min(o, c) && l > 0 && bars.volume[i]! > 0)) throw new Error(`bad bar at ${i}: ${o} ${h} ${l} ${c}`);
      if (!(bars.vwap[i]! >= l && bars.vwap[i]! <= h)) throw new Error(`vwap outside the bar at ${i}`);
    }
  });

  it('pages like a real API and honours the page size', async () => {
    const { bars, pages } = await fetchAll('AAPL', '2024-01-02', '2024-01-05', 1000);
    expect(bars.length).toBe(1560);
    expect(pages).toBe(2);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(fetchAll('AAPL', '2024-01-02', '2024-01-05', 100, {}, ac.signal)).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });

  it('rejects a bad MP_FAKE_LATENCY_MS', async () => {
    await expect(fetchAll('AAPL', '2024-01-02', '2024-01-02', 100, { MP_FAKE_LATENCY_MS: 'soon' })).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
  });
});
