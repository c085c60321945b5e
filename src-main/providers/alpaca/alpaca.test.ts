import { beforeAll, describe, expect, it } from 'vitest';
import { collect, expectSameBars, expectStopsWhenCancelled, failure, fakeBars, useEmulator, type FetchOpts } from '../../testing/provider-harness';
import { silentLogger } from '../../shared/log';
import { ALPACA_EMULATOR_KEY, ALPACA_EMULATOR_SECRET, start } from '../../testing/emulators/alpaca';
import type { EmulatorHandle } from '../../testing/emulators/common';
import { isStrictlyAscending } from '../../lake/batch';
import { createHttpClient } from '../http/client';
import type { HttpClient } from '../http/types';
import type { BarBatch } from '../types';
import { ALPACA_RESILIENCE, alpacaProvider, buildBarsUrl, requestWindow } from './index';

// Conformance of the Alpaca adapter against the Alpaca emulator (a real HTTP server on port 0).

const KEY = ALPACA_EMULATOR_KEY;
const SECRET = ALPACA_EMULATOR_SECRET;

/** The real resilient client, with the provider's own options but delays small enough for tests. */
function http(): HttpClient {
  return createHttpClient('alpaca', { ...ALPACA_RESILIENCE, ratePerMinute: 60_000, burst: 1_000, maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 });
}

const emulator = useEmulator(() => start({ unknownSymbols: ['NOPE'] }));
let emu: EmulatorHandle;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  emu = emulator.emu;
  env = { ALPACA_KEY: KEY, ALPACA_SECRET: SECRET, ALPACA_DATA_URL: emu.url };
});

type Opts = FetchOpts;

async function fetchAll(symbol: string, startDate: string, endDate: string, o: Opts = {}): Promise<{ bars: BarBatch; pages: number }> {
  const req = { symbol, timeframe: o.timeframe ?? '1m', start: startDate, end: endDate, feed: o.feed ?? 'iex', pageSize: o.pageSize ?? 10_000 } as const;
  const ctx = { signal: o.signal ?? new AbortController().signal, env: o.env ?? env, log: silentLogger, http: o.client ?? http() };
  return collect(alpacaProvider, req, ctx);
}




