import { z } from 'zod';
import { ERROR_CODES } from '../shared/errors';
import { CellSchema, QueryResultSchema } from '../contract/schemas';
import { ColumnSchema, ExportFormatSchema, PageSchema, QueryIdSchema, SchemaViewSchema, SortSchema } from '../contract/query';

// The messages between the engine and its query process (query/host.ts), which owns the query DuckDB so that a query
// the engine must stop (past its timeout, cancelled, or over the memory ceiling) can be stopped for certain: by ending
// that process. Both sides parse what they receive.

/** What the query process is started with (in its environment, as JSON). */
export const HostConfigSchema = z.object({
  barsRoot: z.string(),
  precedence: z.array(z.string()),
  exportDir: z.string().optional(),
  /** the root of the spill folders; the process spills into `<root>/<its pid>` */
  spillRoot: z.string(),
  /** DuckDB's memory_limit, e.g. "1228MB" */
  memoryLimit: z.string(),
  /** DuckDB's max_temp_directory_size */
  maxSpill: z.string(),
});
export type HostConfig = z.infer<typeof HostConfigSchema>;
export const HOST_CONFIG_ENV = 'MP_QUERY_HOST_CONFIG';

export const CallSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('run'), sql: z.string(), maxRows: z.number().int().positive() }),
  /** files: a snapshot's exact file list (`query --as-of`) instead of the live lake */
  z.object({ op: z.literal('stream'), sql: z.string(), files: z.array(z.string()).optional() }),
  /** files: as for stream (the Query page's "as of") */
  z.object({ op: z.literal('open'), sql: z.string(), queryId: QueryIdSchema, files: z.array(z.string()).optional() }),
  z.object({ op: z.literal('page'), queryId: QueryIdSchema, offset: z.number().int().nonnegative(), limit: z.number().int().nonnegative(), sort: SortSchema.nullable().optional() }),
  z.object({ op: z.literal('sort'), queryId: QueryIdSchema, sort: SortSchema.nullable() }),
  z.object({ op: z.literal('close'), queryId: QueryIdSchema }),
  z.object({ op: z.literal('export'), queryId: QueryIdSchema, format: ExportFormatSchema, file: z.string() }),
  z.object({ op: z.literal('stats') }),
  z.object({ op: z.literal('schema') }),
]);
export type Call = z.infer<typeof CallSchema>;
export type Op = Call['op'];

export const ToHostSchema = z.discriminatedUnion('t', [
  /** the lake files the views read (sent when they change, before the call that needs them) */
  z.object({ t: z.literal('files'), files: z.array(z.string()), oneSchema: z.boolean() }),
  z.object({ t: z.literal('call'), id: z.number().int(), call: CallSchema }),
  /** stop the call's statement (DuckDB interrupt); the engine ends the process if that is not enough */
  z.object({ t: z.literal('interrupt'), id: z.number().int() }),
  /** a streamed chunk was consumed: send the next */
  z.object({ t: z.literal('ack'), id: z.number().int() }),
]);
export type ToHost = z.infer<typeof ToHostSchema>;

const ErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

export const FromHostSchema = z.discriminatedUnion('t', [
  /** a call's answer: its value, or its error */
  z.object({ t: z.literal('reply'), id: z.number().int(), value: z.unknown().optional(), error: ErrorSchema.optional() }),
  z.object({ t: z.literal('columns'), id: z.number().int(), columns: z.array(ColumnSchema) }),
  z.object({ t: z.literal('rows'), id: z.number().int(), rows: z.array(z.array(CellSchema)) }),
  /** the process's resident memory, sent a few times a second (the engine also reads /proc where there is one) */
  z.object({ t: z.literal('rss'), bytes: z.number().nonnegative() }),
]);
export type FromHost = z.infer<typeof FromHostSchema>;

const OpenedSchema = z.object({ queryId: QueryIdSchema, columns: z.array(ColumnSchema), rowCount: z.number().int().nonnegative(), elapsedMs: z.number().nonnegative() });

/** What each call answers with. */
export const RESULTS = {
  run: QueryResultSchema,
  stream: z.object({ rowCount: z.number().int().nonnegative(), elapsedMs: z.number().nonnegative() }),
  open: OpenedSchema,
  page: PageSchema,
  sort: z.null(),
  close: z.boolean(),
  export: z.object({ rows: z.number().int().nonnegative() }),
  stats: z.object({ open: z.number().int(), tables: z.number().int(), memoryBytes: z.number() }),
  schema: z.array(SchemaViewSchema),
} as const satisfies Record<Op, z.ZodType>;
export type ResultOf<O extends Op> = z.output<(typeof RESULTS)[O]>;
