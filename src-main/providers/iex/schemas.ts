import { z } from 'zod';

// The IEX Cloud historical-prices JSON, as far as the adapter reads it. Prices are null for minutes without trades
// (IEX lists every minute of the session), so every price field is nullable; unknown fields are stripped.

const price = z.number().nullable().optional();

/** /stable/stock/{symbol}/intraday-prices: one item per minute of the day */
export const IexMinuteSchema = z.object({
  /** exchange-local date, 'YYYY-MM-DD' (some compatible services send 'YYYYMMDD') */
  date: z.string(),
  /** exchange-local 'HH:MM' */
  minute: z.string(),
  open: price,
  high: price,
  low: price,
  close: price,
  volume: price,
  numberOfTrades: price,
  /** the minute's volume-weighted average price */
  average: price,
});
export type IexMinute = z.infer<typeof IexMinuteSchema>;
export const IexIntradayResponseSchema = z.array(IexMinuteSchema).nullable();

/** /stable/stock/{symbol}/chart/date/YYYYMMDD?chartByDay=true: that day's bar (an empty list when it did not trade) */
export const IexDaySchema = z.object({
  date: z.string(),
  open: price,
  high: price,
  low: price,
  close: price,
  volume: price,
});
export type IexDay = z.infer<typeof IexDaySchema>;
export const IexChartResponseSchema = z.array(IexDaySchema).nullable();
