import { EXCHANGE_TZ, tradingDays, zonedTimeToUtc } from '../../calendar';
import { isRealDate, type Timeframe } from '../../contract/schemas';
import { MpError } from '../../shared/errors';
import { redactSecrets } from '../../shared/redact';
import { AscendingPage, type RawBar } from '../batch';
import type { ResilienceOptions } from '../http/types';
import type { BarBatch, FetchBarsRequest, FetchGroupRequest, GroupEvent, GroupPlanRequest, PreparedIngest, PrepareRequest, Provider, ProviderContext } from '../types';
import { PolygonAggsResponseSchema, PolygonErrorSchema, PolygonGroupedResponseSchema, type PolygonAgg } from './schemas';
import { readEnv } from '../../settings/env';
import type { z } from 'zod';

// Polygon.io (now Massive) stock aggregates: GET /v2/aggs/ticker/{T}/range/{mult}/{span}/{from}/{to}. The API key
// travels as the apiKey query parameter, so the URL is a secret: it is handed to ctx.http only (which never puts
// URLs into messages) and never logged or quoted; every message that might echo it is redacted as well.

export const POLYGON_DEFAULT_URL = 'https://api.polygon.io';
export const POLYGON_MAX_LIMIT = 50_000;
/** the free plan's limit; paid plans are effectively unlimited: set POLYGON_RATE_PER_MIN */
export const POLYGON_FREE_RATE_PER_MIN = 5;

export const POLYGON_SPANS: Record<Timeframe, { multiplier: number; timespan: 'minute' | 'hour' | 'day' }> = {
  '1m': { multiplier: 1, timespan: 'minute' },
  '5m': { multiplier: 5, timespan: 'minute' },
  '15m': { multiplier: 15, timespan: 'minute' },
  '30m': { multiplier: 30, timespan: 'minute' },
  '1h': { multiplier: 1, timespan: 'hour' },
  '4h': { multiplier: 4, timespan: 'hour' }, // not served (see timeframes below): 4h bars are aggregates
  '1d': { multiplier: 1, timespan: 'day' },
};

/**
 * Resilience for this environment: POLYGON_RATE_PER_MIN (a whole number, 1-100000) overrides the free plan's 5
 * requests a minute. Backoff may grow to a minute because on the free plan a 429 means "wait for the next minute".
 */
export function polygonResilience(env: NodeJS.ProcessEnv): ResilienceOptions {
  const rate = readEnv(env, 'POLYGON_RATE_PER_MIN') ?? POLYGON_FREE_RATE_PER_MIN;
  return {
    ratePerMinute: rate,
    maxRetries: 5,
    baseDelayMs: 1_000,
    maxDelayMs: 60_000,
    timeoutMs: 30_000,
    breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 30_000, volumeThreshold: 10 },
  };
}

export interface PolygonAggsQuery {
  ticker: string;
  timeframe: Timeframe;
  /** exchange-local dates, inclusive */
  from: string;
  to: string;
  limit: number;
}

/** The first page's URL, without the API key (add it with withApiKey, as for next_url). */
export function buildAggsUrl(baseUrl: string, q: PolygonAggsQuery): string {
  const { multiplier, timespan } = POLYGON_SPANS[q.timeframe];
  // Polygon keeps dots in tickers (BRK.B); anything else a path cannot carry is escaped
  const path = `/v2/aggs/ticker/${encodeURIComponent(q.ticker)}/range/${multiplier}/${timespan}/${q.from}/${q.to}`;
  // the lake stores raw prices: adjusted=false is named explicitly because Polygon's default is adjusted
  const p = new URLSearchParams({ adjusted: 'false', sort: 'asc', limit: String(q.limit) });
  return `${baseUrl}${path}?${p.toString()}`;
}

export function withApiKey(url: string, apiKey: string): string {
  const u = new URL(url);
  u.searchParams.set('apiKey', apiKey);
  return u.toString();
}

