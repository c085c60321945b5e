import { z } from 'zod';
import { ScopeObjectSchema, TimeframeSchema, withOrderedDates, type Timeframe } from './schemas';

// The aggregate domain: coarser timeframes built from the lake's 1m bars.

export const AGGREGATE_TIMEFRAMES = ['5m', '15m', '30m', '1h', '1d'] as const satisfies readonly Timeframe[];

/** Which 1m bars to aggregate. Dates are exchange-local (New York), both inclusive. */
export const AggregateScopeSchema = withOrderedDates(ScopeObjectSchema.omit({ timeframe: true }));

export const AggregateArgSchema = z.object({
  timeframes: z.array(TimeframeSchema.exclude(['1m'])).min(1).default([...AGGREGATE_TIMEFRAMES]),
  scope: AggregateScopeSchema.default({}),
});
export type AggregateArg = z.infer<typeof AggregateArgSchema>;
export type AggregateArgInput = z.input<typeof AggregateArgSchema>;

export const AggregateResultSchema = z.object({
  /** 1m source partitions read */
  sourcePartitions: z.number().int().nonnegative(),
  /** output partitions written (files) */
  partitions: z.number().int().nonnegative(),
  /** rows written per timeframe (new aggregates, before merging with rows outside the scope's range) */
  rows: z.partialRecord(TimeframeSchema, z.number().int().nonnegative()),
  elapsedMs: z.number().nonnegative(),
});
export type AggregateResult = z.infer<typeof AggregateResultSchema>;

export const AggregationCompletedSchema = z.object({
  jobId: z.string(),
  timeframes: z.array(TimeframeSchema),
  partitions: z.number().int().nonnegative(),
  rowsWritten: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative(),
});

export const aggregateRequests = {
  /** Builds coarser timeframes from the lake's 1m bars, published into the lake. */
  'aggregate.run': { arg: AggregateArgSchema, result: AggregateResultSchema },
} as const;

export const aggregateEvents = {
  /** Coarser timeframes were rebuilt from a job's 1m bars (pipeline). */
  'aggregate.completed': AggregationCompletedSchema,
} as const;
