/**
 * Bars travel through the engine in columns, not as objects: a page of 10,000 bars is eight Float64Arrays, cheap to
 * build from provider JSON and copied straight into DuckDB vectors by the lake writer.
 * ts is epoch milliseconds UTC; tradeCount and vwap use NaN for "not provided".
 */
export interface BarBatch {
  symbol: string;
  length: number;
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  tradeCount: Float64Array;
  vwap: Float64Array;
}

export const BAR_COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume', 'tradeCount', 'vwap'] as const;
export type BarColumn = (typeof BAR_COLUMNS)[number];

/** True when ts is strictly increasing: then the lake writer can skip sorting and de-duplication. */
export function isStrictlyAscending(ts: Float64Array, length: number): boolean {
  for (let i = 1; i < length; i++) if (!(ts[i]! > ts[i - 1]!)) return false;
  return true;
}