function baseUrl(env: NodeJS.ProcessEnv): string {
  const raw = readEnv(env, 'POLYGON_BASE_URL') || POLYGON_DEFAULT_URL;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new MpError('E_BAD_INPUT', 'polygon: POLYGON_BASE_URL is not a valid URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new MpError('E_BAD_INPUT', 'polygon: POLYGON_BASE_URL must be an http(s) URL');
  return raw.replace(/\/+$/, '');
}

function apiKeyFrom(env: NodeJS.ProcessEnv): string {
  const key = readEnv(env, 'POLYGON_API_KEY');
  if (!key) throw new MpError('E_PROVIDER_AUTH', 'polygon: not configured: set POLYGON_API_KEY');
  return key;
}

export function redact(message: string, secret: string): string {
  return redactSecrets(message, [secret]);
}

function providerMessage(body: string): string {
  let msg: string | undefined;
  try {
    const parsed = PolygonErrorSchema.safeParse(JSON.parse(body));
    if (parsed.success) msg = parsed.data.error ?? parsed.data.message ?? parsed.data.status;
  } catch {
    // not JSON (a proxy's page): its first line is the best we have
  }
  msg ??= body.split('\n').find((l) => l.trim() !== '');
  msg = msg?.trim().replace(/\s+/g, ' ').slice(0, 300);
  return msg ? msg : 'no details given';
}

/** Maps a non-2xx answer (the HttpClient has already retried 429 and 5xx) to an MpError without the key. */
export function polygonError(status: number, body: string, apiKey: string): MpError {
  const msg = redact(providerMessage(body), apiKey);
  if (status === 401 || status === 403) return new MpError('E_PROVIDER_AUTH', `polygon: request is not authorized (check POLYGON_API_KEY): ${msg}`);
  if (status === 400) return new MpError('E_BAD_INPUT', `polygon: invalid request: ${msg}`);
  if (status === 404) return new MpError('E_BAD_INPUT', `polygon: not found (HTTP 404): ${msg}`);
  return new MpError('E_PROVIDER', `polygon: HTTP ${status}: ${msg}`);
}

function parsePage(text: string, apiKey: string) {
  return parseWith(PolygonAggsResponseSchema, text, apiKey);
}

function parseWith<T extends { status: string; error?: string; message?: string }>(schema: z.ZodType<T>, text: string, apiKey: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MpError('E_PROVIDER', 'polygon: unexpected response: the body is not JSON');
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MpError('E_PROVIDER', redact(`polygon: unexpected response: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid shape'}`, apiKey));
  }
  if (r.data.status !== 'OK' && r.data.status !== 'DELAYED') {
    const why = r.data.error ?? r.data.message ?? 'no details given';
    throw new MpError('E_PROVIDER', redact(`polygon: status ${r.data.status}: ${why}`.slice(0, 400), apiKey));
  }
  return r.data;
}

/**
 * Columns of one page. Polygon reads YYYY-MM-DD bounds as New York days, so every bar should fall inside
 * [fromMs, toMs); bars outside are dropped all the same (a compatible service may read the dates as UTC days).
 * A bar repeating the previous page's last one is dropped; bars going backwards are an error (we asked sort=asc).
 */
function toBatch(symbol: string, aggs: PolygonAgg[], fromMs: number, toMs: number, lastTs: number): BarBatch {
  const page = new AscendingPage(symbol, aggs.length, lastTs, `polygon: bars of ${symbol}`);
  for (const a of aggs) {
    if (a.t < fromMs || a.t >= toMs) continue;
    page.push({ ts: a.t, open: a.o, high: a.h, low: a.l, close: a.c, volume: a.v, tradeCount: a.n, vwap: a.vw });
  }
  return page.batch();
}

function nextDate(date: string): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + 1);
  return new Date(t).toISOString().slice(0, 10);
}

const cancelled = () => new MpError('E_CANCELLED', 'cancelled');

