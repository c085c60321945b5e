import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log';
import { queryRows, useTestEngine } from '../../testing/engine';
import { ALPACA_EMULATOR_KEY, ALPACA_EMULATOR_SECRET, start } from '../../testing/emulators/alpaca';
import type { EmulatorHandle } from '../../testing/emulators/common';
import { expectSameBars, fakeBars } from '../../testing/provider-harness';
import { BatchBuffer } from '../batch';
import { createHttpClient } from '../http/client';
import { startServer } from '../http/test-server';
import type { GroupEvent } from '../types';
import { ALPACA_RESILIENCE, alpacaProvider } from './index';
import { alpacaGroups } from './adapter';

// Several symbols per request: Alpaca shares the page limit across the symbols of a request and sorts by symbol,
// then time. The emulator does the same; these tests hold the adapter and the ingest runner to the minimum number of
// requests and to exact per-symbol checkpoints.

let emu: EmulatorHandle;
beforeEach(async () => {
  emu = await start({ noBars: ['HALT'] });
});
afterEach(async () => {
  await emu.close();
});
const env = () => ({ ALPACA_KEY: ALPACA_EMULATOR_KEY, ALPACA_SECRET: ALPACA_EMULATOR_SECRET, ALPACA_DATA_URL: emu.url });
const fx = useTestEngine('mp-alpaca-group-', () => ({ env: env() }));

const http = () => createHttpClient('alpaca', { ...ALPACA_RESILIENCE, ratePerMinute: 60_000, burst: 1_000, maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 });

async function drain(symbols: string[], pageSize: number) {
  const ctx = { signal: new AbortController().signal, env: env(), log: silentLogger, http: http() };
  const events: GroupEvent[] = [];
  for await (const ev of alpacaProvider.fetchGroup!({ symbols, timeframe: '1m', start: '2024-01-02', end: '2024-01-03', feed: 'iex', pageSize }, ctx)) events.push(ev);
  return events;
}

describe('alpaca: several symbols per request', () => {
  it('splits shared pages per symbol, each complete only after its last page, equal to the fake bars', async () => {
    // 3 symbols with bars x 2 sessions x 390 = 2,340 bars, limit 1,000: 3 pages, the minimum
    const events = await drain(['MSFT', 'AAPL', 'HALT', 'IBM'], 1000);
    expect(emu.requests).toHaveLength(3);
    expect(emu.requests[0]!.query.symbols).toBe('AAPL,HALT,IBM,MSFT');
    const order = events.map((e) => (e.done ? `done ${e.symbol}` : `${e.symbol} ${e.batch.length}`));
    // page 1: AAPL 780 + HALT none + IBM 220 (cut); page 2: IBM 560 + MSFT 440 (cut); page 3: MSFT 340
    expect(order).toEqual(['AAPL 780', 'IBM 220', 'done AAPL', 'done HALT', 'IBM 560', 'MSFT 440', 'done IBM', 'MSFT 340', 'done MSFT']);
    for (const symbol of ['AAPL', 'IBM', 'MSFT']) {
      const buf = new BatchBuffer(symbol);
      for (const e of events) if (e.symbol === symbol && e.batch) buf.append(e.batch);
      expectSameBars(buf.view(), await fakeBars(symbol, '2024-01-02', '2024-01-03'));
    }
  });

  it('refuses bars of a symbol after its last page, or of one not asked for', async () => {
    // a server that breaks Alpaca's order: page 1 is cut in IBM (so AAPL, without bars so far, is complete), page 2
    // brings AAPL's bars; another answers with a symbol nobody asked for
    const bar = (t: string) => ({ t, o: 1, h: 1, l: 1, c: 1, v: 1 });
    const pages = [
      { bars: { IBM: [bar('2024-01-02T14:30:00Z')] }, next_page_token: 'p2' },
      { bars: { AAPL: [bar('2024-01-02T14:30:00Z')] }, next_page_token: null },
    ];
    const unsorted = await startServer((_req, res, i) => res.end(JSON.stringify(pages[i] ?? pages[1])));
    const stranger = await startServer((_req, res) => res.end(JSON.stringify({ bars: { ZZZ: [bar('2024-01-02T14:30:00Z')] } })));
    try {
      for (const [srv, message] of [
        [unsorted, 'alpaca: unexpected response: bars of AAPL after its last page (the answer is not sorted by symbol)'],
        [stranger, 'alpaca: unexpected response: bars of ZZZ which was not asked for'],
      ] as const) {
        const ctx = { signal: new AbortController().signal, env: { ...env(), ALPACA_DATA_URL: srv.base }, log: silentLogger, http: http() };
        const events: GroupEvent[] = [];
        const run = async () => {
          for await (const ev of alpacaProvider.fetchGroup!({ symbols: ['AAPL', 'IBM'], timeframe: '1m', start: '2024-01-02', end: '2024-01-02', feed: 'iex', pageSize: 1 }, ctx)) events.push(ev);
        };
        await expect(run()).rejects.toMatchObject({ code: 'E_PROVIDER', message });
      }
    } finally {
      await unsorted.close();
      await stranger.close();
    }
  });

  it('groups symbols to fill a few pages each, evenly, within the URL budget', () => {
    const symbols = Array.from({ length: 500 }, (_, i) => `S${String(i).padStart(3, '0')}`);
    const oneDay = alpacaGroups({ timeframe: '1m', start: '2024-01-02', end: '2024-01-02', days: 1, pageSize: 10_000 }, symbols);
    // 4 pages of 10,000 hold 102 symbols of 390 bars: 5 groups of 100
    expect(oneDay.map((g) => g.length)).toEqual([100, 100, 100, 100, 100]);
    expect(oneDay.flat()).toEqual(symbols);
    // daily bars: one request could hold them all; the URL budget splits them
    const daily = alpacaGroups({ timeframe: '1d', start: '2024-01-02', end: '2024-01-02', days: 1, pageSize: 10_000 }, symbols);
    expect(daily.length).toBe(1);
    const long = Array.from({ length: 2000 }, (_, i) => `LONGNAME${i}`);
    const split = alpacaGroups({ timeframe: '1d', start: '2024-01-02', end: '2024-01-02', days: 1, pageSize: 10_000 }, long);
    expect(split.length).toBeGreaterThan(1);
    for (const g of split) expect(g.reduce((n, s) => n + s.length + 3, 0)).toBeLessThanOrEqual(4000);
    // a year of minute bars fills pages alone: one symbol per request
    expect(alpacaGroups({ timeframe: '1m', start: '2024-01-02', end: '2024-12-31', days: 252, pageSize: 10_000 }, ['A', 'B'])).toEqual([['A'], ['B']]);
  });
});

