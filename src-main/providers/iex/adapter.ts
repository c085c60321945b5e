import { EXCHANGE_TZ, tradingDays, zonedTimeToUtc } from '../../calendar';
import { isRealDate } from '../../contract/schemas';
import { MpError } from '../../shared/errors';
import { redactSecrets } from '../../shared/redact';
import { AscendingPage, emptyBatch } from '../batch';
import type { ResilienceOptions } from '../http/types';
import type { BarBatch, FetchBarsRequest, Provider, ProviderContext } from '../types';
import { IexChartResponseSchema, IexIntradayResponseSchema, type IexDay, type IexMinute } from './schemas';
import { readEnv } from '../../settings/env';

// The IEX Cloud historical-prices API shape. IEX Cloud itself was retired on 2024-08-31, so there is no default base
// URL: IEX_BASE_URL points at an IEX Cloud-compatible service. The API answers one day per request (intraday-prices
// with exactDate for 1-minute bars, chart/date with chartByDay for the daily bar), so the adapter asks for each
// trading day of the exchange calendar and yields one page per day; the page size does not apply.
// The token travels in the query string: the URL is a secret, handed only to ctx.http and never logged or quoted.

export const IEX_TIMEFRAMES = ['1m', '1d'] as const;
/** one trading day of minutes: pages are days, whatever the requested page size */
export const IEX_PAGE_SIZE = 390;

/**
 * IEX Cloud allowed 100 requests a second per IP; compatible services vary, so the default stays well below that
 * (5 a second), and a day per request keeps even that fast enough: a year of one symbol is 252 requests.
 */
export const IEX_RESILIENCE: ResilienceOptions = {
  ratePerMinute: 300,
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 30_000,
  breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 30_000, volumeThreshold: 10 },
};

const compact = (date: string) => date.replaceAll('-', '');

export function intradayUrl(baseUrl: string, symbol: string, date: string, token: string): string {
  const p = new URLSearchParams({ token, exactDate: compact(date) });
  return `${baseUrl}/stable/stock/${encodeURIComponent(symbol)}/intraday-prices?${p.toString()}`;
}

export function dailyUrl(baseUrl: string, symbol: string, date: string, token: string): string {
  const p = new URLSearchParams({ chartByDay: 'true', token });
  return `${baseUrl}/stable/stock/${encodeURIComponent(symbol)}/chart/date/${compact(date)}?${p.toString()}`;
}

