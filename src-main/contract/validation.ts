import { z } from 'zod';
import { IsoDateSchema, SymbolSchema, TimeframeSchema, symbolListSchema } from './schemas';

// Schemas of the Validation page and of reconciliation (requests validation.*, reconcile.run; event
// validation.completed). Shared with the renderer: no Node imports.

export const SEVERITY_VALUES = ['error', 'warning', 'info'] as const;
export const SeveritySchema = z.enum(SEVERITY_VALUES);

/** Run ids are ours (8 hex characters); the pattern keeps anything else from reaching a query or a path. */
export const RunIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a run id');

/** A lake folder name of a provider or feed: letters, digits, '_', '.', '-' (never a path). */
const SOURCE_PART = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

/** `provider` or `provider:feed`, as --sources and MP_SOURCE_PRECEDENCE write them. */
export const SourceSpecSchema = z
  .string()
  .trim()
  .refine((s) => {
    const [p, f, ...rest] = s.split(':');
    return rest.length === 0 && p !== undefined && SOURCE_PART.test(p) && (f === undefined || SOURCE_PART.test(f));
  }, { error: (iss) => `"${String(iss.input)}" is not a source (provider or provider:feed)` })
  .transform((s) => {
    const [provider, feed] = s.split(':');
    return { provider: provider!, feed: feed ?? null };
  });
export type SourceSpec = z.output<typeof SourceSpecSchema>;

export const RunKindSchema = z.enum(['validation', 'reconcile']);
export type RunKind = z.infer<typeof RunKindSchema>;

/** One run as the page lists it: what was judged, against which calendar, and how much was found. */
export const ValidationRunSummarySchema = z.object({
  id: z.string(),
  kind: RunKindSchema,
  createdAt: z.string(),
  jobId: z.string().nullable(),
  symbols: z.array(z.string()).nullable(),
  start: z.string().nullable(),
  end: z.string().nullable(),
  timeframe: z.string().nullable(),
  /** comma-separated providers / feeds judged (both sources for a reconciliation) */
  provider: z.string().nullable(),
  feed: z.string().nullable(),
  /** reconciliation: the two sources compared, as given (`provider:feed`) */
  sources: z.array(z.string()).nullable(),
  calendarVersion: z.string(),
  series: z.number().int(),
  barsChecked: z.number().int(),
  findingsTotal: z.number().int(),
  bySeverity: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
  /** rules with at least one finding, for the Rule filter */
  rules: z.array(z.string()),
  /** the CSV's file name (the full path stays on the engine's machine) */
  reportName: z.string(),
  elapsedMs: z.number().int(),
});
export type ValidationRunSummary = z.infer<typeof ValidationRunSummarySchema>;

export const FINDINGS_PAGE_MAX = 500;

export const FindingsArgSchema = z
  .object({
    runId: RunIdSchema,
    symbol: SymbolSchema.optional(),
    rule: z.string().regex(/^[a-z_]{1,64}$/, 'is not a rule id').optional(),
    severity: SeveritySchema.optional(),
    offset: z.number().int().min(0).max(100_000_000).default(0),
    limit: z.number().int().min(1).max(FINDINGS_PAGE_MAX).default(100),
  })
  .strict();

