import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect, expectSameBars, expectStopsWhenCancelled, failure, fakeBars, useEmulator, type FetchOpts } from '../../testing/provider-harness';
import { silentLogger } from '../../shared/log';
import type { EmulatorHandle } from '../../testing/emulators/common';
import { POLYGON_EMULATOR_KEY, start } from '../../testing/emulators/polygon';
import { isStrictlyAscending } from '../../lake/batch';
import { createHttpClient } from '../http/client';
import type { HttpClient } from '../http/types';
import type { BarBatch } from '../types';
import { buildAggsUrl, polygonProvider, polygonResilience } from './index';

// Conformance of the Polygon adapter against the Polygon emulator (a real HTTP server on port 0).

const KEY = POLYGON_EMULATOR_KEY;

/** The real resilient client, with the provider's own options but delays small enough for tests. */
function http(): HttpClient {
  return createHttpClient('polygon', { ...polygonResilience({}), ratePerMinute: 60_000, burst: 1_000, maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 });
}

const emulator = useEmulator(() => start({ unknownSymbols: ['NOPE'] }));
let emu: EmulatorHandle;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  emu = emulator.emu;
  env = { POLYGON_API_KEY: KEY, POLYGON_BASE_URL: emu.url };
});

type Opts = FetchOpts;

async function fetchAll(symbol: string, startDate: string, endDate: string, o: Opts = {}): Promise<{ bars: BarBatch; pages: number }> {
  const req = { symbol, timeframe: o.timeframe ?? '1m', start: startDate, end: endDate, feed: o.feed ?? 'sip', pageSize: o.pageSize ?? 50_000 } as const;
  const ctx = { signal: o.signal ?? new AbortController().signal, env: o.env ?? env, log: silentLogger, http: http() };
  return collect(polygonProvider, req, ctx);
}




const count = (s: string, sub: string) => s.split(sub).length - 1;

