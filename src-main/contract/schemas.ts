import { z } from 'zod';
import { ERROR_CODES } from '../shared/errors';
import { SYMBOL_RE, badSymbols, notSymbolsMessage } from '../../src-common/symbols';

// Shared value schemas. This file is imported by the renderer too: keep it free of Node imports.

export const TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'] as const;
export const TimeframeSchema = z.enum(TIMEFRAMES);
export type Timeframe = z.infer<typeof TimeframeSchema>;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
export function isRealDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2200) return false;
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** An exchange-local calendar date, YYYY-MM-DD, that exists. */
export const IsoDateSchema = z
  .string()
  .trim()
  .refine((s) => DATE_RE.test(s), { message: 'must be a date as YYYY-MM-DD' })
  .refine((s) => !DATE_RE.test(s) || isRealDate(s), { message: 'is not a real calendar date' });

export { SYMBOL_RE };
/** Letters, digits, '.', '-', up to 15 characters; normalised to upper case. */
export const SymbolSchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((s) => SYMBOL_RE.test(s), {
    error: (iss) => notSymbolsMessage([String(iss.input)]),
  });

/** A list of symbols: every bad entry named in one message (not only the first), at most `max` entries. */
export function symbolListSchema(max: number) {
  return z
    .array(z.string())
    .max(max)
    .superRefine((list, ctx) => {
      const bad = badSymbols(list);
      if (bad.length > 0) ctx.addIssue({ code: 'custom', message: notSymbolsMessage(bad) });
    })
    .transform((list) => list.map((s) => s.trim().toUpperCase()));
}

export const ErrorValueSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;
/** The stage a job has still to do: fetch (bars), validate (audit report), aggregate (coarser timeframes), done. */
export const JOB_STAGES = ['fetch', 'validate', 'aggregate', 'done'] as const;
export const JobStageSchema = z.enum(JOB_STAGES);
export type JobStage = z.infer<typeof JobStageSchema>;

/**
 * Where every row a job received went (issue "no row is dropped silently"): received = stored + duplicates +
 * outsideSessions + alreadyInLake + future + refused.
 */
export const JobAccountingSchema = z.object({
  /** rows the source held for the job's symbols and range (csv), or rows the provider delivered (network) */
  received: z.number().int().nonnegative(),
  /** rows written to the lake */
  stored: z.number().int().nonnegative(),
  /** repeated timestamps dropped (one copy of each is stored); recorded for validation's duplicate_bar */
  duplicates: z.number().int().nonnegative(),
  /** not stored: on a day without a trading session that no unit of the job covers (weekend, holiday) */
  outsideSessions: z.number().int().nonnegative(),
  /** not fetched again: their sessions are in the lake already (--force fetches them) */
  alreadyInLake: z.number().int().nonnegative(),
  /** not stored: after the last closed session */
  future: z.number().int().nonnegative(),
  /** delivered but not stored because their unit failed or was cancelled (a resume fetches them again) */
  refused: z.number().int().nonnegative(),
  /** duplicates beyond the per-job cap of recorded detail: counted here, not listed as findings */
  duplicatesUnrecorded: z.number().int().nonnegative(),
});
export type JobAccounting = z.infer<typeof JobAccountingSchema>;