describe('alpaca ingest: groups through the runner', () => {
  const SYMBOLS = ['AAPL', 'AMZN', 'GOOG', 'HALT', 'IBM', 'MSFT', 'NVDA'];

  it('ingests 7 symbols in groups (one part-filled page over the minimum), bars and coverage exact', async () => {
    const job = await fx.engine.startIngest({ provider: 'alpaca', symbols: SYMBOLS, start: '2024-01-02', end: '2024-01-03', batchSize: 1000, workers: 2, pipeline: false });
    const done = await fx.engine.waitForJob(job.id);
    expect(done.status).toBe('succeeded');
    // 6 symbols with bars x 780 = 4,680 bars, 5 pages of 1,000 at the least. Groups fill about 4 pages (5 symbols),
    // evenly: AAPL..HALT (2,340 bars) and IBM..NVDA (2,340): 3 pages each, one part-filled page more than the minimum
    expect(emu.requests.map((r) => r.query.symbols).sort()).toEqual([...Array(3).fill('AAPL,AMZN,GOOG,HALT'), ...Array(3).fill('IBM,MSFT,NVDA')].sort());
    expect(await queryRows(fx.engine, `SELECT symbol, count(*) FROM bars_all WHERE timeframe = '1m' GROUP BY 1 ORDER BY 1`)).toEqual(
      SYMBOLS.filter((s) => s !== 'HALT').map((s) => [s, 780]),
    );
    // the symbol without bars is covered too (0 rows for each session), so an update does not ask for it again
    expect(await queryRows(fx.engine, `SELECT count(*) FROM bars_all WHERE symbol = 'HALT'`)).toEqual([[0]]);
    emu.reset();
    const again = await fx.engine.startIngest({ provider: 'alpaca', symbols: SYMBOLS, start: '2024-01-02', end: '2024-01-03', batchSize: 1000, pipeline: false });
    await fx.engine.waitForJob(again.id);
    expect(emu.requests).toHaveLength(0);
  });

  it('a failure mid-group keeps the symbols already complete; the resume fetches exactly the others', async () => {
    const units: string[] = [];
    fx.engine.bus.subscribe((e) => {
      if (e.type === 'jobs.unit') units.push((e.payload as { symbol: string }).symbol);
    });
    // one group of 6 (limit 1,000, 390 bars each); the second page fails with a 400 (not retried)
    emu.setFailures({ status: 400, skip: 1 });
    const symbols = ['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT', 'NVDA'];
    const job = await fx.engine.startIngest({ provider: 'alpaca', symbols, start: '2024-01-02', end: '2024-01-02', batchSize: 1000, workers: 1, pipeline: false });
    const failed = await fx.engine.waitForJob(job.id);
    expect(failed.status).toBe('failed');
    // page 1 held AAPL's and AMZN's 390 bars and 220 of GOOG's: AAPL and AMZN were complete, GOOG was not
    expect(units).toEqual(['AAPL', 'AMZN']);
    expect(emu.requests.map((r) => r.query.symbols)).toEqual([symbols.join(','), symbols.join(',')]);
    emu.reset();
    await fx.engine.resumeIngest(job.id);
    const resumed = await fx.engine.waitForJob(job.id);
    expect(resumed.status).toBe('succeeded');
    // the 4 pending symbols' 1,560 bars: 2 pages
    expect(emu.requests.map((r) => r.query.symbols)).toEqual(['GOOG,IBM,MSFT,NVDA', 'GOOG,IBM,MSFT,NVDA']);
    expect(units.sort()).toEqual(symbols);
    expect(await queryRows(fx.engine, `SELECT symbol, count(*), count(DISTINCT ts) FROM bars_all WHERE timeframe = '1m' GROUP BY 1 ORDER BY 1`)).toEqual(symbols.map((s) => [s, 390, 390]));
  });
});