describe('polygon adapter', () => {
  it('follows next_url across pages, adding the apiKey itself, ascending and equal to the fake provider', async () => {
    const { bars, pages } = await fetchAll('AAPL', '2024-01-02', '2024-01-05', { pageSize: 500 });
    expect(bars.length).toBe(4 * 390);
    expect(pages).toBe(4);
    expect(emu.requests.length).toBe(4);
    expect(isStrictlyAscending(bars.ts, bars.length)).toBe(true);
    expectSameBars(bars, await fakeBars('AAPL', '2024-01-02', '2024-01-05'));

    const [first, ...rest] = emu.requests;
    expect(first!.path).toBe('/v2/aggs/ticker/AAPL/range/1/minute/2024-01-02/2024-01-05');
    expect(first!.query).toEqual({ adjusted: 'false', sort: 'asc', limit: '500', apiKey: KEY });
    for (const r of rest) {
      // next_url's own path (instants) and cursor, plus the key the client has to add: exactly once
      expect(r.path).toMatch(/^\/v2\/aggs\/ticker\/AAPL\/range\/1\/minute\/\d{13}\/\d{13}$/);
      expect(r.query.cursor).toMatch(/.+/);
      expect(r.query.apiKey).toBe(KEY);
      expect(count(r.url, 'apiKey=')).toBe(1);
    }
  });

  it('the emulator leaves the apiKey out of next_url, as Polygon does', async () => {
    const res = await fetch(`${emu.url}/v2/aggs/ticker/AAPL/range/1/minute/2024-01-02/2024-01-02?limit=100&apiKey=${KEY}`);
    const body = (await res.json()) as { next_url: string; resultsCount: number; status: string };
    expect(body.status).toBe('OK');
    expect(body.resultsCount).toBe(100);
    expect(body.next_url.startsWith(emu.url)).toBe(true);
    expect(body.next_url).not.toContain('apiKey');
  });

  it('caps the page limit at 50,000', async () => {
    expect(polygonProvider.defaultPageSize).toBe(50_000);
    await fetchAll('MSFT', '2024-03-01', '2024-03-01', { pageSize: 1_000_000 });
    expect(emu.requests[0]!.query.limit).toBe('50000');
  });

  it('puts a dotted symbol (BRK.B) into the path as it is', async () => {
    const { bars } = await fetchAll('BRK.B', '2024-01-02', '2024-01-02');
    expect(emu.requests[0]!.url.startsWith('/v2/aggs/ticker/BRK.B/range/')).toBe(true);
    expectSameBars(bars, await fakeBars('BRK.B', '2024-01-02', '2024-01-02'));
    // and escapes what a path cannot carry
    expect(buildAggsUrl('https://x', { ticker: 'A/B C', timeframe: '1m', from: '2024-01-02', to: '2024-01-02', limit: 1 })).toContain('/ticker/A%2FB%20C/range/');
  });

  it('yields nothing for a holiday or a weekend (Polygon leaves results out)', async () => {
    expect((await fetchAll('AAPL', '2024-01-01', '2024-01-01')).pages).toBe(0);
    expect((await fetchAll('AAPL', '2024-01-06', '2024-01-07')).pages).toBe(0);
    expect(emu.requests.length).toBe(2);
  });

  it('maps timeframes to multiplier/timespan; the limit counts base minutes', async () => {
    const daily = await fetchAll('AAPL', '2024-01-02', '2024-01-05', { timeframe: '1d' });
    expect(emu.requests[0]!.path).toBe('/v2/aggs/ticker/AAPL/range/1/day/2024-01-02/2024-01-05');
    expect(Array.from(daily.bars.ts).map((t) => new Date(t).toISOString())).toEqual([
      '2024-01-02T05:00:00.000Z',
      '2024-01-03T05:00:00.000Z',
      '2024-01-04T05:00:00.000Z',
      '2024-01-05T05:00:00.000Z',
    ]);
    emu.reset();
    const five = await fetchAll('AAPL', '2024-01-02', '2024-01-02', { timeframe: '5m', pageSize: 100 });
    expect(emu.requests[0]!.path).toBe('/v2/aggs/ticker/AAPL/range/5/minute/2024-01-02/2024-01-02');
    expect(five.bars.length).toBe(78);
    expect(five.pages).toBe(4); // 20 five-minute bars (100 base minutes) a page
    expect(isStrictlyAscending(five.bars.ts, five.bars.length)).toBe(true);
    emu.reset();
    await fetchAll('AAPL', '2024-01-02', '2024-01-02', { timeframe: '1h' });
    expect(emu.requests[0]!.path).toBe('/v2/aggs/ticker/AAPL/range/1/hour/2024-01-02/2024-01-02');
  });

  it('drops bars outside the requested New York dates and a repeated bar; n and vw may be missing', async () => {
    const agg = (iso: string, extra: object = {}) => ({ t: Date.parse(iso), o: 1, h: 2, l: 0.5, c: 1.5, v: 10, ...extra });
    const results = [agg('2024-01-02T04:59:00Z'), agg('2024-01-02T14:30:00Z', { n: 3, vw: 1.1 }), agg('2024-01-02T14:30:00Z'), agg('2024-01-02T14:31:00Z'), agg('2024-01-03T05:00:00Z')];
    emu.setFailures({ status: 200, body: JSON.stringify({ status: 'DELAYED', resultsCount: results.length, results }) });
    const { bars } = await fetchAll('AAPL', '2024-01-02', '2024-01-02');
    expect(Array.from(bars.ts).map((t) => new Date(t).toISOString())).toEqual(['2024-01-02T14:30:00.000Z', '2024-01-02T14:31:00.000Z']);
    expect([bars.tradeCount[0], bars.vwap[0]]).toEqual([3, 1.1]);
    expect(Number.isNaN(bars.tradeCount[1]!) && Number.isNaN(bars.vwap[1]!)).toBe(true);
  });

  it('maps an unknown key to E_PROVIDER_AUTH naming POLYGON_API_KEY, never quoting the key', async () => {
    const wrong = 'wrong-polygon-key-123';
    const e = await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { env: { ...env, POLYGON_API_KEY: wrong } }), [KEY]);
    expect(e).toMatchObject({ code: 'E_PROVIDER_AUTH', message: 'polygon: request is not authorized (check POLYGON_API_KEY): Unknown API Key' });
    expect(e.message).not.toContain(wrong);
    emu.setFailures({ status: 403, body: JSON.stringify({ status: 'NOT_AUTHORIZED', request_id: 'r1', message: 'You are not entitled to this data. Please upgrade your plan.' }) });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY])).toMatchObject({ code: 'E_PROVIDER_AUTH', message: 'polygon: request is not authorized (check POLYGON_API_KEY): You are not entitled to this data. Please upgrade your plan.' });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { env: { POLYGON_BASE_URL: emu.url } }), [KEY])).toMatchObject({ code: 'E_PROVIDER_AUTH', message: 'polygon: not configured: set POLYGON_API_KEY' });
  });

  it('maps 404 (unknown ticker) and 400 to E_BAD_INPUT with the provider message', async () => {
    expect(await failure(fetchAll('NOPE', '2024-01-02', '2024-01-02'), [KEY])).toMatchObject({ code: 'E_BAD_INPUT', message: 'polygon: not found (HTTP 404): Ticker NOPE not found' });
    emu.setFailures({ status: 400, body: JSON.stringify({ status: 'ERROR', request_id: 'r2', error: 'Could not parse the time parameter' }) });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY])).toMatchObject({ code: 'E_BAD_INPUT', message: 'polygon: invalid request: Could not parse the time parameter' });
  });

  it('redacts the key (raw or URL-encoded) that a server echoes, and reports a non-OK status in a 200', async () => {
    emu.setFailures({ status: 418, body: JSON.stringify({ status: 'ERROR', error: `bad request for https://api.polygon.io/v2/x?apiKey=${KEY} (${encodeURIComponent(KEY)})` }) });
    const e = await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY]);
    expect(e.code).toBe('E_PROVIDER');
    expect(e.message).toBe('polygon: HTTP 418: bad request for https://api.polygon.io/v2/x?apiKey=[redacted] ([redacted])');
    emu.setFailures({ status: 200, body: JSON.stringify({ status: 'ERROR', error: 'internal hiccup' }) });
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY])).toMatchObject({ code: 'E_PROVIDER', message: 'polygon: status ERROR: internal hiccup' });
  });

  it('rides out injected 429s and 503s; gives up with E_PROVIDER when they persist', async () => {
    emu.setFailures({ status: 429, times: 2, retryAfterSec: 0 }, { status: 503 });
    expect((await fetchAll('AAPL', '2024-01-02', '2024-01-02')).bars.length).toBe(390);
    expect(emu.requests.map((r) => r.status)).toEqual([429, 429, 503, 200]);
    emu.setFailures({ status: 503, times: 10 });
    expect((await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY])).code).toBe('E_PROVIDER');
  });

  it('never follows a next_url to another host with the key, nor in a loop', async () => {
    const other = await start();
    try {
      emu.setFailures({ status: 200, body: JSON.stringify({ status: 'OK', results: [], next_url: `${other.url}/v2/aggs/ticker/AAPL/range/1/minute/1/2` }) });
      expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY])).toMatchObject({ code: 'E_PROVIDER', message: 'polygon: next_url points to another host; not following it with the API key' });
      expect(other.requests.length).toBe(0);
    } finally {
      await other.close();
    }
    const loop = JSON.stringify({ status: 'OK', next_url: `${emu.url}/v2/aggs/ticker/AAPL/range/1/minute/1704205800000/1704239999999?cursor=x` });
    emu.setFailures({ status: 200, body: loop, times: 3 });
    expect((await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02'), [KEY])).message).toContain('pagination loop');
  });

  it('refuses an unknown feed and bad dates before any request', async () => {
    expect(await failure(fetchAll('AAPL', '2024-01-02', '2024-01-02', { feed: 'iex' }), [KEY])).toMatchObject({ code: 'E_BAD_INPUT' });
    expect(await failure(fetchAll('AAPL', '2024-01-05', '2024-01-02'), [KEY])).toMatchObject({ code: 'E_BAD_INPUT' });
    expect(emu.requests.length).toBe(0);
  });

  it('stops when cancelled: before the first request and between pages', async () => {
    await expectStopsWhenCancelled(polygonProvider, { symbol: 'AAPL', timeframe: '1m', start: '2024-01-02', end: '2024-01-05', feed: 'sip', pageSize: 100 }, { env, log: silentLogger, http: http() }, emu, [KEY]);
  });
});

