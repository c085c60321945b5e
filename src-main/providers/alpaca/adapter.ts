import { EXCHANGE_TZ, zonedTimeToUtc } from '../../calendar';
import { isRealDate, type Timeframe } from '../../contract/schemas';
import { MpError } from '../../shared/errors';
import { redactSecrets } from '../../shared/redact';
import { AscendingPage } from '../batch';
import type { ResilienceOptions } from '../http/types';
import type { BarBatch, FetchBarsRequest, FetchGroupRequest, GroupEvent, GroupPlanRequest, Provider, ProviderContext } from '../types';
import { AlpacaBarsResponseSchema, AlpacaErrorSchema, type AlpacaBar } from './schemas';
import { readEnv } from '../../settings/env';

// Alpaca Market Data API v2, historical stock bars: GET /v2/stocks/bars. The resilient HttpClient (ctx.http) owns
// rate limiting, retries and the breaker; this file builds requests, pages with next_page_token, parses with zod
// and turns Alpaca's error answers into MpErrors that name the provider and the reason, never a credential.

export const ALPACA_DEFAULT_URL = 'https://data.alpaca.markets';
export const ALPACA_MAX_LIMIT = 10_000;
export const ALPACA_FEEDS = ['iex', 'sip'] as const;

export const ALPACA_TIMEFRAMES: Record<Timeframe, string> = {
  '1m': '1Min',
  '5m': '5Min',
  '15m': '15Min',
  '30m': '30Min',
  '1h': '1Hour',
  '4h': '4Hour', // not served (see timeframes below): 4h bars are aggregates
  '1d': '1Day',
};

/**
 * The free plan allows 200 requests a minute, counted per fixed minute. A token bucket may hand out its burst plus
 * a minute's rate inside one such window, so we run at 195 a minute with a burst of 1: at most 196 in any minute,
 * never a 429 from pacing, and 97.5% of the budget used. Retries back off from 0.5 s up to 30 s.
 */
export const ALPACA_RESILIENCE: ResilienceOptions = {
  ratePerMinute: 195,
  burst: 1,
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 30_000,
  breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 30_000, volumeThreshold: 10 },
};

export interface AlpacaBarsQuery {
  /** one or several symbols: the page limit is shared across them, bars come sorted by symbol, then time */
  symbols: string[];
  timeframe: string;
  /** RFC 3339, no fractions of a second */
  start: string;
  end: string;
  limit: number;
  feed: string;
  /** raw unless asked otherwise */
  adjustment?: string;
  pageToken?: string;
}

/** The bars URL. Every parameter that changes the data is named explicitly, so an account default never does. */
export function buildBarsUrl(baseUrl: string, q: AlpacaBarsQuery): string {
  const p = new URLSearchParams({
    symbols: q.symbols.join(','),
    timeframe: q.timeframe,
    start: q.start,
    end: q.end,
    limit: String(q.limit),
    // Alpaca's default feed depends on the subscription (sip for paid plans): name it so the data matches the feed
    // recorded in the lake.
    feed: q.feed,
    // raw unless the user asked otherwise (adjusted bars are then stored as their own source): always named, so an
    // account default never decides
    adjustment: q.adjustment ?? 'raw',
    sort: 'asc',
  });
  if (q.pageToken) p.set('page_token', q.pageToken);
  return `${baseUrl}/v2/stocks/bars?${p.toString()}`;
}

/** RFC 3339 in UTC without fractions of a second (Alpaca's API reference refuses fractions). */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The instants covering exchange-local dates [start, end]. Alpaca's `end` is inclusive ("equal to or before this
 * time") and, per its reference, takes no fractions of a second, so the end is one second before the next day's
 * 00:00 New York time rather than that midnight itself: at midnight a daily bar of the following day (stamped
 * 00:00 New York) would be included. Bars start on whole minutes, so the missing last second holds none.
 */