function checkRequest(req: Omit<FetchBarsRequest, 'symbol'>): void {
  if (!POLYGON_SPANS[req.timeframe]) throw new MpError('E_BAD_INPUT', `polygon: timeframe ${String(req.timeframe)} is not served`);
  if (req.feed !== 'sip') throw new MpError('E_BAD_INPUT', `polygon: unknown feed "${req.feed}" (feeds: sip)`);
  for (const [name, d] of [['start', req.start], ['end', req.end]] as const) {
    if (!isRealDate(d)) throw new MpError('E_BAD_INPUT', `polygon: ${name} must be a date as YYYY-MM-DD (got "${d}")`);
  }
  if (req.start > req.end) throw new MpError('E_BAD_INPUT', `polygon: start ${req.start} is after end ${req.end}`);
}

/** Bars of one grouped day the group holds before it is complete: a limit on memory (D dates x N symbols). */
const GROUPED_MAX_BARS = 2_000_000;

/**
 * Daily bars of many tickers: the grouped daily endpoint answers every ticker of one date in one request, so D dates
 * cost D requests whatever the number of tickers, against one request per ticker otherwise. Used when that is fewer
 * (D < tickers in the group); groups are capped so that the bars they hold until their last date stay bounded.
 */
export function polygonGroups(req: GroupPlanRequest, symbols: string[]): string[][] {
  if (req.timeframe !== '1d' || req.days < 1) return symbols.map((s) => [s]);
  const cap = Math.floor(GROUPED_MAX_BARS / req.days);
  const count = Math.ceil(symbols.length / Math.max(1, cap));
  const size = Math.ceil(symbols.length / count);
  if (req.days >= size) return symbols.map((s) => [s]);
  const out: string[][] = [];
  for (let i = 0; i < symbols.length; i += size) out.push(symbols.slice(i, i + size));
  return out;
}

/** The grouped daily URL of one date, without the API key. Raw prices, named explicitly (the default is adjusted). */
export function buildGroupedUrl(baseUrl: string, date: string): string {
  return `${baseUrl}/v2/aggs/grouped/locale/us/market/stocks/${date}?adjusted=false`;
}

/**
 * Every symbol's daily bars from one grouped request per trading day. Each bar is stamped 00:00 New York, as the
 * per-ticker daily bars are (the grouped answer stamps the day's close). Nothing is complete before the last date, so all symbols' `done` come at the end.
 */
async function* fetchPolygonGroup(req: FetchGroupRequest, ctx: ProviderContext): AsyncIterable<GroupEvent> {
  checkRequest(req);
  if (req.timeframe !== '1d') throw new MpError('E_BAD_INPUT', `polygon: grouped bars are daily (got ${req.timeframe})`);
  const apiKey = apiKeyFrom(ctx.env);
  const base = baseUrl(ctx.env);
  const wanted = new Map(req.symbols.map((s) => [s, [] as RawBar[]]));
  for (const date of tradingDays(req.start, req.end)) {
    if (ctx.signal.aborted) throw cancelled();
    const res = await ctx.http.get({ url: withApiKey(buildGroupedUrl(base, date), apiKey), headers: { accept: 'application/json' }, signal: ctx.signal });
    if (res.status < 200 || res.status >= 300) throw polygonError(res.status, res.text, apiKey);
    const body = parseWith(PolygonGroupedResponseSchema, res.text, apiKey);
    const ts = zonedTimeToUtc(date, 0, 0, EXCHANGE_TZ);
    let kept = 0;
    for (const b of body.results ?? []) {
      const bars = wanted.get(b.T);
      // the answer is the asked date's, whatever instant of it (or, should a service stamp UTC midnight, of the day
      // before in New York) a bar carries: it is stamped 00:00 New York of that date
      if (!bars) continue;
      bars.push({ ts, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v, tradeCount: b.n, vwap: b.vw });
      kept++;
    }
    ctx.log.debug('polygon grouped day', { date, results: body.results?.length ?? 0, kept });
  }
  for (const [symbol, bars] of wanted) {
    if (bars.length > 0) {
      const page = new AscendingPage(symbol, bars.length, Number.NEGATIVE_INFINITY, `polygon: grouped bars of ${symbol}`);
      for (const b of bars) page.push(b);
      yield { symbol, batch: page.batch() };
    }
    yield { symbol, done: true };
  }
}