function baseUrl(env: NodeJS.ProcessEnv): string {
  const raw = readEnv(env, 'IEX_BASE_URL');
  if (!raw) throw new MpError('E_PROVIDER_AUTH', 'iex: not configured: set IEX_BASE_URL (IEX Cloud was retired in August 2024: point it at a compatible service) and IEX_TOKEN');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // the value is not echoed: a URL may carry credentials
    throw new MpError('E_BAD_INPUT', 'iex: IEX_BASE_URL is not a valid URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new MpError('E_BAD_INPUT', 'iex: IEX_BASE_URL must be an http(s) URL');
  return raw.replace(/\/+$/, '');
}

function tokenFrom(env: NodeJS.ProcessEnv): string {
  const token = readEnv(env, 'IEX_TOKEN');
  if (!token) throw new MpError('E_PROVIDER_AUTH', 'iex: not configured: set IEX_TOKEN');
  return token;
}

export function redact(message: string, secret: string): string {
  return redactSecrets(message, [secret]);
}

/** IEX answers errors in plain text ("Unknown symbol", "Forbidden"); a compatible service may send JSON. */
function providerMessage(body: string): string {
  let msg: string | undefined;
  try {
    const v: unknown = JSON.parse(body);
    if (typeof v === 'object' && v !== null) {
      for (const k of ['message', 'error'] as const) {
        const field: unknown = (v as Record<string, unknown>)[k];
        if (typeof field === 'string') {
          msg = field;
          break;
        }
      }
    } else if (typeof v === 'string') {
      msg = v;
    }
  } catch {
    // plain text, the usual case
  }
  msg ??= body.split('\n').find((l) => l.trim() !== '');
  msg = msg?.trim().replace(/\s+/g, ' ').slice(0, 300);
  return msg ? msg : 'no details given';
}

export function iexError(status: number, body: string, token: string, symbol: string): MpError {
  const msg = redact(providerMessage(body), token);
  if (status === 401 || status === 403) return new MpError('E_PROVIDER_AUTH', `iex: request is not authorized (check IEX_TOKEN): ${msg}`);
  if (status === 400) return new MpError('E_BAD_INPUT', `iex: invalid request for ${symbol}: ${msg}`);
  if (status === 404) return new MpError('E_BAD_INPUT', `iex: not found (HTTP 404) for ${symbol}: ${msg}`);
  // 402 was IEX Cloud's "message quota used up": not retryable, not the user's input
  return new MpError('E_PROVIDER', `iex: HTTP ${status}: ${msg}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MpError('E_PROVIDER', 'iex: unexpected response: the body is not JSON');
  }
}

function shapeError(issue: { path: PropertyKey[]; message: string } | undefined, token: string): MpError {
  return new MpError('E_PROVIDER', redact(`iex: unexpected response: ${issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'invalid shape'}`, token));
}

/** 'YYYY-MM-DD' or 'YYYYMMDD' to 'YYYY-MM-DD'; undefined for anything else. */
function isoDate(s: string): string | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  const d = m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
  return d && isRealDate(d) ? d : undefined;
}

/**
 * The minutes of one day. Minutes without trades come with null prices: they are not bars, and skipping them matches
 * every other provider, which sends no bar at all for such a minute. Times are New York wall-clock; the bar of a minute
 * that belongs to another day than the one asked for is dropped (a defence, it should not happen).
 */
function minutesToBatch(symbol: string, day: string, rows: IexMinute[], lastTs: number): BarBatch {
  const page = new AscendingPage(symbol, rows.length, lastTs, `iex: minutes of ${symbol} on ${day}`);
  for (const r of rows) {
    // a bar needs all of OHLCV; anything less is a minute without (usable) trades
    if (r.close == null || r.open == null || r.high == null || r.low == null || r.volume == null) continue;
    const date = isoDate(r.date);
    const hm = /^(\d{2}):(\d{2})$/.exec(r.minute);
    if (!date || !hm) throw new MpError('E_PROVIDER', `iex: unexpected response: minute "${r.date.slice(0, 12)} ${r.minute.slice(0, 8)}" is not a date and HH:MM`);
    if (date !== day) continue;
    const ts = zonedTimeToUtc(date, Number(hm[1]), Number(hm[2]), EXCHANGE_TZ);
    page.push({ ts, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume, tradeCount: r.numberOfTrades, vwap: r.average });
  }
  return page.batch();
}

/** The daily bar, stamped 00:00 New York like the other providers' daily bars. The chart has no trade count or VWAP. */
function dayToBatch(symbol: string, day: string, rows: IexDay[]): BarBatch {
  const out = emptyBatch(symbol, 1);
  const r = rows.find((x) => isoDate(x.date) === day);
  if (!r || r.close == null || r.open == null || r.high == null || r.low == null || r.volume == null) return out;
  out.ts[0] = zonedTimeToUtc(day, 0, 0, EXCHANGE_TZ);
  out.open[0] = r.open;
  out.high[0] = r.high;
  out.low[0] = r.low;
  out.close[0] = r.close;
  out.volume[0] = r.volume;
  out.tradeCount[0] = Number.NaN;
  out.vwap[0] = Number.NaN;
  out.length = 1;
  return out;
}

const cancelled = () => new MpError('E_CANCELLED', 'cancelled');

export const iexProvider: Provider = {
  info: {
    name: 'iex',
    description: 'IEX Cloud-compatible API (IEX Cloud itself was retired in August 2024: point IEX_BASE_URL at a compatible service). IEX-only 1-minute and daily bars, one request per trading day.',
    feeds: ['iex'],
    defaultFeed: 'iex',
    timeframes: [...IEX_TIMEFRAMES],
    needs: ['IEX_TOKEN', 'IEX_BASE_URL'],
  },
  defaultPageSize: IEX_PAGE_SIZE,
  resilience: IEX_RESILIENCE,
  isConfigured: (env) => !!readEnv(env, 'IEX_TOKEN') && !!readEnv(env, 'IEX_BASE_URL'),

  async *fetchBars(req: FetchBarsRequest, ctx: ProviderContext): AsyncIterable<BarBatch> {
    if (req.timeframe !== '1m' && req.timeframe !== '1d') throw new MpError('E_BAD_INPUT', `iex: timeframe ${req.timeframe} is not served (timeframes: ${IEX_TIMEFRAMES.join(', ')})`);
    if (req.feed !== 'iex') throw new MpError('E_BAD_INPUT', `iex: unknown feed "${req.feed}" (feeds: iex)`);
    for (const [name, d] of [['start', req.start], ['end', req.end]] as const) {
      if (!isRealDate(d)) throw new MpError('E_BAD_INPUT', `iex: ${name} must be a date as YYYY-MM-DD (got "${d}")`);
    }
    if (req.start > req.end) throw new MpError('E_BAD_INPUT', `iex: start ${req.start} is after end ${req.end}`);
    const token = tokenFrom(ctx.env);
    const base = baseUrl(ctx.env);
    let days: string[];
    try {
      days = tradingDays(req.start, req.end);
    } catch (e) {
      throw new MpError('E_BAD_INPUT', `iex: ${e instanceof Error ? e.message : String(e)}`);
    }

    let lastTs = Number.NEGATIVE_INFINITY;
    for (const day of days) {
      if (ctx.signal.aborted) throw cancelled();
      const url = req.timeframe === '1m' ? intradayUrl(base, req.symbol, day, token) : dailyUrl(base, req.symbol, day, token);
      const res = await ctx.http.get({ url, headers: { accept: 'application/json' }, signal: ctx.signal });
      if (res.status < 200 || res.status >= 300) throw iexError(res.status, res.text, token, req.symbol);
      const raw = parseJson(res.text);
      let batch: BarBatch;
      if (req.timeframe === '1m') {
        const r = IexIntradayResponseSchema.safeParse(raw);
        if (!r.success) throw shapeError(r.error.issues[0], token);
        batch = minutesToBatch(req.symbol, day, r.data ?? [], lastTs);
      } else {
        const r = IexChartResponseSchema.safeParse(raw);
        if (!r.success) throw shapeError(r.error.issues[0], token);
        batch = dayToBatch(req.symbol, day, r.data ?? []);
      }
      ctx.log.debug('iex day', { symbol: req.symbol, day, bars: batch.length });
      if (batch.length > 0) {
        lastTs = batch.ts[batch.length - 1]!;
        yield batch;
      }
    }
  },
};
