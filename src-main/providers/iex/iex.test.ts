import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, expectStopsWhenCancelled, failure, fakeBars, useEmulator, type FetchOpts } from '../../testing/provider-harness';
import { silentLogger } from '../../shared/log';
import type { EmulatorHandle } from '../../testing/emulators/common';
import { IEX_EMULATOR_TOKEN, start } from '../../testing/emulators/iex';
import { isStrictlyAscending } from '../../lake/batch';
import { createHttpClient } from '../http/client';
import type { HttpClient } from '../http/types';
import { BAR_COLUMNS, type BarBatch } from '../types';
import { IEX_RESILIENCE, iexProvider } from './index';

// Conformance of the IEX Cloud-compatible adapter against the IEX emulator (a real HTTP server on port 0).

const TOKEN = IEX_EMULATOR_TOKEN;

/** The real resilient client, with the provider's own options but delays small enough for tests. */
function http(): HttpClient {
  return createHttpClient('iex', { ...IEX_RESILIENCE, ratePerMinute: 60_000, burst: 1_000, maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 });
}

let emu: EmulatorHandle;
let sparse: EmulatorHandle;
let env: NodeJS.ProcessEnv;

const emulator = useEmulator(() => start({ unknownSymbols: ['NOPE'] }));
beforeAll(async () => {
  emu = emulator.emu;
  sparse = await start({ nullEvery: 7 });
  env = { IEX_TOKEN: TOKEN, IEX_BASE_URL: emu.url };
});
afterAll(() => sparse.close());

type Opts = FetchOpts;

async function fetchAll(symbol: string, startDate: string, endDate: string, o: Opts = {}): Promise<{ bars: BarBatch; pages: number }> {
  const req = { symbol, timeframe: o.timeframe ?? '1m', start: startDate, end: endDate, feed: o.feed ?? 'iex', pageSize: 10_000 } as const;
  const ctx = { signal: o.signal ?? new AbortController().signal, env: o.env ?? env, log: silentLogger, http: http() };
  return collect(iexProvider, req, ctx);
}


function columns(b: BarBatch, keep: (i: number) => boolean = () => true) {
  const out: Record<string, number[]> = {};
  for (const c of BAR_COLUMNS) out[c] = Array.from(b[c].subarray(0, b.length)).filter((_, i) => keep(i));
  return out;
}