export const JobSchema = z.object({
  id: z.string(),
  kind: z.literal('ingest'),
  status: JobStatusSchema,
  /** the stage that remains (failed or cancelled: the stage that did not finish); succeeded only with 'done' */
  stage: JobStageSchema.default('done'),
  provider: z.string(),
  feed: z.string(),
  timeframe: TimeframeSchema,
  symbols: z.array(z.string()),
  start: z.string(),
  end: z.string(),
  /** 0-100 */
  progress: z.number().min(0).max(100),
  rowsWritten: z.number().int().nonnegative(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: ErrorValueSchema.nullable(),
  /** where the rows it received went; null (or absent) for jobs recorded before it was kept */
  accounting: JobAccountingSchema.nullable().optional(),
});
export type Job = z.infer<typeof JobSchema>;

export const ADJUSTMENTS = ['raw', 'split', 'dividend', 'all'] as const;
export const AdjustmentSchema = z.enum(ADJUSTMENTS);
export type Adjustment = z.infer<typeof AdjustmentSchema>;

export const UniverseNameSchema = z.string().trim().min(1, 'give a universe name').max(64);

export const IngestArgSchema = z
  .object({
    provider: z.string().trim().min(1, 'provider is required'),
    symbols: symbolListSchema(10_000).default([]),
    /** exchange-local dates, inclusive; a provider that can tell the range itself (csv) may go without */
    start: IsoDateSchema.optional(),
    end: IsoDateSchema.optional(),
    /** default 1m; the csv provider infers it from the spacing of the timestamps when not given */
    timeframe: TimeframeSchema.optional(),
    feed: z.string().trim().min(1).max(32).optional(),
    workers: z.number().int().min(1).max(32).default(4),
    batchSize: z.number().int().min(1).max(100_000).optional(),
    /** csv: a file or a folder of files */
    source: z.string().trim().min(1).max(4096).optional(),
    /** csv: the zone of timestamps that carry no offset (IANA name) */
    tz: z.string().trim().min(1).max(64).optional(),
    /** ingest this universe's symbols (with or instead of symbols) */
    universe: UniverseNameSchema.optional(),
    /** bring the symbols up to date: end = the last closed session, start = the day after each one's last covered session */
    update: z.boolean().default(false),
    /** fetch every session again, even those already in the lake */
    force: z.boolean().default(false),
    /** price adjustment asked of the provider; anything but raw is stored as its own source (feed "<feed>-<adjustment>") */
    adjustment: AdjustmentSchema.default('raw'),
    /** after the job: validate what it wrote, then rebuild coarser timeframes (the pipeline); false skips both */
    pipeline: z.boolean().default(true),
  })
  .refine((a) => !a.start || !a.end || a.start <= a.end, { message: 'start is after end', path: ['start'] })
  .refine((a) => !(a.update && a.end), { message: '--update brings data up to the last closed session: drop --end', path: ['end'] });
export type IngestArg = z.infer<typeof IngestArgSchema>;
export type IngestArgInput = z.input<typeof IngestArgSchema>;

export const JobTaskSchema = z.object({
  symbol: z.string(),
  year: z.number().int(),
  start: z.string(),
  end: z.string(),
  days: z.number().int().nonnegative(),
  status: z.enum(['pending', 'done']),
  rows: z.number().int().nonnegative(),
});
export type JobTask = z.infer<typeof JobTaskSchema>;

export const UniverseSchema = z.object({
  name: z.string(),
  exchange: z.string().nullable(),
  assetClass: z.string().nullable(),
  tags: z.array(z.string()),
  version: z.number().int(),
  symbols: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** a dynamic universe's rule (see universe/rule.ts); refreshing sets the members to what it matches */
  rule: z.string().nullable().optional(),
});
export type Universe = z.infer<typeof UniverseSchema>;

/** Scheduled updates: after each session's close, bring a universe up to date (catching up missed days). */
export const ScheduleSchema = z
  .object({
    enabled: z.boolean(),
    universe: UniverseNameSchema.nullable(),
    provider: z.string().trim().min(1).max(32),
    feed: z.string().trim().min(1).max(32).nullable(),
    timeframe: TimeframeSchema,
    /** first session for symbols never ingested (default: 30 days before the session being caught up) */
    since: IsoDateSchema.nullable().default(null),
    /** exchange-local time of day to run, HH:MM (after the 20:00 end of extended hours by default) */
    at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h, New York time)'),
  })
  .refine((s) => !s.enabled || s.universe !== null, { message: 'choose a universe to update', path: ['universe'] });
export type Schedule = z.infer<typeof ScheduleSchema>;

export const ScheduleStatusSchema = z.object({
  schedule: ScheduleSchema,
  /** whether this host runs schedules (desktop app and serve do; the CLI does not) */
  active: z.boolean(),
  lastRunSession: z.string().nullable(),
  lastJobId: z.string().nullable(),
  lastError: z.string().nullable(),
  /** next run, ISO 8601 UTC; null when disabled */
  nextRunAt: z.string().nullable(),
});
export type ScheduleStatus = z.infer<typeof ScheduleStatusSchema>;

export const CredentialStatusSchema = z.object({
  provider: z.string(),
  name: z.string(),
  /** where the value comes from; never the value itself */
  source: z.enum(['env', 'stored', 'missing']),
});
export type CredentialStatus = z.infer<typeof CredentialStatusSchema>;

