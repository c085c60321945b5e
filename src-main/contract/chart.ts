import { z } from 'zod';
import { SymbolSchema, TimeframeSchema } from './schemas';

// The chart explorer's part of the contract. Imported by the renderer too: no Node imports here.
// Every answer is bounded: bars are capped by maxBars (at most MAX_CHART_BARS), sessions by MAX_SESSION_DAYS, findings
// by MAX_FINDINGS. Instants are UTC epoch milliseconds (numbers: cheaper than ISO strings for tens of thousands of bars).

export const MAX_CHART_BARS = 20_000;
export const DEFAULT_CHART_BARS = 5_000;
export const MAX_SESSION_DAYS = 6_000;
export const MAX_FINDINGS = 2_000;
/** Groups of findings counted for the markers (a year of 1-minute groups would be ~98k: the chart asks per bar width). */
export const MAX_FINDING_MARKS = 50_000;
/** Finest and coarsest group of the markers' counts: a minute, a day. */
export const FINDING_MARKS_PER = { min: 60_000, max: 86_400_000 } as const;

const EpochMs = z.number().int().min(0).max(8_640_000_000_000);
const Provider = z.string().trim().min(1).max(32);
const Feed = z.string().trim().min(1).max(40);

const RangeArg = { from: EpochMs, to: EpochMs };
const rangeOrdered = <T extends { from: number; to: number }>(a: T) => a.from < a.to;
const rangeMessage = { message: 'from must be before to', path: ['from'] };

export const ChartSourceSchema = z.object({
  provider: z.string(),
  feed: z.string(),
  /** the timeframes the lake holds for this source (pre-aggregated ones included) */
  timeframes: z.array(TimeframeSchema),
  /** first and last bar of the finest timeframe held, epoch ms */
  first: z.number(),
  last: z.number(),
});
export type ChartSource = z.infer<typeof ChartSourceSchema>;

export const ChartExtentSchema = z.object({
  symbol: z.string(),
  /** preferred first (the source the `bars` view shows); empty when the lake holds nothing for the symbol */
  sources: z.array(ChartSourceSchema),
});
export type ChartExtent = z.infer<typeof ChartExtentSchema>;

export const ChartBarsArgSchema = z
  .object({
    symbol: SymbolSchema,
    /** the finest timeframe wanted; a coarser one is used when the range would exceed maxBars */
    timeframe: TimeframeSchema.default('1m'),
    ...RangeArg,
    provider: Provider.optional(),
    feed: Feed.optional(),
    maxBars: z.number().int().min(10).max(MAX_CHART_BARS).default(DEFAULT_CHART_BARS),
  })
  .strict()
  .refine(rangeOrdered, rangeMessage)
  .refine((a) => (a.provider === undefined) === (a.feed === undefined), { message: 'give provider and feed together', path: ['provider'] });
export type ChartBarsArg = z.infer<typeof ChartBarsArgSchema>;

/** Bars as columns: t (bar start, epoch ms), o, h, l, c, v, all of one length, ascending by t. */
export const ChartBarsSchema = z
  .object({
    symbol: z.string(),
    provider: z.string(),
    feed: z.string(),
    /** the timeframe asked for */
    requested: TimeframeSchema,
    /** the timeframe of these bars: coarser than asked when the range holds more than maxBars bars of it */
    timeframe: TimeframeSchema,
    /** 'lake': read as stored (pre-aggregated included); 'computed': aggregated by DuckDB for this answer */
    origin: z.enum(['lake', 'computed']),
    from: z.number(),
    to: z.number(),
    /** more bars than maxBars even at the coarsest timeframe: the first maxBars of the range are given */
    truncated: z.boolean(),
    t: z.array(z.number()).max(MAX_CHART_BARS),
    o: z.array(z.number()).max(MAX_CHART_BARS),
    h: z.array(z.number()).max(MAX_CHART_BARS),
    l: z.array(z.number()).max(MAX_CHART_BARS),
    c: z.array(z.number()).max(MAX_CHART_BARS),
    v: z.array(z.number()).max(MAX_CHART_BARS),
  })
  .refine((b) => [b.o, b.h, b.l, b.c, b.v].every((col) => col.length === b.t.length), { message: 'columns differ in length' });
