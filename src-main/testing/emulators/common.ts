import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXCHANGE_TZ, zonedTimeToUtc } from '../../calendar';
import type { Timeframe } from '../../contract/schemas';
import { emptyBatch } from '../../providers/batch';
import { fakeDay } from '../../providers/fake';
import type { Ohlcv } from '../../providers/batch';

// The machinery every provider emulator shares: a node:http server on 127.0.0.1 and port 0, a full record of the
// requests (headers included, since tests check that credentials are actually sent), a queue of injected faults,
// an optional enforced rate limit, and bars that are exactly the fake provider's (fakeDay), so an adapter test can
// compare what came through the wire with what the fake provider gives and so prove the column mapping.
// No vitest here: the benchmark starts these servers too.

export interface RecordedRequest {
  method: string;
  /** decoded path, e.g. /v2/aggs/ticker/BRK.B/range/1/minute/2024-01-02/2024-01-02 */
  path: string;
  /** query parameters as sent (secrets included: tests assert they were sent and where) */
  query: Record<string, string>;
  /** the raw request target (path and query as they came over the wire) */
  url: string;
  /** lower-case header names */
  headers: Record<string, string>;
  /** what the emulator answered */
  status: number;
  /** Date.now() when the request arrived */
  at: number;
}

/**
 * One injected failure: the next `times` requests (default 1) get this status, before auth and rate limiting; with
 * `skip`, only after that many more requests were served normally (a failure in the middle of a paged fetch).
 */
export type Fault =
  | { status: number; times?: number; skip?: number; retryAfterSec?: number; body?: string; contentType?: string }
  /** the connection is destroyed without a response (a dropped connection) */
  | { drop: true; times?: number; skip?: number };

export interface RateLimitOptions {
  /** requests allowed per window */
  limit: number;
  /** window length (default one minute) */
  windowMs?: number;
}

export interface EmulatorStats {
  /** requests received (including those refused) */
  received: number;
  /** answered 429 by the enforced rate limit (injected 429 faults not counted) */
  rateLimited: number;
  /** injected faults served */
  faults: number;
}

export interface EmulatorHandle {
  /** base URL, e.g. http://127.0.0.1:39123 (no trailing slash) */
  url: string;
  requests: RecordedRequest[];
  stats: EmulatorStats;
  /** replaces the queue of injected faults; they are served in order, each `times` times */
  setFailures(...faults: Fault[]): void;
  /** forgets recorded requests and counters */
  reset(): void;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface EmulatorCore {
  /** the provider's error body for a status (used for faults and rate limiting) */
  errorReply(status: number, message: string): Reply;
  /** the provider's own handling of a request that passed faults and rate limiting */
  handle(req: RecordedRequest, ctx: { origin: string }): Reply;
}

export interface CommonOptions {
  /** enforced requests-per-window limit: over it, 429 with Retry-After and X-RateLimit-* headers */
  rateLimit?: RateLimitOptions;
  /** added before every answer (benchmarks: a realistic round trip) */
  latencyMs?: number;
}

export const json = (status: number, value: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body: JSON.stringify(value),
  contentType: 'application/json; charset=utf-8',
  headers,
});

export const text = (status: number, body: string): Reply => ({ status, body, contentType: 'text/plain; charset=utf-8' });

