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
/** The page sizes the page offers (the engine takes any limit up to FINDINGS_PAGE_MAX). */
export const FINDINGS_PAGE_SIZES = [50, 100, 250, 500] as const;

const RuleIdSchema = z.string().regex(/^[a-z_]{1,64}$/, 'is not a rule id');

/** Columns a findings page sorts on; without one, the report's order. Ties keep the report's order. */
export const FINDINGS_SORT_COLUMNS = ['ts', 'symbol', 'timeframe', 'rule', 'severity', 'message', 'value'] as const;
export const FindingsSortSchema = z.enum(FINDINGS_SORT_COLUMNS);
export type FindingsSort = z.infer<typeof FindingsSortSchema>;

/** Acknowledged findings: hidden (the default), shown with the others, or only they. */
export const AckFilterSchema = z.enum(['hide', 'show', 'only']);
export type AckFilter = z.infer<typeof AckFilterSchema>;

/** Which findings of a run, in which order: shared by the page, the filtered export and its CSV chunks. */
const findingsQueryShape = {
  runId: RunIdSchema,
  symbol: SymbolSchema.optional(),
  rule: RuleIdSchema.optional(),
  severity: SeveritySchema.optional(),
  /** a piece of the message, case-insensitive (ASCII) */
  text: z.string().trim().max(200).optional(),
  acknowledged: AckFilterSchema.default('hide'),
  sort: FindingsSortSchema.optional(),
  dir: z.enum(['asc', 'desc']).default('asc'),
};
export const FindingsQuerySchema = z.object(findingsQueryShape).strict();
export type FindingsQuery = z.output<typeof FindingsQuerySchema>;
export type FindingsQueryInput = z.input<typeof FindingsQuerySchema>;

export const FindingsArgSchema = z
  .object({
    ...findingsQueryShape,
    offset: z.number().int().min(0).max(100_000_000).default(0),
    limit: z.number().int().min(1).max(FINDINGS_PAGE_MAX).default(100),
  })
  .strict();

export const AckKindSchema = z.enum(['finding', 'rule']);
export const AckNoteSchema = z.string().trim().min(1, 'write a note: why is this finding acceptable?').max(500);

/** An acknowledgement: one finding (its bar, rule and source) or a rule for a symbol (all its findings, in every run). */
export const AckSchema = z.object({
  id: z.number().int().positive(),
  kind: AckKindSchema,
  symbol: z.string(),
  rule: z.string(),
  note: z.string(),
  /** ISO 8601 UTC */
  createdAt: z.string(),
});
export type Ack = z.infer<typeof AckSchema>;

export const FindingSchema = z.object({
  /** the finding's place in its run's report (0-based): what acknowledging one finding names */
  seq: z.number().int().nonnegative(),
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
  ack: AckSchema.nullable(),
});
export type Finding = z.infer<typeof FindingSchema>;

/**
 * Counts of a run's findings for the filters above the table. Like a faceted search (Grafana's and Kibana's field
 * filters, DBeaver's value filter counts): each facet is counted under every other filter but its own, so the
 * alternatives stay visible (severity counts ignore the severity filter, rule counts the rule filter, the
 * acknowledged count the acknowledged toggle).
 */
export const FindingCountsSchema = z.object({
  bySeverity: z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() }),
  byRule: z.array(z.object({ rule: z.string(), count: z.number().int() })),
  acknowledged: z.number().int().nonnegative(),
});
export type FindingCounts = z.infer<typeof FindingCountsSchema>;

export const FindingsPageSchema = z.object({
  runId: z.string(),
  /** findings matching the filters, in the whole run */
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  rows: z.array(FindingSchema),
  counts: FindingCountsSchema,
});
export type FindingsPage = z.infer<typeof FindingsPageSchema>;

/** Rows of a filtered export per request (web mode fetches the CSV in pieces of this many rows). */
export const FINDINGS_CSV_ROWS_MAX = 5000;

export const FindingsCsvArgSchema = z
  .object({
    ...findingsQueryShape,
    offset: z.number().int().min(0).max(100_000_000).default(0),
    limit: z.number().int().min(1).max(FINDINGS_CSV_ROWS_MAX).default(FINDINGS_CSV_ROWS_MAX),
  })
  .strict();

export const FindingsCsvSchema = z.object({
  /** a name for the file, e.g. validation-…-<run>-filtered.csv */
  fileName: z.string(),
  /** CSV lines (CRLF), the header first when offset is 0 */
  csv: z.string(),
  rows: z.number().int().nonnegative(),
  /** rows matching the filters: what the page says */
  total: z.number().int().nonnegative(),
  done: z.boolean(),
});

export const AcknowledgeArgSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('finding'), runId: RunIdSchema, seq: z.number().int().min(0), note: AckNoteSchema }).strict(),
  z.object({ kind: z.literal('rule'), symbol: SymbolSchema, rule: RuleIdSchema, note: AckNoteSchema }).strict(),
]);
export type AcknowledgeArg = z.output<typeof AcknowledgeArgSchema>;

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
  /** One page of a run's findings, filtered and sorted, with counts by severity and rule (a run may hold 100k findings). */
  'validation.findings': { arg: FindingsArgSchema, result: FindingsPageSchema },
  /** The findings a page's filters select, as CSV, a piece at a time (web mode's filtered export). */
  'validation.findingsCsv': { arg: FindingsCsvArgSchema, result: FindingsCsvSchema },
  /** Acknowledges one finding, or a rule for a symbol (all its findings, later runs' too), with a note. */
  'validation.acknowledge': { arg: AcknowledgeArgSchema, result: AckSchema },
  /** Undoes an acknowledgement: its findings are shown again. */
  'validation.unacknowledge': { arg: z.object({ id: z.number().int().positive() }).strict(), result: AckSchema },
  /** Runs the rules now over a scope; answers when the run is recorded (validation.completed is emitted too). */
  'validation.run': { arg: ValidationRunArgSchema, result: ValidationRunSummarySchema },
  /** A chunk of a run's CSV report (web mode downloads it chunk by chunk over the socket). */
  'validation.report': { arg: ReportChunkArgSchema, result: ReportChunkSchema },
  /**
   * Desktop: saves a run's CSV where the user picks in a save dialog; saved false when cancelled. Without `filter`,
   * the audit report as written; with it, the findings it selects (acknowledgement columns at the end).
   */
  'validation.export': {
    arg: z.object({ runId: RunIdSchema, filter: FindingsQuerySchema.omit({ runId: true }).optional() }).strict(),
    result: z.object({ saved: z.boolean(), path: z.string().nullable(), rows: z.number().int().nonnegative().optional() }),
  },
} as const;

export const validationEvents = {
  /**
   * A validation or reconciliation run was recorded, whoever started it (page, CLI in this process, pipeline). A run
   * a job caused carries the job's id as correlationId and is part of that job's timeline.
   */
  'validation.completed': ValidationCompletedSchema,
} as const;