export function requestWindow(start: string, end: string): { startMs: number; endMs: number; start: string; end: string } {
  for (const [name, d] of [['start', start], ['end', end]] as const) {
    if (!isRealDate(d)) throw new MpError('E_BAD_INPUT', `alpaca: ${name} must be a date as YYYY-MM-DD (got "${d}")`);
  }
  if (start > end) throw new MpError('E_BAD_INPUT', `alpaca: start ${start} is after end ${end}`);
  const startMs = zonedTimeToUtc(start, 0, 0, EXCHANGE_TZ);
  const endMs = zonedTimeToUtc(nextDate(end), 0, 0, EXCHANGE_TZ); // exclusive
  return { startMs, endMs, start: rfc3339(startMs), end: rfc3339(endMs - 1000) };
}

function nextDate(date: string): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + 1);
  return new Date(t).toISOString().slice(0, 10);
}

function baseUrl(env: NodeJS.ProcessEnv): string {
  const raw = readEnv(env, 'ALPACA_DATA_URL') || ALPACA_DEFAULT_URL;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // the value itself is not echoed: a URL may carry user:password
    throw new MpError('E_BAD_INPUT', 'alpaca: ALPACA_DATA_URL is not a valid URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new MpError('E_BAD_INPUT', 'alpaca: ALPACA_DATA_URL must be an http(s) URL');
  return raw.replace(/\/+$/, '');
}

function credentials(env: NodeJS.ProcessEnv): { key: string; secret: string } {
  const key = readEnv(env, 'ALPACA_KEY');
  const secret = readEnv(env, 'ALPACA_SECRET');
  if (!key || !secret) throw new MpError('E_PROVIDER_AUTH', 'alpaca: not configured: set ALPACA_KEY and ALPACA_SECRET');
  return { key, secret };
}

export function redact(message: string, secrets: string[]): string {
  return redactSecrets(message, secrets);
}

function providerMessage(body: string): string {
  let msg: string | undefined;
  try {
    const parsed = AlpacaErrorSchema.safeParse(JSON.parse(body));
    if (parsed.success) msg = parsed.data.message;
  } catch {
    // not JSON: a proxy's or gateway's page; its first line is the best we have
  }
  msg ??= body.split('\n').find((l) => l.trim() !== '');
  msg = msg?.trim().replace(/\s+/g, ' ').slice(0, 300);
  return msg ? msg : 'no details given';
}

/** Maps a non-2xx answer (the HttpClient has already retried 429 and 5xx) to an MpError. */
export function alpacaError(status: number, body: string, secrets: string[]): MpError {
  const msg = redact(providerMessage(body), secrets);
  if (status === 401) return new MpError('E_PROVIDER_AUTH', 'alpaca: request is not authorized (check ALPACA_KEY and ALPACA_SECRET)');
  if (status === 403) {
    // 403 is also "your subscription does not permit ..." (e.g. recent SIP data on the free plan): keep the reason
    return new MpError('E_PROVIDER_AUTH', `alpaca: request is not authorized (check ALPACA_KEY and ALPACA_SECRET): ${msg}`);
  }
  if (status === 400 || status === 422) return new MpError('E_BAD_INPUT', `alpaca: invalid request: ${msg}`);
  if (status === 404) return new MpError('E_BAD_INPUT', `alpaca: not found (HTTP 404): ${msg}`);
  return new MpError('E_PROVIDER', `alpaca: HTTP ${status}: ${msg}`);
}

function parsePage(text: string, secrets: string[]) {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MpError('E_PROVIDER', 'alpaca: unexpected response: the body is not JSON');
  }
  const r = AlpacaBarsResponseSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MpError('E_PROVIDER', redact(`alpaca: unexpected response: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid shape'}`, secrets));
  }
  return r.data;
}

/**
 * Columns from one page of one symbol's bars: only bars inside [fromMs, toMs) are kept (a defence: the request
 * already asks for exactly that window), a bar repeating the previous page's last one is dropped, and bars going
 * backwards are an error, because the interface promises ascending pages and we asked for sort=asc.
 */
function toBatch(symbol: string, bars: AlpacaBar[], fromMs: number, toMs: number, lastTs: number): BarBatch {
  const page = new AscendingPage(symbol, bars.length, lastTs, `alpaca: bars of ${symbol}`);
  for (const b of bars) {
    const ts = Date.parse(b.t);
    if (Number.isNaN(ts)) throw new MpError('E_PROVIDER', `alpaca: unexpected response: bar time "${b.t.slice(0, 40)}" is not RFC 3339`);
    if (ts < fromMs || ts >= toMs) continue;
    page.push({ ts, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v, tradeCount: b.n, vwap: b.vw });
  }
  return page.batch();
}

