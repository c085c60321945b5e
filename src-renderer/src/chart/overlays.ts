/** What the user switches on and off over the candles. */
export interface ChartOverlays {
  log: boolean;
  /** SMA length in bars; null: off */
  sma: number | null;
  vwap: boolean;
  /** info-level findings shown too (hidden by default) */
  info: boolean;
  /** a second symbol on a percent scale; null: none */
  compare: string | null;
}

export const DEFAULT_OVERLAYS: ChartOverlays = { log: false, sma: null, vwap: false, info: false, compare: null };
