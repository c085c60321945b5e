// Bar timeframes and their lengths, one table for the engine and the renderer.

/** 4h bars are aggregates only (no provider serves them): buckets on the New York clock, 00:00, 04:00, … 20:00. */
export const TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

/** A bar's length in ms; a daily bar counts as 24 hours (its session is shorter, its date is what matters). */
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};