export const polygonProvider: Provider = {
  info: {
    name: 'polygon',
    description: 'Polygon.io (now Massive) stock aggregates, unadjusted, consolidated (SIP). Free plan: 5 requests a minute; set POLYGON_RATE_PER_MIN on a paid plan.',
    feeds: ['sip'],
    defaultFeed: 'sip',
    timeframes: ['1m', '5m', '15m', '30m', '1h', '1d'],
    needs: ['POLYGON_API_KEY'],
  },
  defaultPageSize: POLYGON_MAX_LIMIT,
  resilience: polygonResilience({}),
  // the rate depends on the plan (POLYGON_RATE_PER_MIN in the engine's environment)
  resilienceFor: polygonResilience,
  isConfigured: (env) => !!readEnv(env, 'POLYGON_API_KEY'),

  async prepare(req: PrepareRequest, ctx): Promise<PreparedIngest> {
    polygonResilience(ctx.env);
    // the engine's own checks for providers without prepare(), which this one replaces
    if (req.symbols.length === 0) throw new MpError('E_BAD_INPUT', 'symbols: give at least one symbol');
    if (!req.start || !req.end) throw new MpError('E_BAD_INPUT', 'provider polygon needs --start and --end');
    if (req.source) throw new MpError('E_BAD_INPUT', 'provider polygon reads no files: --source is for the csv provider');
    return { symbols: req.symbols, timeframe: req.timeframe ?? '1m', start: req.start, end: req.end };
  },

  groupSymbols: (req, symbols) => polygonGroups(req, symbols),
  fetchGroup: fetchPolygonGroup,

  async *fetchBars(req: FetchBarsRequest, ctx: ProviderContext): AsyncIterable<BarBatch> {
    checkRequest(req);
    const apiKey = apiKeyFrom(ctx.env);
    const base = baseUrl(ctx.env);
    const baseOrigin = new URL(base).origin;
    const fromMs = zonedTimeToUtc(req.start, 0, 0, EXCHANGE_TZ);
    const toMs = zonedTimeToUtc(nextDate(req.end), 0, 0, EXCHANGE_TZ); // exclusive
    const limit = Math.min(POLYGON_MAX_LIMIT, Math.max(1, Math.floor(req.pageSize) || POLYGON_MAX_LIMIT));

    let url = buildAggsUrl(base, { ticker: req.symbol, timeframe: req.timeframe, from: req.start, to: req.end, limit });
    const seen = new Set<string>();
    let lastTs = Number.NEGATIVE_INFINITY;
    let warnedDelayed = false;
    for (let page = 1; ; page++) {
      if (ctx.signal.aborted) throw cancelled();
      const res = await ctx.http.get({ url: withApiKey(url, apiKey), headers: { accept: 'application/json' }, signal: ctx.signal });
      if (res.status < 200 || res.status >= 300) throw polygonError(res.status, res.text, apiKey);
      const body = parsePage(res.text, apiKey);
      if (body.status === 'DELAYED' && !warnedDelayed) {
        warnedDelayed = true;
        ctx.log.info('polygon: the plan serves delayed data for this range', { symbol: req.symbol });
      }
      const batch = toBatch(req.symbol, body.results ?? [], fromMs, toMs, lastTs);
      ctx.log.debug('polygon page', { symbol: req.symbol, page, bars: batch.length });
      if (batch.length > 0) {
        lastTs = batch.ts[batch.length - 1]!;
        yield batch;
      }
      const next = body.next_url;
      if (!next) return;
      let nextUrl: URL;
      try {
        nextUrl = new URL(next);
      } catch {
        throw new MpError('E_PROVIDER', 'polygon: unexpected response: next_url is not a URL');
      }
      // the key is added to next_url: never send it to a host other than the configured one
      if (nextUrl.origin !== baseOrigin) throw new MpError('E_PROVIDER', 'polygon: next_url points to another host; not following it with the API key');
      if (seen.has(next)) throw new MpError('E_PROVIDER', `polygon: the API repeated next_url for ${req.symbol} (pagination loop)`);
      seen.add(next);
      url = next;
    }
  },
};
