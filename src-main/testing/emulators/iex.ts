import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, EXCHANGE_TZ, utcToZonedParts } from '../../calendar';
import { barsAt, json, startEmulator, text, type CommonOptions, type EmulatorHandle, type RecordedRequest, type Reply } from './common';

// An emulator of the IEX Cloud historical-prices API shape (IEX Cloud itself was retired on 2024-08-31; compatible
// services keep the shape):
//   GET /stable/stock/{symbol}/intraday-prices?token=…&exactDate=YYYYMMDD   one day of 1-minute bars, every minute of
//       the session listed, with nulls (and volume 0) for minutes without trades
//   GET /stable/stock/{symbol}/chart/date/YYYYMMDD?chartByDay=true&token=…  that day's daily bar
// Errors are plain text, as IEX sent them ("Unknown symbol", "Forbidden"). Bars are the fake provider's.

export interface IexEmulatorOptions extends CommonOptions {
  token?: string;
  /** symbols answered with 404 "Unknown symbol" */
  unknownSymbols?: string[];
  /** every minute whose index in the session is a multiple of this is listed without trades (nulls) */
  nullEvery?: number;
}

export const IEX_EMULATOR_TOKEN = 'emu-iex-token';

const errorReply = (status: number, message: string): Reply => text(status, status === 403 ? 'Forbidden' : status === 429 ? 'Too Many Requests' : message);

function dateOf(yyyymmdd: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!m) return undefined;
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  const y = Number(m[1]);
  if (y < CALENDAR_FIRST_YEAR || y > CALENDAR_LAST_YEAR) return undefined;
  const t = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date ? date : undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

function label(hour: number, minute: number): string {
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return minute === 0 ? `${h12} ${hour < 12 ? 'AM' : 'PM'}` : `${h12}:${pad(minute)} ${hour < 12 ? 'AM' : 'PM'}`;
}

export async function start(opts: IexEmulatorOptions = {}): Promise<EmulatorHandle> {
  const token = opts.token ?? IEX_EMULATOR_TOKEN;
  const unknown = new Set(opts.unknownSymbols ?? []);
  const nullEvery = opts.nullEvery ?? 0;

  const handle = (req: RecordedRequest): Reply => {
    const seg = (req.url.split('?')[0] ?? '').split('/').map((s) => decodeURIComponent(s));
    // ['', 'stable', 'stock', SYMBOL, 'intraday-prices'] or ['', 'stable', 'stock', SYMBOL, 'chart', 'date', 'YYYYMMDD']
    if (seg[1] !== 'stable' || seg[2] !== 'stock' || !seg[3]) return text(404, 'Not found');
    const symbol = seg[3];
    const intraday = seg.length === 5 && seg[4] === 'intraday-prices';
    const daily = seg.length === 7 && seg[4] === 'chart' && seg[5] === 'date';
    if (!intraday && !daily) return text(404, 'Not found');
    if (!req.query.token) return text(401, 'An API key is required to access this data and no key was provided');
    if (req.query.token !== token) return text(403, 'Forbidden');
    if (unknown.has(symbol)) return text(404, 'Unknown symbol');

    if (intraday) {
      if (req.query.exactDate === undefined) return text(400, 'The emulator serves intraday-prices with exactDate only');
      const date = dateOf(req.query.exactDate);
      if (!date) return text(400, 'Invalid date: exactDate must be YYYYMMDD');
      return json(
        200,
        barsAt(symbol, date, '1m').map((b, i) => {
          const p = utcToZonedParts(b.ts, EXCHANGE_TZ);
          const minute = `${pad(p.hour)}:${pad(p.minute)}`;
          const common = { date, minute, label: label(p.hour, p.minute) };
          if (nullEvery > 0 && i % nullEvery === 0) {
            return { ...common, high: null, low: null, open: null, close: null, average: null, volume: 0, notional: 0, numberOfTrades: 0 };
          }
          return { ...common, high: b.high, low: b.low, open: b.open, close: b.close, average: b.vwap, volume: b.volume, notional: Math.round(b.vwap * b.volume * 100) / 100, numberOfTrades: b.tradeCount };
        }),
      );
    }
    if (req.query.chartByDay !== 'true') return text(400, 'The emulator serves chart/date with chartByDay=true only');
    const date = dateOf(seg[6]!);
    if (!date) return text(400, 'Invalid date: use YYYYMMDD');
    return json(
      200,
      barsAt(symbol, date, '1d').map((b) => ({ date, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, symbol, label: date })),
    );
  };

  return startEmulator({ errorReply, handle }, opts);
}