export const FindingSchema = z.object({
  symbol: z.string(),
  timeframe: z.string(),
  /** ISO 8601 UTC */
  ts: z.string(),
  rule: z.string(),
  severity: z.string(),
  message: z.string(),
  provider: z.string().nullable(),
  feed: z.string().nullable(),
  value: z.number().nullable(),
  observed: z.string().nullable(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const FindingsPageSchema = z.object({
  runId: z.string(),
  /** findings matching the filters, in the whole run */
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  rows: z.array(FindingSchema),
});
export type FindingsPage = z.infer<typeof FindingsPageSchema>;

export const ValidationRunArgSchema = z
  .object({
    symbols: symbolListSchema(10_000).optional(),
    start: IsoDateSchema.optional(),
    end: IsoDateSchema.optional(),
    provider: z.string().trim().min(1).max(32).optional(),
    feed: z.string().trim().min(1).max(32).optional(),
    timeframe: TimeframeSchema.optional(),
  })
  .strict()
  .refine((s) => !s.start || !s.end || s.start <= s.end, { message: 'start is after end', path: ['start'] });

/** A report is fetched in chunks small enough for one WebSocket message (base64 of at most 256 KiB). */
export const REPORT_CHUNK_MAX = 256 * 1024;

export const ReportChunkArgSchema = z
  .object({
    runId: RunIdSchema,
    offset: z.number().int().min(0).default(0),
    length: z.number().int().min(1).max(REPORT_CHUNK_MAX).default(REPORT_CHUNK_MAX),
  })
  .strict();

export const ReportChunkSchema = z.object({
  fileName: z.string(),
  /** bytes in the whole file */
  size: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  /** base64 of the bytes from offset: a chunk boundary may split a UTF-8 character */
  data: z.string(),
  done: z.boolean(),
});
export type ReportChunk = z.infer<typeof ReportChunkSchema>;

export const DEFAULT_PRICE_TOLERANCE = 0.001;
export const DEFAULT_VOLUME_TOLERANCE = 0.05;

export const ReconcileArgSchema = z
  .object({
    symbols: symbolListSchema(10_000).optional(),
    start: IsoDateSchema,
    end: IsoDateSchema,
    sources: z.array(SourceSpecSchema).length(2, 'give exactly two sources, e.g. alpaca:sip,polygon'),
    timeframe: TimeframeSchema.default('1m'),
    /** relative: |a - b| / max(|a|, |b|) above it is a mismatch */
    priceTolerance: z.number().min(0).max(1).default(DEFAULT_PRICE_TOLERANCE),
    volumeTolerance: z.number().min(0).max(1).default(DEFAULT_VOLUME_TOLERANCE),
  })
  .strict()
  .refine((s) => s.start <= s.end, { message: 'start is after end', path: ['start'] })
  .refine((s) => !(s.sources[0]?.provider === s.sources[1]?.provider && s.sources[0]?.feed === s.sources[1]?.feed), {
    message: 'the two sources are the same',
    path: ['sources'],
  });
export type ReconcileArg = z.output<typeof ReconcileArgSchema>;
export type ReconcileArgInput = z.input<typeof ReconcileArgSchema>;

export const ValidationCompletedSchema = z.object({
  runId: z.string(),
  kind: RunKindSchema,
  jobId: z.string().nullable(),
  findings: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  /** a validation run's info findings, bars read and duration (a reconciliation tells only the counts above) */
  infos: z.number().int().nonnegative().optional(),
  barsChecked: z.number().int().nonnegative().optional(),
  durationMs: z.number().int().nonnegative().optional(),
});

export const validationRequests = {
  /** Validation and reconciliation runs, newest first. */
  'validation.runs': { arg: z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(), result: z.array(ValidationRunSummarySchema) },
  /** One page of a run's findings, filtered, read from its CSV report by DuckDB (a run may hold 100k findings). */
  'validation.findings': { arg: FindingsArgSchema, result: FindingsPageSchema },
  /** Runs the rules now over a scope; answers when the run is recorded (validation.completed is emitted too). */
  'validation.run': { arg: ValidationRunArgSchema, result: ValidationRunSummarySchema },
  /** A chunk of a run's CSV report (web mode downloads it chunk by chunk over the socket). */
  'validation.report': { arg: ReportChunkArgSchema, result: ReportChunkSchema },
  /** Desktop: saves a run's CSV report where the user picks in a save dialog; saved false when cancelled. */
  'validation.export': { arg: z.object({ runId: RunIdSchema }).strict(), result: z.object({ saved: z.boolean(), path: z.string().nullable() }) },
} as const;

export const validationEvents = {
  /**
   * A validation or reconciliation run was recorded, whoever started it (page, CLI in this process, pipeline). A run
   * a job caused carries the job's id as correlationId and is part of that job's timeline.
   */
  'validation.completed': ValidationCompletedSchema,
} as const;