describe('iex adapter', () => {
  it('asks once per trading day (a holiday skipped) and maps the columns exactly like the fake provider', async () => {
    const { bars, pages } = await fetchAll('AAPL', '2024-01-01', '2024-01-05');
    expect(emu.requests.map((r) => r.query.exactDate)).toEqual(['20240102', '20240103', '20240104', '20240105']);
    expect(pages).toBe(4);
    expect(bars.length).toBe(4 * 390);
    expect(isStrictlyAscending(bars.ts, bars.length)).toBe(true);
    expect(columns(bars)).toEqual(columns(await fakeBars('AAPL', '2024-01-01', '2024-01-05')));
    for (const r of emu.requests) {
      expect(r.path).toBe('/stable/stock/AAPL/intraday-prices');
      expect(r.query.token).toBe(TOKEN);
    }
  });

  it('skips minutes without trades (null prices)', async () => {
    const { bars } = await fetchAll('MSFT', '2024-01-02', '2024-01-03', { env: { ...env, IEX_BASE_URL: sparse.url } });
    const nulls = Math.ceil(390 / 7);
    expect(bars.length).toBe(2 * (390 - nulls));
    const fake = await fakeBars('MSFT', '2024-01-02', '2024-01-03');
    expect(columns(bars)).toEqual(columns(fake, (i) => (i % 390) % 7 !== 0));
  });

  it('handles New York time across daylight saving time and early closes', async () => {
    const { bars } = await fetchAll('AAPL', '2024-11-29', '2024-11-29'); // 13:00 close after Thanksgiving
    expect(bars.length).toBe(210);
    expect(new Date(bars.ts[0]!).toISOString()).toBe('2024-11-29T14:30:00.000Z');
    const summer = await fetchAll('AAPL', '2024-07-01', '2024-07-01');
    expect(new Date(summer.bars.ts[0]!).toISOString()).toBe('2024-07-01T13:30:00.000Z');
  });

  it('serves a dotted symbol (BRK.B)', async () => {
    const { bars } = await fetchAll('BRK.B', '2024-01-02', '2024-01-02');
    expect(emu.requests[0]!.url.startsWith('/stable/stock/BRK.B/intraday-prices?')).toBe(true);
    expect(columns(bars)).toEqual(columns(await fakeBars('BRK.B', '2024-01-02', '2024-01-02')));
  });

  it('makes no request for a weekend and yields nothing for an empty day', async () => {
    expect((await fetchAll('AAPL', '2024-01-06', '2024-01-07')).pages).toBe(0);
    expect(emu.requests.length).toBe(0);
    emu.setFailures({ status: 200, body: '[]' });
    expect((await fetchAll('AAPL', '2024-01-02', '2024-01-02')).pages).toBe(0);
    // and the emulator answers a holiday with an empty list
    const res = await fetch(`${emu.url}/stable/stock/AAPL/intraday-prices?token=${TOKEN}&exactDate=20240101`);
    expect(await res.json()).toEqual([]);
  });

  it('reads daily bars from chart/date with chartByDay, stamped 00:00 New York', async () => {
    const { bars } = await fetchAll('AAPL', '2024-01-02', '2024-01-03', { timeframe: '1d' });
    expect(emu.requests.map((r) => [r.path, r.query.chartByDay])).toEqual([
      ['/stable/stock/AAPL/chart/date/20240102', 'true'],
      ['/stable/stock/AAPL/chart/date/20240103', 'true'],
    ]);
    expect(Array.from(bars.ts).map((t) => new Date(t).toISOString())).toEqual(['2024-01-02T05:00:00.000Z', '2024-01-03T05:00:00.000Z']);
    const minutes = await fakeBars('AAPL', '2024-01-02', '2024-01-02');
    expect(bars.open[0]).toBe(minutes.open[0]);
    expect(bars.close[0]).toBe(minutes.close[389]);
    expect(bars.volume[0]).toBe(Array.from(minutes.volume).reduce((a, b) => a + b, 0));
    expect(Number.isNaN(bars.tradeCount[0]!) && Number.isNaN(bars.vwap[0]!)).toBe(true);
  });

  it('maps a wrong token to E_PROVIDER_AUTH naming IEX_TOKEN, and says what is missing when unconfigured', async () => {
    const e = await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { env: { ...env, IEX_TOKEN: 'not-the-token' } }), [TOKEN]);
    expect(e).toMatchObject({ code: 'E_PROVIDER_AUTH', message: 'iex: request is not authorized (check IEX_TOKEN): Forbidden' });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { env: { IEX_BASE_URL: emu.url } }), [TOKEN])).toMatchObject({ code: 'E_PROVIDER_AUTH', message: 'iex: not configured: set IEX_TOKEN' });
    const noBase = await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { env: { IEX_TOKEN: TOKEN } }), [TOKEN]);
    expect(noBase.code).toBe('E_PROVIDER_AUTH');
    expect(noBase.message).toContain('IEX_BASE_URL');
  });

  it('maps 404 "Unknown symbol" and 400 to E_BAD_INPUT, a quota 402 to E_PROVIDER, and redacts an echoed token', async () => {
    expect(await failure(fetchAll('NOPE', '2024-01-02', '2024-01-02'), [TOKEN])).toMatchObject({ code: 'E_BAD_INPUT', message: 'iex: not found (HTTP 404) for NOPE: Unknown symbol' });
    emu.setFailures({ status: 400, body: 'Invalid date' });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [TOKEN])).toMatchObject({ code: 'E_BAD_INPUT', message: 'iex: invalid request for AAPL: Invalid date' });
    emu.setFailures({ status: 402, body: 'You have exceeded your allotted message quota.' });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [TOKEN])).toMatchObject({ code: 'E_PROVIDER', message: 'iex: HTTP 402: You have exceeded your allotted message quota.' });
    emu.setFailures({ status: 409, body: `token ${TOKEN} conflicts` });
    expect((await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [TOKEN])).message).toBe('iex: HTTP 409: token [redacted] conflicts');
    emu.setFailures({ status: 200, body: 'not json' });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [TOKEN])).toMatchObject({ code: 'E_PROVIDER', message: 'iex: unexpected response: the body is not JSON' });
  });

  it('rides out injected 429s and 503s through the HTTP client', async () => {
    emu.setFailures({ status: 429, times: 2, retryAfterSec: 0 }, { status: 503 });
    expect((await fetchAll('AAPL', '2024-01-02', '2024-01-02')).bars.length).toBe(390);
    expect(emu.requests.map((r) => r.status)).toEqual([429, 429, 503, 200]);
  });

  it('refuses timeframes and feeds it does not serve, before any request', async () => {
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { timeframe: '5m' }), [TOKEN])).toMatchObject({ code: 'E_BAD_INPUT' });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { feed: 'sip' }), [TOKEN])).toMatchObject({ code: 'E_BAD_INPUT' });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { env: { ...env, IEX_BASE_URL: 'not a url' } }), [TOKEN])).toMatchObject({ code: 'E_BAD_INPUT' });
    expect(emu.requests.length).toBe(0);
  });

  it('stops when cancelled: before the first request and between days', async () => {
    await expectStopsWhenCancelled(iexProvider, { symbol: 'AAPL', timeframe: '1m', start: '2024-01-02', end: '2024-01-05', feed: 'iex', pageSize: 390 }, { env, log: silentLogger, http: http() }, emu, [TOKEN]);
  });

  it('needs IEX_TOKEN and IEX_BASE_URL and says IEX Cloud is retired', () => {
    expect(iexProvider.isConfigured({ IEX_TOKEN: 't', IEX_BASE_URL: 'https://x' })).toBe(true);
    expect(iexProvider.isConfigured({ IEX_TOKEN: 't' })).toBe(false);
    expect(iexProvider.info.needs).toEqual(['IEX_TOKEN', 'IEX_BASE_URL']);
    expect(iexProvider.info.timeframes).toEqual(['1m', '1d']);
    expect(iexProvider.info.description).toContain('IEX Cloud-compatible API (IEX Cloud itself was retired in August 2024: point IEX_BASE_URL at a compatible service)');
  });
});