describe('alpaca adapter', () => {
  it('pages across the limit with next_page_token, ascending and without duplicates, equal to the fake provider', async () => {
    const { bars, pages } = await fetchAll('AAPL', '2024-01-02', '2024-01-05', { pageSize: 500 });
    expect(bars.length).toBe(4 * 390);
    expect(pages).toBe(4);
    expect(emu.requests.length).toBe(4);
    expect(isStrictlyAscending(bars.ts, bars.length)).toBe(true);
    expectSameBars(bars, await fakeBars('AAPL', '2024-01-02', '2024-01-05'));
    // the first request has no token, every later one carries the previous answer's token
    expect(emu.requests[0]!.query.page_token).toBeUndefined();
    for (const r of emu.requests.slice(1)) expect(r.query.page_token).toMatch(/.+/);
  });

  it('sends credentials as headers and names feed, adjustment, sort, timeframe, limit and the window', async () => {
    await fetchAll('AAPL', '2024-01-02', '2024-01-03', { pageSize: 500, feed: 'sip' });
    for (const r of emu.requests) {
      expect(r.path).toBe('/v2/stocks/bars');
      expect(r.headers['apca-api-key-id']).toBe(KEY);
      expect(r.headers['apca-api-secret-key']).toBe(SECRET);
      expect(r.query).toMatchObject({
        symbols: 'AAPL',
        timeframe: '1Min',
        feed: 'sip',
        adjustment: 'raw',
        sort: 'asc',
        limit: '500',
        // 00:00 New York on the first day to one second before 00:00 New York after the last (end is inclusive)
        start: '2024-01-02T05:00:00Z',
        end: '2024-01-04T04:59:59Z',
      });
      // credentials never travel in the URL
      expect(r.url).not.toContain(KEY);
      expect(r.url).not.toContain(SECRET);
    }
  });

  it('caps the page limit at 10,000 and defaults the feed to iex', async () => {
    expect(alpacaProvider.info.defaultFeed).toBe('iex');
    expect(alpacaProvider.defaultPageSize).toBe(10_000);
    const { bars } = await fetchAll('MSFT', '2024-03-01', '2024-03-01', { pageSize: 50_000 });
    expect(bars.length).toBe(390);
    expect(emu.requests[0]!.query.limit).toBe('10000');
    expect(emu.requests[0]!.query.feed).toBe('iex');
  });

  it('covers exchange-local dates across daylight saving time', () => {
    expect(requestWindow('2024-07-01', '2024-07-01')).toMatchObject({ start: '2024-07-01T04:00:00Z', end: '2024-07-02T03:59:59Z' });
    // the day clocks go forward: start in EST, end in EDT
    expect(requestWindow('2024-03-08', '2024-03-11')).toMatchObject({ start: '2024-03-08T05:00:00Z', end: '2024-03-12T03:59:59Z' });
  });

  it('serves a dotted symbol (BRK.B) unchanged', async () => {
    const { bars } = await fetchAll('BRK.B', '2024-01-02', '2024-01-02');
    expect(emu.requests[0]!.query.symbols).toBe('BRK.B');
    expectSameBars(bars, await fakeBars('BRK.B', '2024-01-02', '2024-01-02'));
  });

  it('yields nothing for a holiday or a weekend', async () => {
    expect((await fetchAll('AAPL', '2024-01-01', '2024-01-01')).pages).toBe(0);
    expect((await fetchAll('AAPL', '2024-01-06', '2024-01-07')).pages).toBe(0);
    expect(emu.requests.length).toBe(2);
  });

  it('maps timeframes and stamps daily bars at 00:00 New York, the last day included and the next excluded', async () => {
    const daily = await fetchAll('AAPL', '2024-01-02', '2024-01-05', { timeframe: '1d' });
    expect(emu.requests[0]!.query.timeframe).toBe('1Day');
    expect(Array.from(daily.bars.ts).map((t) => new Date(t).toISOString())).toEqual([
      '2024-01-02T05:00:00.000Z',
      '2024-01-03T05:00:00.000Z',
      '2024-01-04T05:00:00.000Z',
      '2024-01-05T05:00:00.000Z',
    ]);
    const five = await fetchAll('AAPL', '2024-01-02', '2024-01-02', { timeframe: '5m' });
    expect(emu.requests[1]!.query.timeframe).toBe('5Min');
    expect(five.bars.length).toBe(78);
    const hour = await fetchAll('AAPL', '2024-01-02', '2024-01-02', { timeframe: '1h' });
    expect(emu.requests[2]!.query.timeframe).toBe('1Hour');
    expect(new Date(hour.bars.ts[0]!).toISOString()).toBe('2024-01-02T14:00:00.000Z'); // the 09:00 bar holds 09:30-09:59
    expect(hour.bars.length).toBe(7);
  });

  it('builds a multi-symbol URL', () => {
    const url = new URL(buildBarsUrl('https://data.example', { symbols: ['AAPL', 'BRK.B'], timeframe: '1Min', start: 's', end: 'e', limit: 10, feed: 'iex', pageToken: 'tok' }));
    expect(url.searchParams.get('symbols')).toBe('AAPL,BRK.B');
    expect(url.searchParams.get('page_token')).toBe('tok');
    expect(url.searchParams.get('adjustment')).toBe('raw');
  });

  it('maps a bad key to E_PROVIDER_AUTH naming the variables, without the secrets', async () => {
    const e = await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { env: { ...env, ALPACA_SECRET: 'wrong-secret-value' } }), [KEY, SECRET]);
    expect(e).toMatchObject({ code: 'E_PROVIDER_AUTH', message: 'alpaca: request is not authorized (check ALPACA_KEY and ALPACA_SECRET)' });
    expect(e.message).not.toContain('wrong-secret-value');
    expect(emu.requests[0]!.status).toBe(401);
  });

  it('keeps the reason of a 403 (subscription) and refuses to run unconfigured', async () => {
    emu.setFailures({ status: 403, body: JSON.stringify({ code: 40310000, message: 'subscription does not permit querying recent SIP data' }) });
    const e = await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { feed: 'sip' }), [KEY, SECRET]);
    expect(e.code).toBe('E_PROVIDER_AUTH');
    expect(e.message).toContain('subscription does not permit querying recent SIP data');
    const u = await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { env: { ALPACA_DATA_URL: emu.url } }), [KEY, SECRET]);
    expect(u).toMatchObject({ code: 'E_PROVIDER_AUTH', message: 'alpaca: not configured: set ALPACA_KEY and ALPACA_SECRET' });
  });

  it('maps 422 (unknown symbol), 400 and 404 to E_BAD_INPUT with the provider message', async () => {
    const unknown = await failure(fetchAll('NOPE', '2024-01-02', '2024-01-02'), [KEY, SECRET]);
    expect(unknown).toMatchObject({ code: 'E_BAD_INPUT', message: 'alpaca: invalid request: invalid symbol: NOPE' });
    emu.setFailures({ status: 400 });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY, SECRET])).toMatchObject({ code: 'E_BAD_INPUT', message: 'alpaca: invalid request: bad request' });
    emu.setFailures({ status: 404 });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY, SECRET])).toMatchObject({ code: 'E_BAD_INPUT' });
  });

  it('rides out injected 429s (Retry-After) and 503s through the HTTP client', async () => {
    emu.setFailures({ status: 429, times: 2, retryAfterSec: 0 }, { status: 503, times: 1 });
    const { bars } = await fetchAll('AAPL', '2024-01-02', '2024-01-02');
    expect(bars.length).toBe(390);
    expect(emu.requests.map((r) => r.status)).toEqual([429, 429, 503, 200]);
  });

  it('fails with E_PROVIDER when the server keeps failing, and redacts a credential the server echoes', async () => {
    emu.setFailures({ status: 503, times: 10 });
    expect((await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY, SECRET])).code).toBe('E_PROVIDER');
    emu.setFailures({ status: 418, body: JSON.stringify({ message: `teapot refuses key ${KEY} and secret ${SECRET}` }) });
    const e = await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY, SECRET]);
    expect(e.code).toBe('E_PROVIDER');
    expect(e.message).toContain('alpaca: HTTP 418: teapot refuses key [redacted] and secret [redacted]');
  });

  it('reports a response it cannot read, and a pagination loop, as E_PROVIDER', async () => {
    emu.setFailures({ status: 200, body: '<html>gateway</html>' });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY, SECRET])).toMatchObject({ code: 'E_PROVIDER', message: 'alpaca: unexpected response: the body is not JSON' });
    emu.setFailures({ status: 200, body: JSON.stringify({ bars: { AAPL: [{ t: '2024-01-02T14:30:00Z', o: 'x' }] } }) });
    expect((await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY, SECRET])).message).toMatch(/^alpaca: unexpected response: bars\.AAPL\.0\.o/);
    const loop = JSON.stringify({ bars: {}, next_page_token: 'same' });
    emu.setFailures({ status: 200, body: loop, contentType: 'application/json', times: 3 });
    expect((await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY, SECRET])).message).toContain('pagination loop');
  });

  it('drops bars outside the requested dates and a repeated bar', async () => {
    const bar = (t: string) => ({ t, o: 1, h: 2, l: 0.5, c: 1.5, v: 10, n: 2, vw: 1.2 });
    const body = { bars: { AAPL: [bar('2024-01-01T20:59:00Z'), bar('2024-01-02T14:30:00Z'), bar('2024-01-02T14:30:00Z'), bar('2024-01-02T14:31:00Z'), bar('2024-01-03T14:30:00Z')] }, next_page_token: null };
    emu.setFailures({ status: 200, body: JSON.stringify(body) });
    const { bars } = await fetchAll('AAPL', '2024-01-02', '2024-01-02');
    expect(Array.from(bars.ts).map((t) => new Date(t).toISOString())).toEqual(['2024-01-02T14:30:00.000Z', '2024-01-02T14:31:00.000Z']);
    expect(bars.tradeCount[0]).toBe(2);
    expect(bars.vwap[0]).toBe(1.2);
  });

  it('refuses an unknown feed and bad dates before any request', async () => {
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { feed: 'otc' }), [KEY, SECRET])).toMatchObject({ code: 'E_BAD_INPUT' });
    expect(await failure(fetchAll('AAPL', '2024-02-30', '2024-03-01'), [KEY, SECRET])).toMatchObject({ code: 'E_BAD_INPUT' });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { env: { ...env, ALPACA_DATA_URL: 'ftp://x' } }), [KEY, SECRET])).toMatchObject({ code: 'E_BAD_INPUT' });
    expect(emu.requests.length).toBe(0);
  });

  it('stops when cancelled: before the first request and between pages', async () => {
    await expectStopsWhenCancelled(alpacaProvider, { symbol: 'AAPL', timeframe: '1m', start: '2024-01-02', end: '2024-01-05', feed: 'iex', pageSize: 100 }, { env, log: silentLogger, http: http() }, emu, [KEY, SECRET]);
  });

  it('is configured only with both ALPACA_KEY and ALPACA_SECRET', () => {
    expect(alpacaProvider.isConfigured({ ALPACA_KEY: 'k', ALPACA_SECRET: 's' })).toBe(true);
    expect(alpacaProvider.isConfigured({ ALPACA_KEY: 'k' })).toBe(false);
    expect(alpacaProvider.isConfigured({ ALPACA_KEY: 'k', ALPACA_SECRET: '' })).toBe(false);
    expect(alpacaProvider.info.needs).toEqual(['ALPACA_KEY', 'ALPACA_SECRET']);
    expect(alpacaProvider.resilience).toMatchObject({ ratePerMinute: 195, burst: 1, maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: 30_000 });
  });
});