describe('polygon configuration', () => {
  const saved = process.env.POLYGON_RATE_PER_MIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.POLYGON_RATE_PER_MIN;
    else process.env.POLYGON_RATE_PER_MIN = saved;
  });

  it('rate: 5 a minute (free plan) unless POLYGON_RATE_PER_MIN says otherwise, validated', () => {
    expect(polygonResilience({}).ratePerMinute).toBe(5);
    expect(polygonResilience({ POLYGON_RATE_PER_MIN: ' 300 ' }).ratePerMinute).toBe(300);
    for (const bad of ['lots', '0', '-5', '2.5', '1e3', '100001']) {
      expect(() => polygonResilience({ POLYGON_RATE_PER_MIN: bad })).toThrow(/POLYGON_RATE_PER_MIN must be a whole number/);
    }
    // the engine asks with its own environment, never process.env
    expect(polygonProvider.resilienceFor?.({ POLYGON_RATE_PER_MIN: '1000' }).ratePerMinute).toBe(1000);
    expect(polygonProvider.resilience?.ratePerMinute).toBe(5);
  });

  it('prepare() rejects a bad POLYGON_RATE_PER_MIN before any job exists, and fills the defaults', async () => {
    const ctx = { signal: new AbortController().signal, log: silentLogger };
    const req = { symbols: ['AAPL'], timeframe: undefined, start: '2024-01-02', end: '2024-01-03', feed: 'sip', source: undefined, tz: undefined };
    await expect(polygonProvider.prepare!(req, { ...ctx, env: { POLYGON_RATE_PER_MIN: 'fast' } })).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
    await expect(polygonProvider.prepare!(req, { ...ctx, env: {} })).resolves.toEqual({ symbols: ['AAPL'], timeframe: '1m', start: '2024-01-02', end: '2024-01-03' });
    await expect(polygonProvider.prepare!({ ...req, start: undefined }, { ...ctx, env: {} })).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
  });

  it('is configured with POLYGON_API_KEY', () => {
    expect(polygonProvider.isConfigured({ POLYGON_API_KEY: 'k' })).toBe(true);
    expect(polygonProvider.isConfigured({})).toBe(false);
    expect(polygonProvider.info).toMatchObject({ name: 'polygon', feeds: ['sip'], defaultFeed: 'sip', needs: ['POLYGON_API_KEY'] });
  });
});