/** Starts a server with the shared behaviour; `core` supplies the provider's API. */
export async function startEmulator(core: EmulatorCore, opts: CommonOptions = {}): Promise<EmulatorHandle> {
  const requests: RecordedRequest[] = [];
  const stats: EmulatorStats = { received: 0, rateLimited: 0, faults: 0 };
  let faults: Fault[] = [];
  let servedOfHead = 0;
  let skippedOfHead = 0;
  const windowMs = opts.rateLimit?.windowMs ?? 60_000;
  let windowStart = 0;
  let windowCount = 0;
  let origin = '';

  const nextFault = (): Fault | undefined => {
    const head = faults[0];
    if (!head) return undefined;
    if (skippedOfHead < (head.skip ?? 0)) {
      skippedOfHead++;
      return undefined;
    }
    servedOfHead++;
    if (servedOfHead >= (head.times ?? 1)) {
      faults = faults.slice(1);
      servedOfHead = 0;
      skippedOfHead = 0;
    }
    return head;
  };

  /** Fixed window, like Alpaca's: the window starts at the first request after the previous one ended. */
  const rateLimit = (now: number): { refused?: Reply; headers?: Record<string, string> } => {
    const rl = opts.rateLimit;
    if (!rl) return {};
    if (now >= windowStart + windowMs) {
      windowStart = now;
      windowCount = 0;
    }
    const resetAt = windowStart + windowMs;
    const rlHeaders = (remaining: number) => ({
      'x-ratelimit-limit': String(rl.limit),
      'x-ratelimit-remaining': String(remaining),
      // Alpaca sends the reset as epoch seconds
      'x-ratelimit-reset': String(Math.ceil(resetAt / 1000)),
    });
    if (windowCount >= rl.limit) {
      stats.rateLimited++;
      const r = core.errorReply(429, 'too many requests');
      return { refused: { ...r, headers: { ...r.headers, ...rlHeaders(0), 'retry-after': String(Math.max(1, Math.ceil((resetAt - now) / 1000))) } } };
    }
    windowCount++;
    // an accepted request carries the headers too, as Alpaca's answers do
    return { headers: rlHeaders(rl.limit - windowCount) };
  };

  const server = http.createServer((req, res) => {
    stats.received++;
    const target = req.url ?? '/';
    const parsed = new URL(target, 'http://emulator.invalid');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: safeDecode(parsed.pathname),
      query: Object.fromEntries(parsed.searchParams),
      url: target,
      headers,
      status: 0,
      at: Date.now(),
    };
    requests.push(rec);

    const send = (r: Reply) => {
      rec.status = r.status;
      const out = () => {
        if (res.destroyed) return;
        res.writeHead(r.status, { 'content-type': r.contentType ?? 'text/plain; charset=utf-8', ...r.headers });
        res.end(r.body);
      };
      if (opts.latencyMs && opts.latencyMs > 0) setTimeout(out, opts.latencyMs);
      else out();
    };

    const fault = nextFault();
    if (fault) {
      stats.faults++;
      if ('drop' in fault) {
        rec.status = -1;
        req.socket.destroy();
        return;
      }
      const base: Reply = fault.body !== undefined ? { status: fault.status, body: fault.body, contentType: fault.contentType } : core.errorReply(fault.status, defaultMessage(fault.status));
      send({ ...base, status: fault.status, headers: { ...base.headers, ...(fault.retryAfterSec !== undefined ? { 'retry-after': String(fault.retryAfterSec) } : {}) } });
      return;
    }
    const limited = rateLimit(Date.now());
    if (limited.refused) {
      send(limited.refused);
      return;
    }
    let reply: Reply;
    try {
      reply = req.method === 'GET' ? core.handle(rec, { origin }) : core.errorReply(405, 'method not allowed');
    } catch (e) {
      reply = core.errorReply(500, e instanceof Error ? e.message : String(e));
    }
    send(limited.headers ? { ...reply, headers: { ...limited.headers, ...reply.headers } } : reply);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    requests,
    stats,
    setFailures: (...f: Fault[]) => {
      faults = [...f];
      servedOfHead = 0;
      skippedOfHead = 0;
    },
    reset: () => {
      requests.length = 0;
      stats.received = 0;
      stats.rateLimited = 0;
      stats.faults = 0;
      windowStart = 0;
      windowCount = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // keep-alive sockets would otherwise hold close() open until they time out
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

function defaultMessage(status: number): string {
  if (status === 429) return 'too many requests';
  if (status >= 500) return 'service unavailable';
  if (status === 404) return 'not found';
  if (status === 401 || status === 403) return 'request is not authorized';
  return 'bad request';
}

// ---- bars ---------------------------------------------------------------------------------------------------------

export interface EmuBar extends Ohlcv {
  ts: number;
  tradeCount: number;
  vwap: number;
  /** how many 1-minute bars this bar aggregates (Polygon's limit counts these) */
  base: number;
}

const BUCKET_MS: Record<Exclude<Timeframe, '1d'>, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000, '4h': 14_400_000 }; // 4h: never served

const dayCache = new Map<string, EmuBar[]>();
const MAX_CACHED_DAYS = 20_000;

/** The 1-minute bars of the fake provider for one symbol and exchange date (empty on non-trading days). */
export function minuteBars(symbol: string, date: string): EmuBar[] {
  const key = `${symbol}|${date}`;
  const hit = dayCache.get(key);
  if (hit) return hit;
  const b = emptyBatch(symbol, 400);
  const n = fakeDay(symbol, date, b, 0);
  const out: EmuBar[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ ts: b.ts[i]!, open: b.open[i]!, high: b.high[i]!, low: b.low[i]!, close: b.close[i]!, volume: b.volume[i]!, tradeCount: b.tradeCount[i]!, vwap: b.vwap[i]!, base: 1 });
  }
  if (dayCache.size >= MAX_CACHED_DAYS) dayCache.clear();
  dayCache.set(key, out);
  return out;
}

/**
 * Bars of one day at a timeframe, built from the fake minutes the way the real APIs label them: an intraday bar
 * starts at its bucket (buckets aligned to the epoch, which for minutes and hours equals alignment in New York time
 * since its offset is whole hours: the 09:00 hour bar holds 09:30-09:59), and a daily bar is stamped 00:00 New York.
 */
export function barsAt(symbol: string, date: string, timeframe: Timeframe): EmuBar[] {
  const minutes = minuteBars(symbol, date);
  if (timeframe === '1m' || minutes.length === 0) return minutes;
  const bucketOf = timeframe === '1d' ? () => zonedTimeToUtc(date, 0, 0, EXCHANGE_TZ) : (ts: number) => Math.floor(ts / BUCKET_MS[timeframe]) * BUCKET_MS[timeframe];
  const out: EmuBar[] = [];
  let cur: (EmuBar & { pv: number }) | undefined;
  for (const m of minutes) {
    const bucket = bucketOf(m.ts);
    if (!cur || cur.ts !== bucket) {
      if (cur) out.push(finish(cur));
      cur = { ...m, ts: bucket, pv: m.vwap * m.volume };
      continue;
    }
    cur.high = Math.max(cur.high, m.high);
    cur.low = Math.min(cur.low, m.low);
    cur.close = m.close;
    cur.volume += m.volume;
    cur.tradeCount += m.tradeCount;
    cur.pv += m.vwap * m.volume;
    cur.base += 1;
  }
  if (cur) out.push(finish(cur));
  return out;
}

function finish(b: EmuBar & { pv: number }): EmuBar {
  const { pv, ...bar } = b;
  return { ...bar, vwap: Math.round((pv / bar.volume) * 10_000) / 10_000 };
}

export function addDays(date: string, n: number): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + n);
  return new Date(t).toISOString().slice(0, 10);
}

/** Request-id-like strings for error bodies (deterministic enough for tests, unique per server). */
let seq = 0;
export function requestId(): string {
  seq++;
  return `emu${seq.toString(16).padStart(8, '0')}`;
}
