import { z } from 'zod';
import { TIMEFRAMES } from '../../src-common/timeframes';
import { RULE_IDS, SEVERITIES, ThresholdsSchema } from './rules';
import { ScopeSchema } from './scope';

// The validate worker's protocol (validateWorker.ts serves it, judgeWorkers.ts asks): a run's input (judge.ts
// JudgeInput) and its counts, checked with zod on both sides of the thread boundary.

const KeySchema = z.object({ timeframe: z.enum(TIMEFRAMES), provider: z.string().min(1), feed: z.string().min(1), symbol: z.string().min(1) }).strict();
/** NaN crosses a thread as NaN (structured clone): a dropped copy's missing price is one */
const num = z.union([z.number(), z.nan()]);
const ValuesSchema = z.object({ open: num, high: num, low: num, close: num, volume: num, tradeCount: num.nullable(), vwap: num.nullable() }).strict();

export const JudgeInputSchema = z
  .object({
    tempDir: z.string().min(1).nullable(),
    scope: ScopeSchema,
    thresholds: ThresholdsSchema,
    now: z.number().finite(),
    reportFile: z.string().min(1),
    jobId: z.string().min(1).nullable(),
    sources: z.array(KeySchema.extend({ files: z.array(KeySchema.extend({ year: z.number().int(), file: z.string().min(1) }).strict()) }).strict()),
    maxBatchRows: z.number().int().positive().nullable(),
    deliveredDuplicates: z.array(
      z
        .object({
          provider: z.string(),
          feed: z.string(),
          timeframe: z.string(),
          symbol: z.string(),
          jobId: z.string(),
          ts: z.number(),
          copy: z.number().int(),
          kept: ValuesSchema,
          dropped: ValuesSchema,
          conflict: z.boolean(),
        })
        .strict(),
    ),
  })
  .strict();

const count = z.number().int().nonnegative();
const BySeveritySchema = z.record(z.enum(SEVERITIES), count);

export const JudgeOutputSchema = z
  .object({
    barsChecked: count,
    findings: z.record(z.enum(RULE_IDS), BySeveritySchema),
    bySeverity: BySeveritySchema,
    totalFindings: count,
    providers: z.array(z.string()),
    feeds: z.array(z.string()),
  })
  .strict();

export const JUDGE_TASKS = {
  /** one validation run: its own DuckDB, opened, used and closed inside the task (nothing stays open between runs) */
  'validate.judge': { arg: JudgeInputSchema, result: JudgeOutputSchema },
} as const;
