import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, EXCHANGE_TZ, exchangeDate, tradingDays, zonedTimeToUtc } from '../../calendar';
import type { Timeframe } from '../../contract/schemas';
import { addDays, barsAt, json, requestId, startEmulator, type CommonOptions, type EmulatorHandle, type RecordedRequest, type Reply } from './common';

// An emulator of Polygon.io's (now Massive's) stock aggregates endpoint:
// GET /v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}?adjusted&sort&limit&apiKey
// from/to are YYYY-MM-DD dates (whole New York days, inclusive) or epoch-millisecond instants (inclusive), `from`
// snapped back to the start of its bar as Polygon documents. `limit` counts base aggregates (minute bars for
// intraday spans), as in Polygon's API; a page cut at the limit carries an absolute next_url WITHOUT the apiKey
// (clients must add it), whose path starts at the next bar and whose `cursor` keeps the other parameters.
// Errors come in Polygon's shapes: {"status":"ERROR","request_id","error"} and {"status":"NOT_AUTHORIZED",
// "request_id","message"}. Bars are the fake provider's.
// Also the grouped daily endpoint, GET /v2/aggs/grouped/locale/us/market/stocks/{date}?adjusted: one day's bar of
// every ticker of the market (`market`), unpaged, each stamped at the day's 16:00 New York as Polygon stamps them.

export interface PolygonEmulatorOptions extends CommonOptions {
  apiKey?: string;
  /** tickers answered with 404 NOT_FOUND (the real API answers unknown tickers with an empty 200) */
  unknownSymbols?: string[];
  /** answer status "DELAYED" instead of "OK" (what a plan without real-time data gets for recent ranges) */
  delayed?: boolean;
  /** the tickers the grouped daily endpoint lists (the whole market, in the real API) */
  market?: string[];
}

export const POLYGON_EMULATOR_KEY = 'emu-polygon-api-key';

const SPANS: Record<string, Partial<Record<string, Timeframe>>> = {
  minute: { '1': '1m', '5': '5m', '15': '15m', '30': '30m' },
  hour: { '1': '1h' },
  day: { '1': '1d' },
};
const BUCKET_MS: Record<Exclude<Timeframe, '1d'>, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000, '4h': 14_400_000 }; // 4h: never served

function errorReply(status: number, message: string): Reply {
  if (status === 401 || status === 403) return json(status, { status: 'NOT_AUTHORIZED', request_id: requestId(), message });
  if (status === 429) {
    return json(429, { status: 'ERROR', request_id: requestId(), error: "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing" });
  }
  if (status === 404) return json(404, { status: 'NOT_FOUND', request_id: requestId(), message });
  return json(status, { status: 'ERROR', request_id: requestId(), error: message });
}

interface Params {
  limit: number;
  adjusted: string;
  sort: string;
}

const encodeCursor = (p: Params) => Buffer.from(JSON.stringify(p)).toString('base64url');
function decodeCursor(s: string): Params | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (typeof v === 'object' && v !== null && 'limit' in v && 'adjusted' in v && 'sort' in v) {
      const { limit, adjusted, sort } = v;
      if (typeof limit === 'number' && typeof adjusted === 'string' && typeof sort === 'string') return { limit, adjusted, sort };
    }
  } catch {
    // an unreadable cursor is a bad request, answered below
  }
  return undefined;
}

/** A date is a whole New York day; a number is an instant. Returns [fromMs, toMs], both inclusive. */
function parseBound(s: string, which: 'from' | 'to'): number | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const y = Number(s.slice(0, 4));
    if (y < CALENDAR_FIRST_YEAR || y > CALENDAR_LAST_YEAR || Number.isNaN(Date.parse(s))) return undefined;
    return which === 'from' ? zonedTimeToUtc(s, 0, 0, EXCHANGE_TZ) : zonedTimeToUtc(addDays(s, 1), 0, 0, EXCHANGE_TZ) - 1;
  }
  if (/^\d{1,15}$/.test(s)) return Number(s);
  return undefined;
}

