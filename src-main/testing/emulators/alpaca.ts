import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, exchangeDate, tradingDays } from '../../calendar';
import type { Timeframe } from '../../contract/schemas';
import { barsAt, json, startEmulator, type CommonOptions, type EmulatorHandle, type RecordedRequest, type Reply } from './common';

// An emulator of Alpaca's Market Data API v2 historical stock bars (GET /v2/stocks/bars): key/secret headers,
// the request validation Alpaca does (timeframe, RFC 3339 start/end without fractions of a second, limit 1-10000,
// feed, adjustment), multi-symbol pages ordered by symbol then time, with an opaque next_page_token when a page is
// cut at `limit`, and Alpaca's error format ({"code":40110000,"message":"..."}). Optionally it enforces a rate limit
// like Alpaca's (fixed window; 429 with Retry-After and X-RateLimit-Limit/Remaining/Reset) for the benchmark.
// Bars are the fake provider's; the feed and adjustment are checked and recorded but do not change the data.

export interface AlpacaEmulatorOptions extends CommonOptions {
  key?: string;
  secret?: string;
  /** symbols answered with 422 "invalid symbol" (Alpaca's answer to symbols it does not know how to read) */
  unknownSymbols?: string[];
  /** symbols Alpaca knows but has no bars of (left out of `bars`, as Alpaca does) */
  noBars?: string[];
}

export const ALPACA_EMULATOR_KEY = 'emu-alpaca-key-id';
export const ALPACA_EMULATOR_SECRET = 'emu-alpaca-secret-key';

const TIMEFRAMES: Record<string, Timeframe> = { '1Min': '1m', '5Min': '5m', '15Min': '15m', '30Min': '30m', '1Hour': '1h', '1Day': '1d' };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const SYMBOL = /^[A-Z0-9][A-Z0-9./-]{0,20}$/;

const err = (status: number, code: number, message: string): Reply => json(status, { code, message });

function errorReply(status: number, message: string): Reply {
  // Alpaca's codes are the status followed by five digits
  return err(status, status * 100_000 + (status === 401 ? 10_000 : 0), message);
}

interface Cursor {
  symbol: string;
  ts: number;
}

// Alpaca's tokens are base64 of "SYMBOL|M|nanoseconds"-like strings; clients must treat them as opaque.
const encodeToken = (c: Cursor) => Buffer.from(`${c.symbol}|M|${c.ts}000000`).toString('base64');
function decodeToken(t: string): Cursor | undefined {
  const m = /^([^|]+)\|M\|(\d+)000000$/.exec(Buffer.from(t, 'base64').toString('utf8'));
  return m ? { symbol: m[1]!, ts: Number(m[2]) } : undefined;
}

function parseTime(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return Date.parse(`${s}T00:00:00Z`);
  if (!RFC3339.test(s)) return Number.NaN;
  return Date.parse(s);
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function start(opts: AlpacaEmulatorOptions = {}): Promise<EmulatorHandle> {
  const key = opts.key ?? ALPACA_EMULATOR_KEY;
  const secret = opts.secret ?? ALPACA_EMULATOR_SECRET;
  const unknown = new Set(opts.unknownSymbols ?? []);
  const noBars = new Set(opts.noBars ?? []);

  const handle = (req: RecordedRequest): Reply => {
    if (req.path !== '/v2/stocks/bars') return json(404, { message: 'Not Found' });
    if (req.headers['apca-api-key-id'] !== key || req.headers['apca-api-secret-key'] !== secret) return err(401, 40110000, 'request is not authorized');
    const q = req.query;
    if (!q.symbols) return err(400, 40010001, 'missing symbols');
    const symbols = [...new Set(q.symbols.split(','))].sort();
    for (const s of symbols) {
      if (!SYMBOL.test(s)) return err(400, 40010001, `invalid symbol: ${s}`);
      if (unknown.has(s)) return err(422, 42210000, `invalid symbol: ${s}`);
    }
    const timeframe = q.timeframe === undefined ? undefined : TIMEFRAMES[q.timeframe];
    if (!timeframe) return err(422, 42210000, `invalid timeframe: ${q.timeframe ?? '(missing)'}`);
    const startMs = parseTime(q.start);
    const endMs = parseTime(q.end) ?? Date.now();
    if (startMs === undefined) return err(400, 40010001, 'missing start');
    if (Number.isNaN(startMs)) return err(422, 42210000, 'invalid start: fractions of a second are not accepted, use RFC-3339');
    if (Number.isNaN(endMs)) return err(422, 42210000, 'invalid end: fractions of a second are not accepted, use RFC-3339');
    if (endMs < startMs) return err(422, 42210000, 'end should not be before start');
    const limit = q.limit === undefined ? 1000 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return err(422, 42210000, 'invalid limit: must be in range 1-10000');
    if (q.feed !== undefined && !['iex', 'sip', 'otc'].includes(q.feed)) return err(422, 42210000, `invalid feed: ${q.feed}`);
    if (q.adjustment !== undefined && !['raw', 'split', 'dividend', 'all'].includes(q.adjustment)) return err(422, 42210000, `invalid adjustment: ${q.adjustment}`);
    if (q.sort !== undefined && q.sort !== 'asc') return err(422, 42210000, 'the emulator serves sort=asc only');
    let cursor: Cursor | undefined;
    if (q.page_token) {
      cursor = decodeToken(q.page_token);
      if (!cursor) return err(400, 40010001, 'invalid page token');
    }
    const first = exchangeDate(startMs);
    const last = exchangeDate(endMs);
    const y0 = Number(first.slice(0, 4));
    const y1 = Number(last.slice(0, 4));
    if (y0 < CALENDAR_FIRST_YEAR || y1 > CALENDAR_LAST_YEAR) return json(200, { bars: {}, next_page_token: null });
    const days = tradingDays(first, last);

    const bars: Record<string, Array<{ t: string; o: number; h: number; l: number; c: number; v: number; n: number; vw: number }>> = {};
    let count = 0;
    let next: Cursor | undefined;
    outer: for (const symbol of symbols) {
      if ((cursor && symbol < cursor.symbol) || noBars.has(symbol)) continue;
      const from = cursor && symbol === cursor.symbol ? cursor.ts : startMs;
      const fromDate = exchangeDate(from);
      for (const day of days) {
        if (day < fromDate) continue;
        for (const b of barsAt(symbol, day, timeframe)) {
          if (b.ts < from || b.ts > endMs) continue;
          if (count === limit) {
            next = { symbol, ts: b.ts };
            break outer;
          }
          (bars[symbol] ??= []).push({ t: rfc3339(b.ts), o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, n: b.tradeCount, vw: b.vwap });
          count++;
        }
      }
    }
    return json(200, { bars, next_page_token: next ? encodeToken(next) : null });
  };

  return startEmulator({ errorReply, handle }, opts);
}