describe('alpaca emulator rate limit', () => {
  it('answers 429 with Retry-After and X-RateLimit headers over the window, and the adapter waits it out', async () => {
    const limited = await start({ rateLimit: { limit: 2, windowMs: 1_000 } });
    try {
      const headers = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET };
      const url = `${limited.url}/v2/stocks/bars?symbols=AAPL&timeframe=1Day&start=2024-01-02T05:00:00Z&end=2024-01-03T04:59:59Z`;
      const a = await fetch(url, { headers });
      expect(a.status).toBe(200);
      expect(a.headers.get('x-ratelimit-remaining')).toBe('1');
      await a.text();
      await (await fetch(url, { headers })).text();
      const c = await fetch(url, { headers });
      expect(c.status).toBe(429);
      expect(await c.json()).toMatchObject({ message: 'too many requests' });
      expect(c.headers.get('retry-after')).toBe('1');
      expect(c.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(c.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
      expect(limited.stats.rateLimited).toBe(1);

      // three pages against a limit of two a second: the client honours Retry-After and finishes
      const { bars } = await fetchAll('AAPL', '2024-01-02', '2024-01-02', { pageSize: 150, env: { ...env, ALPACA_DATA_URL: limited.url } });
      expect(bars.length).toBe(390);
    } finally {
      await limited.close();
    }
  });

  it('the client paces requests under an enforced limit: no 429 at all', async () => {
    // 6 requests a second allowed; the client is told 300 a minute (one every 200 ms, burst 1)
    const limited = await start({ rateLimit: { limit: 6, windowMs: 1_000 } });
    try {
      const client = createHttpClient('alpaca', { ...ALPACA_RESILIENCE, ratePerMinute: 300, burst: 1, baseDelayMs: 1, maxDelayMs: 5 });
      const { bars, pages } = await fetchAll('AAPL', '2024-01-02', '2024-01-03', { pageSize: 100, client, env: { ...env, ALPACA_DATA_URL: limited.url } });
      expect(bars.length).toBe(780);
      expect(pages).toBe(8);
      expect(limited.stats.rateLimited).toBe(0);
    } finally {
      await limited.close();
    }
  });
});