const cancelled = () => new MpError('E_CANCELLED', 'cancelled');

/** What every bars request of a fetch shares, checked before the first request. */
function setup(req: Omit<FetchBarsRequest, 'symbol'>, ctx: ProviderContext) {
  const timeframe = ALPACA_TIMEFRAMES[req.timeframe];
  if (!timeframe) throw new MpError('E_BAD_INPUT', `alpaca: timeframe ${String(req.timeframe)} is not served (timeframes: ${Object.keys(ALPACA_TIMEFRAMES).join(', ')})`);
  if (!(ALPACA_FEEDS as readonly string[]).includes(req.feed)) throw new MpError('E_BAD_INPUT', `alpaca: unknown feed "${req.feed}" (feeds: ${ALPACA_FEEDS.join(', ')})`);
  const { key, secret } = credentials(ctx.env);
  const base = baseUrl(ctx.env);
  const win = requestWindow(req.start, req.end);
  const limit = Math.min(ALPACA_MAX_LIMIT, Math.max(1, Math.floor(req.pageSize) || ALPACA_MAX_LIMIT));
  const headers = { 'APCA-API-KEY-ID': key, 'APCA-API-SECRET-KEY': secret, accept: 'application/json' };
  const url = (symbols: string[], pageToken: string | undefined) =>
    buildBarsUrl(base, { symbols, timeframe, start: win.start, end: win.end, limit, feed: req.feed, adjustment: req.adjustment ?? 'raw', pageToken });
  return { secrets: [key, secret], win, headers, url };
}

/** Regular-session bars a symbol has per trading day at each timeframe: the planning estimate of a group's pages. */
const BARS_PER_DAY: Record<string, number> = { '1m': 390, '5m': 78, '15m': 26, '30m': 13, '1h': 7, '1d': 1 };
/** A group is sized to fill about this many pages: a group adds at most one part-filled page to the minimum. */
const PAGES_PER_GROUP = 4;
/** Room for the `symbols` parameter, URL-encoded (each comma is %2C): well inside the 8 KiB proxies commonly allow. */
const SYMBOLS_URL_BUDGET = 4000;

/**
 * Symbols of one range in groups whose bars fill about PAGES_PER_GROUP pages (the limit is shared across the
 * symbols of a request, so a group costs about total bars / page size requests), within the URL budget, as even in
 * size as that allows.
 */