export type ChartBars = z.infer<typeof ChartBarsSchema>;

export const ChartSessionsArgSchema = z.object(RangeArg).strict().refine(rangeOrdered, rangeMessage);

export const ChartSessionSchema = z.object({
  /** exchange-local date */
  date: z.string(),
  preOpen: z.number(),
  open: z.number(),
  /** the regular close (13:00 New York on early-close days) */
  close: z.number(),
  postClose: z.number(),
  earlyClose: z.boolean(),
});
export type ChartSession = z.infer<typeof ChartSessionSchema>;
export const ChartSessionsSchema = z.object({ sessions: z.array(ChartSessionSchema).max(MAX_SESSION_DAYS) });

export const ChartFindingsArgSchema = z
  .object({
    symbol: SymbolSchema,
    ...RangeArg,
    provider: Provider.optional(),
    feed: Feed.optional(),
    timeframe: TimeframeSchema.optional(),
    /** the width (ms) of the groups the findings are counted in for the markers (default a minute) */
    per: z.number().int().min(FINDING_MARKS_PER.min).max(FINDING_MARKS_PER.max).optional(),
  })
  .strict()
  .refine(rangeOrdered, rangeMessage);

export const ChartFindingSchema = z.object({
  t: z.number(),
  timeframe: z.string(),
  rule: z.string(),
  severity: z.string(),
  message: z.string(),
  provider: z.string(),
  feed: z.string(),
});
export type ChartFinding = z.infer<typeof ChartFindingSchema>;
const Counts = z.array(z.number().int().min(0)).max(MAX_FINDING_MARKS);
/**
 * Every finding of the range counted, for the markers, in groups of `per` ms (floor(t / per) * per, UTC): columns of
 * the group's start and its findings by severity (info: any severity that is neither error nor warning).
 */
export const ChartFindingMarksSchema = z.object({ t: z.array(z.number()).max(MAX_FINDING_MARKS), error: Counts, warning: Counts, info: Counts });
export type ChartFindingMarks = z.infer<typeof ChartFindingMarksSchema>;
export const ChartFindingsSchema = z.object({
  /** the findings themselves (rule, message), the first MAX_FINDINGS of the range by time */
  findings: z.array(ChartFindingSchema).max(MAX_FINDINGS),
  /** more findings in the range than MAX_FINDINGS: the marks still count them all */
  truncated: z.boolean(),
  marks: ChartFindingMarksSchema,
  /** more groups than MAX_FINDING_MARKS: the marks end early */
  marksTruncated: z.boolean(),
  /** how many audit reports were read */
  reports: z.number().int(),
});
export type ChartFindings = z.infer<typeof ChartFindingsSchema>;

export const ChartSymbolsSchema = z.object({ symbols: z.array(z.string()).max(100_000) });

export const chartRequests = {
  /** Symbols the lake holds bars of (any source, any timeframe), for the chart's symbol picker. */
  'chart.symbols': { arg: z.object({}).strict(), result: ChartSymbolsSchema },
  /** The sources (provider/feed) holding a symbol, their timeframes and first/last bar. */
  'chart.extent': { arg: z.object({ symbol: SymbolSchema }).strict(), result: ChartExtentSchema },
  /** Bars of one source in [from, to), at most maxBars: a coarser timeframe (computed by DuckDB if not stored) when needed. */
  'chart.bars': { arg: ChartBarsArgSchema, result: ChartBarsSchema },
  /** NYSE sessions (regular and extended hours, early closes honoured) of the exchange days touching [from, to). */
  'chart.sessions': { arg: ChartSessionsArgSchema, result: ChartSessionsSchema },
  /** Validation findings of a symbol in [from, to), read from the recorded audit reports. */
  'chart.findings': { arg: ChartFindingsArgSchema, result: ChartFindingsSchema },
} as const;
