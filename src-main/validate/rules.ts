import { z } from 'zod';

/** price_out_of_range's bounds: stated, not configurable (the largest US share price has stayed below 1e6). */
export const MAX_PRICE = 1e7;
export const MAX_VOLUME = 1e12;

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RULE_IDS = [
  'ohlc_consistency',
  'non_positive_price',
  'negative_volume',
  'duplicate_bar',
  'timestamp_alignment',
  'non_trading_day',
  'outside_trading_hours',
  'missing_session',
  'intraday_gap',
  'price_jump',
  'possible_split',
  'stale_price',
  'future_timestamp',
  'price_out_of_range',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** Common split and reverse-split ratios (previous close / next open). */
export const DEFAULT_SPLIT_RATIOS = [2, 3, 1.5, 4, 5, 8, 10, 20, 0.5, 1 / 3, 2 / 3, 0.25, 0.2, 0.1, 0.05];

/** Thresholds of the rules; every field has a default, so `{}` is a valid configuration. */
export const ThresholdsSchema = z
  .object({
    /** price_jump: relative close-to-close move between two bars of one session */
    priceJumpIntraday: z.number().positive().default(0.2),
    /** price_jump: relative close-to-close move from one session's last bar to the next session's first */
    priceJumpAcrossSessions: z.number().positive().default(0.4),
    /** possible_split: |(previous close / open) / ratio - 1| at most this */
    splitTolerance: z.number().min(0).max(0.5).default(0.03),
    splitRatios: z.array(z.number().positive()).min(1).default(DEFAULT_SPLIT_RATIOS),
    /** stale_price: this many consecutive bars with identical OHLC and zero volume */
    staleRunBars: z.number().int().min(2).default(30),
    /**
     * A symbol whose median bars per day is below this (counted in 1-minute bars, scaled for coarser timeframes) is
     * thin: its intraday gaps are info only and its missing sessions warnings. Half a full session by default.
     */
    thinMedianBarsPerDay: z.number().min(0).default(195),
    /** intraday_gap: missing share of the regular session below this is info, below gapWarningBelow warning, else error */
    gapInfoBelow: z.number().min(0).max(1).default(0.05),
    gapWarningBelow: z.number().min(0).max(1).default(0.5),
  })
  .strict()
  .refine((t) => t.gapInfoBelow <= t.gapWarningBelow, { message: 'gapInfoBelow must not exceed gapWarningBelow', path: ['gapInfoBelow'] });
export type Thresholds = z.infer<typeof ThresholdsSchema>;
export type ThresholdsInput = z.input<typeof ThresholdsSchema>;

export interface RuleInfo {
  id: RuleId;
  /** the severity the rule reports at most (rules graded by size also report lower ones: see severities) */
  severity: Severity;
  severities: Severity[];
  description: string;
  /** names of the thresholds (ThresholdsSchema keys) the rule reads */
  thresholds: Array<keyof Thresholds>;
}

const RULES: readonly RuleInfo[] = [
  { id: 'ohlc_consistency', severity: 'error', severities: ['error'], thresholds: [], description: 'high below max(open, close), low above min(open, close), or low above high' },
  { id: 'non_positive_price', severity: 'error', severities: ['error'], thresholds: [], description: 'a price (open, high, low, close) that is zero, negative, NaN or infinite' },
  { id: 'negative_volume', severity: 'error', severities: ['error'], thresholds: [], description: 'volume below zero' },
  {
    id: 'duplicate_bar',
    severity: 'error',
    severities: ['error', 'warning'],
    thresholds: [],
    description:
      'the same (symbol, timeframe, ts) more than once within one provider and feed: in the lake (error), or in a delivery the ingest de-duplicated, with both copies (warning when equal, error when they differ)',
  },
  { id: 'timestamp_alignment', severity: 'error', severities: ['error'], thresholds: [], description: "ts not on the timeframe's boundary (New York clock; daily bars at 00:00 New York)" },
  { id: 'non_trading_day', severity: 'error', severities: ['error'], thresholds: [], description: 'a bar on a weekend, holiday or unscheduled closure (exchange-local date)' },
  { id: 'outside_trading_hours', severity: 'warning', severities: ['warning'], thresholds: [], description: 'an intraday bar outside 04:00-20:00 New York (17:00 on early-close days)' },
  {
    id: 'missing_session',
    severity: 'error',
    severities: ['error', 'warning'],
    thresholds: ['thinMedianBarsPerDay'],
    description: 'a trading day in the validated range with no bars (error for liquid symbols, warning for thin ones)',
  },
  {
    id: 'intraday_gap',
    severity: 'error',
    severities: ['error', 'warning', 'info'],
    thresholds: ['gapInfoBelow', 'gapWarningBelow', 'thinMedianBarsPerDay'],
    description: 'regular-session bars missing on a day with bars, one finding per symbol-day (by share missing; info for thin symbols)',
  },
  { id: 'price_jump', severity: 'warning', severities: ['warning'], thresholds: ['priceJumpIntraday', 'priceJumpAcrossSessions'], description: 'bar-to-bar close move beyond the intraday or across-session threshold' },
  { id: 'possible_split', severity: 'warning', severities: ['warning'], thresholds: ['splitRatios', 'splitTolerance'], description: 'previous close / next session open near a common split ratio' },
  { id: 'stale_price', severity: 'warning', severities: ['warning'], thresholds: ['staleRunBars'], description: 'a run of consecutive bars with identical OHLC and zero volume' },
  { id: 'future_timestamp', severity: 'error', severities: ['error'], thresholds: [], description: 'a bar stamped later than now' },
  {
    id: 'price_out_of_range',
    severity: 'error',
    severities: ['error'],
    thresholds: [],
    description: `a price above ${MAX_PRICE.toExponential()} or a volume above ${MAX_VOLUME.toExponential()} (or not a finite number): no listed stock trades there, so it is a unit or parsing error`,
  },
];

export interface RuleListing extends RuleInfo {
  /** the current values of the thresholds the rule reads */
  values: Partial<Thresholds>;
}

/** Every rule with its id, severity, description and threshold values (defaults unless overridden). */
export function listRules(overrides: ThresholdsInput = {}): RuleListing[] {
  const t = ThresholdsSchema.parse(overrides);
  return RULES.map((r) => ({ ...r, values: Object.fromEntries(r.thresholds.map((k) => [k, t[k]])) as Partial<Thresholds> }));
}
