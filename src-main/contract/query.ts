import { z } from 'zod';
import { DEFAULT_QUERY_TIMEOUT_S } from './queryDefaults';
import { CellSchema } from './schemas';

// The query domain (the Query page): results stay in the engine (materialized in the query DuckDB) and reach the UI in pages, so a
// million-row result never travels in one message.

/** Ids chosen by the client so it can cancel a query before `query.open` answers. */
export const QueryIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'queryId: 1-64 letters, digits, _ or -');
export const PAGE_LIMIT_MAX = 1000;
export { DEFAULT_QUERY_TIMEOUT_S };

export const ColumnSchema = z.object({ name: z.string(), type: z.string() });
export type Column = z.infer<typeof ColumnSchema>;

export const SortSchema = z
  .object({ column: z.string().min(1).max(512), dir: z.enum(['asc', 'desc']) })
  .strict();
export type Sort = z.infer<typeof SortSchema>;

export const PageSchema = z.object({
  offset: z.number().int().nonnegative(),
  rows: z.array(z.array(CellSchema)),
});
export type Page = z.infer<typeof PageSchema>;

/** A snapshot of the lake (every catalog commit is one): what `as of` reads. */
export const SnapshotSchema = z.object({
  id: z.number().int().positive(),
  /** ISO time of the commit (UTC) */
  at: z.string(),
  jobId: z.string().nullable(),
  /** write, compact, adopt, migrate */
  kind: z.string(),
});
export type SnapshotView = z.infer<typeof SnapshotSchema>;

/** A job id or an ISO time (UTC unless it has an offset), as `marketpipe query --as-of` takes it. */
export const AsOfSchema = z.string().trim().min(1, 'as of: empty').max(100, 'as of: at most 100 characters');

export const QueryOpenArgSchema = z
  .object({
    sql: z.string().min(1, 'SQL is empty').max(200_000),
    queryId: QueryIdSchema.optional(),
    /** rows of the first page sent with the answer */
    limit: z.number().int().min(0).max(PAGE_LIMIT_MAX).default(200),
    /** the query is stopped after this many seconds (the Settings page's "Query timeout"); 0: never */
    timeoutSeconds: z.number().int().min(0).max(86_400).default(DEFAULT_QUERY_TIMEOUT_S),
    /** read the lake as this snapshot left it (a job id or an ISO time); absent: the live lake */
    asOf: AsOfSchema.optional(),
  })
  .strict();

export const QueryOpenResultSchema = z.object({
  queryId: QueryIdSchema,
  columns: z.array(ColumnSchema),
  rowCount: z.number().int().nonnegative(),
  /** the engine's own time to answer: parse, run and materialize */
  elapsedMs: z.number().nonnegative(),
  first: PageSchema,
  /** the snapshot the result was read from, when `asOf` named one */
  snapshot: SnapshotSchema.optional(),
});
export type QueryOpenResult = z.infer<typeof QueryOpenResultSchema>;

export const QueryPageArgSchema = z
  .object({
    queryId: QueryIdSchema,
    offset: z.number().int().nonnegative(),
    limit: z.number().int().min(1).max(PAGE_LIMIT_MAX),
    /** the order the rows are numbered in; absent: the query's own order */
    sort: SortSchema.nullable().optional(),
  })
  .strict();

export const QuerySortResultSchema = z.object({ queryId: QueryIdSchema, sort: SortSchema.nullable(), elapsedMs: z.number().nonnegative(), first: PageSchema });

export const ExportFormatSchema = z.enum(['csv', 'parquet']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export const QueryExportResultSchema = z.discriminatedUnion('status', [
  /** desktop: written where the user chose in the save dialog */
  z.object({ status: z.literal('saved'), path: z.string(), bytes: z.number().int().nonnegative(), rows: z.number().int().nonnegative() }),
  /** web: ready to download once from `url` (same host, the session token added by the client) */
  z.object({ status: z.literal('download'), url: z.string(), filename: z.string(), bytes: z.number().int().nonnegative(), rows: z.number().int().nonnegative() }),
  /** the user closed the save dialog */
  z.object({ status: z.literal('cancelled') }),
]);
export type QueryExportResult = z.infer<typeof QueryExportResultSchema>;

export const HistoryEntrySchema = z.object({
  id: z.number().int(),
  sql: z.string(),
  ranAt: z.string(),
  rowCount: z.number().int().nullable(),
  elapsedMs: z.number().nullable(),
  errorCode: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const SavedQuerySchema = z.object({ id: z.number().int(), name: z.string(), sql: z.string(), createdAt: z.string(), updatedAt: z.string() });
export type SavedQuery = z.infer<typeof SavedQuerySchema>;

export const SavedNameSchema = z.string().trim().min(1, 'name is empty').max(120);

export const SchemaViewSchema = z.object({ name: z.string(), columns: z.array(ColumnSchema) });
export type SchemaView = z.infer<typeof SchemaViewSchema>;

export const queryRequests = {
  /** Runs a read-only statement and keeps its result engine-side; answers with the first page. */
  'query.open': { arg: QueryOpenArgSchema, result: QueryOpenResultSchema },
  /** Rows [offset, offset+limit) of an open result, in the given sort. */
  'query.page': { arg: QueryPageArgSchema, result: PageSchema },
  /** Orders an open result (re-run ordered engine-side) and answers with its first page. */
  'query.sort': {
    arg: z.object({ queryId: QueryIdSchema, sort: SortSchema.nullable(), limit: z.number().int().min(0).max(PAGE_LIMIT_MAX).default(200) }).strict(),
    result: QuerySortResultSchema,
  },
  /** Stops a running query (DuckDB interrupt; its process ended if that is not enough, within 2 s); false when none was running under that id. */
  'query.cancel': { arg: z.object({ queryId: QueryIdSchema }).strict(), result: z.object({ cancelled: z.boolean() }) },
  /** Frees an open result. */
  'query.close': { arg: z.object({ queryId: QueryIdSchema }).strict(), result: z.object({ closed: z.boolean() }) },
  /** Writes an open result (in its current sort) as CSV or Parquet: a save dialog on the desktop, a download on the web. */
  'query.export': { arg: z.object({ queryId: QueryIdSchema, format: ExportFormatSchema }).strict(), result: QueryExportResultSchema },
  /** The lake's readable snapshots, newest first (a job by its last commit), and the oldest one still retained. */
  'query.snapshots': {
    arg: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    result: z.object({ snapshots: z.array(SnapshotSchema), oldest: SnapshotSchema }),
  },
  /** The views a query can read and their columns. */
  'query.schema': { arg: z.object({}).strict(), result: z.array(SchemaViewSchema) },
  'query.history': { arg: z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(), result: z.array(HistoryEntrySchema) },
  'query.history.clear': { arg: z.object({}).strict(), result: z.object({ cleared: z.number().int().nonnegative() }) },
  'query.saved.list': { arg: z.object({}).strict(), result: z.array(SavedQuerySchema) },
  /** Saves under a name; the same name (any case) replaces that query's SQL. */
  'query.saved.save': { arg: z.object({ name: SavedNameSchema, sql: z.string().min(1, 'SQL is empty').max(200_000) }).strict(), result: SavedQuerySchema },
  'query.saved.delete': { arg: z.object({ id: z.number().int().positive() }).strict(), result: z.object({ deleted: z.boolean() }) },
} as const;