/** What the Metrics page charts, about once a second (rates over the last second; latency over the last window). */
export const MetricsLiveSchema = z.object({
  at: z.string(),
  rowsPerSecond: z.number().nonnegative(),
  /** by provider */
  requestsPerSecond: z.record(z.string(), z.number().nonnegative()),
  errorsPerSecond: z.record(z.string(), z.number().nonnegative()),
  /** request latency percentiles in seconds over the last few seconds; null without requests */
  latency: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }),
  rateLimitWaitsPerSecond: z.number().nonnegative(),
  /** validation findings recorded in the last second */
  validationFindings: z.number().nonnegative(),
  eventLoopLagSeconds: z.number().nonnegative(),
  jobsInFlight: z.number().nonnegative(),
});
export type MetricsLive = z.infer<typeof MetricsLiveSchema>;

export const MetricsHistoryArgSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'not a metric name').max(200),
    /** how far back: 30m, 24h, 7d */
    since: z.string().regex(/^\d+[smhd]$/, 'a duration like 30m, 24h, 7d').default('1h'),
    /** averages per bucket (e.g. 1m) instead of raw samples */
    avg: z.string().regex(/^\d+[smhd]$/, 'a duration like 1m, 1h').optional(),
  })
  .strict();

export const MetricsHistorySchema = z.object({ name: z.string(), points: z.array(z.object({ ts: z.string(), value: z.number() })) });
export type MetricsHistory = z.infer<typeof MetricsHistorySchema>;

/** One symbol's data at a glance (for the Universe page): what the lake holds of it, by coverage records. */
export const SymbolCoverageSchema = z.object({
  symbol: z.string(),
  /** the source counted: provider/feed/timeframe with the most sessions for this symbol, or null without data */
  provider: z.string().nullable(),
  feed: z.string().nullable(),
  timeframe: z.string().nullable(),
  firstSession: z.string().nullable(),
  lastSession: z.string().nullable(),
  sessions: z.number().int().nonnegative(),
  /** trading sessions between first and last that are not in the lake */
  missingSessions: z.number().int().nonnegative(),
  /** sessions from the last one held up to the last closed session */
  behindSessions: z.number().int().nonnegative(),
});
export type SymbolCoverage = z.infer<typeof SymbolCoverageSchema>;

export const ProviderInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  feeds: z.array(z.string()),
  defaultFeed: z.string(),
  timeframes: z.array(TimeframeSchema),
  /** price adjustments the provider can apply (raw: none) */
  adjustments: z.array(AdjustmentSchema).default(['raw']),
  needs: z.array(z.string()),
  configured: z.boolean(),
});
export type ProviderInfo = z.infer<typeof ProviderInfoSchema>;

export const AppInfoSchema = z.object({
  version: z.string(),
  dataDir: z.string(),
  host: z.enum(['electron', 'serve', 'cli', 'test']),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** A result cell as JSON: numbers stay numbers when exact, big integers and decimals become strings, timestamps ISO 8601. */
export const CellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Cell = z.infer<typeof CellSchema>;

export const QueryArgSchema = z.object({
  sql: z.string().min(1, 'SQL is empty').max(200_000),
  maxRows: z.number().int().min(1).max(100_000).default(10_000),
  timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
});
export type QueryArg = z.infer<typeof QueryArgSchema>;

export const QueryResultSchema = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  rows: z.array(z.array(CellSchema)),
  /** rows returned (at most maxRows) */
  rowCount: z.number().int().nonnegative(),
  truncated: z.boolean(),
  elapsedMs: z.number().nonnegative(),
});
export type QueryResult = z.infer<typeof QueryResultSchema>;

/**
 * Which bars a validation or aggregation pass reads. Dates are exchange-local (New York), both inclusive. Shared by the
 * validate and aggregate domains (aggregation reads 1m bars, so it takes no timeframe).
 */
export const ScopeObjectSchema = z
  .object({
    symbols: symbolListSchema(100_000).optional(),
    start: IsoDateSchema.optional(),
    end: IsoDateSchema.optional(),
    provider: z.string().trim().min(1).max(32).optional(),
    feed: z.string().trim().min(1).max(32).optional(),
    timeframe: TimeframeSchema.optional(),
  })
  .strict();

/** start on or before end */
export function withOrderedDates<T extends z.ZodType<{ start?: string; end?: string }>>(schema: T) {
  return schema.refine((s) => !s.start || !s.end || s.start <= s.end, { message: 'start is after end', path: ['start'] });
}