export function alpacaGroups(req: GroupPlanRequest, symbols: string[]): string[][] {
  const limit = Math.min(ALPACA_MAX_LIMIT, Math.max(1, Math.floor(req.pageSize) || ALPACA_MAX_LIMIT));
  const perSymbol = Math.max(1, req.days * (BARS_PER_DAY[req.timeframe] ?? 390));
  const bySize = Math.max(1, Math.floor((PAGES_PER_GROUP * limit) / perSymbol));
  const sorted = [...symbols].sort();
  const groups: string[][] = [];
  const count = Math.ceil(sorted.length / bySize);
  const even = Math.ceil(sorted.length / Math.max(1, count));
  let cur: string[] = [];
  let chars = 0;
  for (const s of sorted) {
    const cost = encodeURIComponent(s).length + 3;
    if (cur.length > 0 && (cur.length >= even || chars + cost > SYMBOLS_URL_BUDGET)) {
      groups.push(cur);
      cur = [];
      chars = 0;
    }
    cur.push(s);
    chars += cost;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/**
 * Bars of several symbols with one request per page: Alpaca shares `limit` across the symbols and sorts by symbol,
 * then time, so a page cut at the limit can continue only its last symbol; every symbol before it is complete (those
 * without bars too). A symbol's bars arriving after it was complete, or bars of a symbol not asked for, are the
 * provider's error: nothing is silently dropped or misfiled.
 */
async function* fetchAlpacaGroup(req: FetchGroupRequest, ctx: ProviderContext): AsyncIterable<GroupEvent> {
  const { secrets, win, headers, url } = setup(req, ctx);
  // Alpaca's order: by symbol as bytes (code units, for the ASCII symbols it takes)
  const wanted = [...new Set(req.symbols)].sort();
  const pending = new Set(wanted);
  const lastTs = new Map<string, number>();
  const seenTokens = new Set<string>();
  let pageToken: string | undefined;
  for (let page = 1; ; page++) {
    if (ctx.signal.aborted) throw cancelled();
    const res = await ctx.http.get({ url: url(wanted, pageToken), headers, signal: ctx.signal });
    if (res.status < 200 || res.status >= 300) throw alpacaError(res.status, res.text, secrets);
    const body = parsePage(res.text, secrets);
    const bars = body.bars ?? {};
    const present = Object.keys(bars).filter((s) => (bars[s]?.length ?? 0) > 0).sort();
    for (const symbol of present) {
      if (!pending.has(symbol)) {
        const why = wanted.includes(symbol) ? 'after its last page (the answer is not sorted by symbol)' : 'which was not asked for';
        throw new MpError('E_PROVIDER', `alpaca: unexpected response: bars of ${symbol.slice(0, 20)} ${why}`);
      }
      const batch = toBatch(symbol, bars[symbol] ?? [], win.startMs, win.endMs, lastTs.get(symbol) ?? Number.NEGATIVE_INFINITY);
      if (batch.length > 0) {
        lastTs.set(symbol, batch.ts[batch.length - 1]!);
        yield { symbol, batch };
      }
    }
    const next = body.next_page_token;
    ctx.log.debug('alpaca group page', { symbols: wanted.length, page, pending: pending.size });
    // without a next page every symbol is complete; with one, those before the page's last symbol are
    const cut = next ? present.at(-1) : undefined;
    if (!next || cut !== undefined) {
      for (const symbol of wanted) {
        if (pending.has(symbol) && (cut === undefined || symbol < cut)) {
          pending.delete(symbol);
          yield { symbol, done: true };
        }
      }
    }
    if (!next) return;
    if (seenTokens.has(next)) throw new MpError('E_PROVIDER', `alpaca: the API repeated a page token for ${wanted.length} symbols (pagination loop)`);
    seenTokens.add(next);
    pageToken = next;
  }
}

export const alpacaProvider: Provider = {
  info: {
    name: 'alpaca',
    description: 'Alpaca Market Data API v2: historical stock bars, unadjusted (feeds: iex on the free plan, sip with a paid subscription).',
    feeds: [...ALPACA_FEEDS],
    defaultFeed: 'iex',
    timeframes: ['1m', '5m', '15m', '30m', '1h', '1d'],
    adjustments: ['raw', 'split', 'dividend', 'all'],
    needs: ['ALPACA_KEY', 'ALPACA_SECRET'],
  },
  defaultPageSize: ALPACA_MAX_LIMIT,
  resilience: ALPACA_RESILIENCE,
  isConfigured: (env) => !!readEnv(env, 'ALPACA_KEY') && !!readEnv(env, 'ALPACA_SECRET'),

  groupSymbols: (req, symbols) => alpacaGroups(req, symbols),
  fetchGroup: fetchAlpacaGroup,

  async *fetchBars(req: FetchBarsRequest, ctx: ProviderContext): AsyncIterable<BarBatch> {
    const { secrets, win, url, headers } = setup(req, ctx);

    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    let lastTs = Number.NEGATIVE_INFINITY;
    for (let page = 1; ; page++) {
      if (ctx.signal.aborted) throw cancelled();
      const res = await ctx.http.get({ url: url([req.symbol], pageToken), headers, signal: ctx.signal });
      if (res.status < 200 || res.status >= 300) throw alpacaError(res.status, res.text, secrets);
      const body = parsePage(res.text, secrets);
      const bars = body.bars?.[req.symbol] ?? [];
      const batch = toBatch(req.symbol, bars, win.startMs, win.endMs, lastTs);
      ctx.log.debug('alpaca page', { symbol: req.symbol, page, bars: batch.length });
      if (batch.length > 0) {
        lastTs = batch.ts[batch.length - 1]!;
        yield batch;
      }
      const next = body.next_page_token;
      if (!next) return;
      // a token seen before would page forever
      if (seenTokens.has(next)) throw new MpError('E_PROVIDER', `alpaca: the API repeated a page token for ${req.symbol} (pagination loop)`);
      seenTokens.add(next);
      pageToken = next;
    }
  },
};