export async function start(opts: PolygonEmulatorOptions = {}): Promise<EmulatorHandle> {
  const apiKey = opts.apiKey ?? POLYGON_EMULATOR_KEY;
  const unknown = new Set(opts.unknownSymbols ?? []);

  const market = [...new Set(opts.market ?? ['AAPL', 'IBM', 'MSFT', 'SPY'])];

  const grouped = (date: string, adjusted: string): Reply => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || parseBound(date, 'from') === undefined) return errorReply(400, "Could not parse the 'date' parameter: it must be a date (YYYY-MM-DD)");
    if (adjusted !== 'true' && adjusted !== 'false') return errorReply(400, "Could not parse the 'adjusted' parameter");
    const results = tradingDays(date, date).length === 0 ? [] : market.flatMap((T) =>
      barsAt(T, date, '1d').map((b) => ({ T, v: b.volume, vw: b.vwap, o: b.open, c: b.close, h: b.high, l: b.low, t: zonedTimeToUtc(date, 16, 0, EXCHANGE_TZ), n: b.tradeCount })),
    );
    const body: Record<string, unknown> = { queryCount: results.length, resultsCount: results.length, adjusted: adjusted === 'true', status: opts.delayed ? 'DELAYED' : 'OK', request_id: requestId() };
    if (results.length > 0) body.results = results;
    return json(200, body);
  };

  const handle = (req: RecordedRequest, { origin }: { origin: string }): Reply => {
    const rawPath = req.url.split('?')[0] ?? '';
    const seg = rawPath.split('/').map((s) => decodeURIComponent(s));
    // ['', 'v2', 'aggs', 'grouped', 'locale', 'us', 'market', 'stocks', date]
    if (seg.length === 9 && seg.slice(1, 8).join('/') === 'v2/aggs/grouped/locale/us/market/stocks') {
      const given = req.query.apiKey ?? req.headers.authorization?.replace(/^Bearer\s+/i, '');
      if (!given) return json(401, { status: 'ERROR', request_id: requestId(), error: 'API Key was not provided' });
      if (given !== apiKey) return json(401, { status: 'ERROR', request_id: requestId(), error: 'Unknown API Key' });
      return grouped(seg[8]!, req.query.adjusted ?? 'true');
    }
    // ['', 'v2', 'aggs', 'ticker', T, 'range', mult, span, from, to]
    if (seg.length !== 10 || seg[1] !== 'v2' || seg[2] !== 'aggs' || seg[3] !== 'ticker' || seg[5] !== 'range') return errorReply(404, 'Not found');
    const [ticker, mult, span, fromS, toS] = [seg[4]!, seg[6]!, seg[7]!, seg[8]!, seg[9]!];
    const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    const given = req.query.apiKey ?? bearer;
    if (!given) return json(401, { status: 'ERROR', request_id: requestId(), error: 'API Key was not provided' });
    if (given !== apiKey) return json(401, { status: 'ERROR', request_id: requestId(), error: 'Unknown API Key' });
    if (unknown.has(ticker)) return errorReply(404, `Ticker ${ticker} not found`);
    const timeframe = SPANS[span]?.[mult];
    if (!timeframe) return errorReply(400, `Could not parse the time parameter: the emulator serves multiplier/timespan 1,5,15,30/minute, 1/hour and 1/day (got ${mult}/${span})`);
    const fromMs = parseBound(fromS, 'from');
    const toMs = parseBound(toS, 'to');
    if (fromMs === undefined || toMs === undefined) return errorReply(400, "Could not parse the time parameter: 'from' and 'to' must be dates (YYYY-MM-DD) or millisecond timestamps");
    if (toMs < fromMs) return errorReply(400, "The 'to' parameter must be after the 'from' parameter");

    let params: Params;
    if (req.query.cursor !== undefined) {
      const c = decodeCursor(req.query.cursor);
      if (!c) return errorReply(400, 'Invalid cursor');
      params = c;
    } else {
      params = { limit: req.query.limit === undefined ? 5000 : Number(req.query.limit), adjusted: req.query.adjusted ?? 'true', sort: req.query.sort ?? 'asc' };
    }
    if (!Number.isInteger(params.limit) || params.limit < 1 || params.limit > 50_000) return errorReply(400, 'Could not parse the limit parameter: it must be 1-50000');
    if (params.adjusted !== 'true' && params.adjusted !== 'false') return errorReply(400, "Could not parse the 'adjusted' parameter");
    if (params.sort !== 'asc') return errorReply(400, 'The emulator serves sort=asc only');

    // Polygon snaps `from` back to the start of the bar it falls in
    const snapped = timeframe === '1d' ? zonedTimeToUtc(exchangeDate(fromMs), 0, 0, EXCHANGE_TZ) : Math.floor(fromMs / BUCKET_MS[timeframe]) * BUCKET_MS[timeframe];
    const first = exchangeDate(snapped);
    const last = exchangeDate(toMs);
    const days = Number(first.slice(0, 4)) >= CALENDAR_FIRST_YEAR && Number(last.slice(0, 4)) <= CALENDAR_LAST_YEAR ? tradingDays(first, last) : [];

    const results: Array<{ v: number; vw: number; o: number; c: number; h: number; l: number; t: number; n: number }> = [];
    let base = 0;
    let nextTs: number | undefined;
    outer: for (const day of days) {
      for (const b of barsAt(ticker, day, timeframe)) {
        if (b.ts < snapped || b.ts > toMs) continue;
        if (results.length > 0 && base + b.base > params.limit) {
          nextTs = b.ts;
          break outer;
        }
        results.push({ v: b.volume, vw: b.vwap, o: b.open, c: b.close, h: b.high, l: b.low, t: b.ts, n: b.tradeCount });
        base += b.base;
      }
    }
    const body: Record<string, unknown> = {
      ticker,
      queryCount: base,
      resultsCount: results.length,
      adjusted: params.adjusted === 'true',
      status: opts.delayed ? 'DELAYED' : 'OK',
      request_id: requestId(),
      count: results.length,
    };
    // Polygon leaves `results` out when there are none
    if (results.length > 0) body.results = results;
    if (nextTs !== undefined) {
      body.next_url = `${origin}/v2/aggs/ticker/${encodeURIComponent(ticker)}/range/${mult}/${span}/${nextTs}/${toMs}?cursor=${encodeCursor(params)}`;
    }
    return json(200, body);
  };

  return startEmulator({ errorReply, handle }, opts);
}

