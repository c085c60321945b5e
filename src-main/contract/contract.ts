import { z } from 'zod';
import {
  AppInfoSchema,
  IngestArgSchema,
  JobSchema,
  JobTaskSchema,
  ProviderInfoSchema,
  QueryArgSchema,
  QueryResultSchema,
  UniverseNameSchema,
  UniverseSchema,
  ScheduleSchema,
  ScheduleStatusSchema,
  CredentialStatusSchema,
  MetricsLiveSchema,
  SymbolCoverageSchema,
  MetricsHistoryArgSchema,
  MetricsHistorySchema,
} from './schemas';
import {
  FindingsArgSchema,
  FindingsPageSchema,
  ReconcileArgSchema,
  ReportChunkArgSchema,
  ReportChunkSchema,
  RunIdSchema,
  ValidationCompletedSchema,
  ValidationRunArgSchema,
  ValidationRunSummarySchema,
} from './validation';
import { workbenchRequests } from './workbench';
import { appEvents, appRequests } from './app';
import { SymbolSchema } from './schemas';
import { ChartBarsArgSchema, ChartBarsSchema, ChartExtentSchema, ChartFindingsArgSchema, ChartFindingsSchema, ChartSessionsArgSchema, ChartSessionsSchema, ChartSymbolsSchema } from './chart';

// The one contract between the engine and every client (renderer over IPC or WebSocket, CLI in-process, tests).
// Requests: name -> { arg, result } schemas. Events: name -> payload schema. Both validated at runtime at the boundary.

import { AggregationCompletedSchema, IngestionJobCompletedSchema, JobTimelineSchema, PipelineStageFailedSchema, PipelineStageSkippedSchema, PipelineValidationCompletedSchema } from './pipeline';

const Empty = z.object({}).strict();
const JobRef = z.object({ jobId: z.string().min(1).max(100) }).strict();

export const requests = {
  'app.info': { arg: Empty, result: AppInfoSchema },
  'providers.list': { arg: Empty, result: z.array(ProviderInfoSchema) },
  'ingest.start': { arg: IngestArgSchema, result: z.object({ jobId: z.string() }) },
  'ingest.cancel': { arg: JobRef, result: z.object({ cancelled: z.boolean() }) },
  /** Runs the pending units of a failed, cancelled or interrupted job again, under the same job id. */
  'ingest.resume': { arg: JobRef, result: z.object({ jobId: z.string() }) },
  'jobs.list': {
    arg: z.object({ limit: z.number().int().min(1).max(1000).default(50) }).strict(),
    result: z.array(JobSchema),
  },
  'jobs.get': { arg: JobRef, result: JobSchema },
  /** A job's units of work (symbol x year) and their state: per-symbol status. */
  'jobs.tasks': { arg: JobRef, result: z.array(JobTaskSchema) },
  'query.run': { arg: QueryArgSchema, result: QueryResultSchema },
  'schedule.get': { arg: Empty, result: ScheduleStatusSchema },
  'schedule.set': { arg: ScheduleSchema, result: ScheduleStatusSchema },
  /** Which credentials each provider has, and from where; values never leave the engine. */
  'credentials.status': { arg: Empty, result: z.array(CredentialStatusSchema) },
  /** Stores a credential in the host's secret store (desktop: OS keychain through safeStorage); null clears it. */
  'credentials.set': {
    arg: z.object({ name: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/), value: z.string().min(1).max(4096).nullable() }).strict(),
    result: z.array(CredentialStatusSchema),
  },
  /** Recorded samples of one metric (summed over label sets and processes), for charts opened with history. */
  'metrics.history': { arg: MetricsHistoryArgSchema, result: MetricsHistorySchema },
  'universe.list': { arg: Empty, result: z.array(UniverseSchema) },
  'universe.get': { arg: z.object({ name: UniverseNameSchema }).strict(), result: UniverseSchema },
  'universe.create': {
    arg: z
      .object({
        name: UniverseNameSchema,
        symbols: z.array(z.string()).max(10_000).default([]),
        exchange: z.string().trim().max(32).optional(),
        assetClass: z.string().trim().max(32).optional(),
        tags: z.array(z.string().trim().max(32)).max(50).optional(),
      })
      .strict(),
    result: UniverseSchema,
  },
  'universe.add': {
    arg: z.object({ name: UniverseNameSchema, symbols: z.array(z.string()).min(1).max(10_000) }).strict(),
    result: z.object({ universe: UniverseSchema, added: z.array(z.string()) }),
  },
  'universe.remove': {
    arg: z.object({ name: UniverseNameSchema, symbols: z.array(z.string()).min(1).max(10_000) }).strict(),
    result: z.object({ universe: UniverseSchema, removed: z.array(z.string()) }),
  },
  'universe.rename': { arg: z.object({ name: UniverseNameSchema, to: UniverseNameSchema }).strict(), result: UniverseSchema },
  'universe.update': {
    arg: z
      .object({
        name: UniverseNameSchema,
        exchange: z.string().trim().max(32).nullable().optional(),
        assetClass: z.string().trim().max(32).nullable().optional(),
        tags: z.array(z.string().trim().max(32)).max(50).optional(),
      })
      .strict(),
    result: UniverseSchema,
  },
  /** Adds the symbols of a CSV text (symbol/ticker column or one per line) to a universe, created if new. */
  'universe.import': {
    arg: z.object({ name: UniverseNameSchema, csv: z.string().max(5_000_000) }).strict(),
    result: z.object({ universe: UniverseSchema, imported: z.number().int(), rejected: z.array(z.object({ line: z.number().int(), value: z.string(), reason: z.string() })) }),
  },
  'universe.export': { arg: z.object({ name: UniverseNameSchema }).strict(), result: z.object({ filename: z.string(), csv: z.string() }) },
  /** Each symbol's coverage at a glance. */
  'universe.coverage': {
    arg: z.object({ name: UniverseNameSchema, provider: z.string().trim().min(1).max(32).optional(), feed: z.string().trim().min(1).max(40).optional() }).strict(),
    result: z.array(SymbolCoverageSchema),
  },
  'universe.delete': { arg: z.object({ name: UniverseNameSchema }).strict(), result: z.object({ deleted: z.literal(true) }) },
  // -- requests: pipeline / timeline --
  /** What one job caused, in order, and how long each stage (fetch, write, validate, aggregate) took. */
  'jobs.timeline': { arg: JobRef, result: JobTimelineSchema },
  // -- requests: query workbench --
  ...workbenchRequests,
  // -- requests: chart explorer --
  /** Symbols the lake holds bars of (any source, any timeframe), for the chart's symbol picker. */
  'chart.symbols': { arg: Empty, result: ChartSymbolsSchema },
  /** The sources (provider/feed) holding a symbol, their timeframes and first/last bar. */
  'chart.extent': { arg: z.object({ symbol: SymbolSchema }).strict(), result: ChartExtentSchema },
  /** Bars of one source in [from, to), at most maxBars: a coarser timeframe (computed by DuckDB if not stored) when needed. */
  'chart.bars': { arg: ChartBarsArgSchema, result: ChartBarsSchema },
  /** NYSE sessions (regular and extended hours, early closes honoured) of the exchange days touching [from, to). */
  'chart.sessions': { arg: ChartSessionsArgSchema, result: ChartSessionsSchema },
  /** Validation findings of a symbol in [from, to), read from the recorded audit reports. */
  'chart.findings': { arg: ChartFindingsArgSchema, result: ChartFindingsSchema },
  // -- requests: validation page and reconcile --
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
  /** Compares the same bars from two sources; recorded as a run (rule source_mismatch). */
  'reconcile.run': { arg: ReconcileArgSchema, result: ValidationRunSummarySchema },
  // -- requests: app quality --
  ...appRequests,
} as const;

export const events = {
  /** A job was created, started, progressed or finished: the full job as it stands. */
  'job.updated': JobSchema,
  /** Fine-grained progress of a running job (throttled to ~10 per second per job). */
  'job.progress': z.object({
    jobId: z.string(),
    progress: z.number().min(0).max(100),
    rowsWritten: z.number().int().nonnegative(),
    message: z.string(),
    /** bars written per second since the run started */
    barsPerSecond: z.number().nonnegative().default(0),
    /** estimated seconds to go; null until it can be told */
    etaSeconds: z.number().nonnegative().nullable().default(null),
    /** provider requests retried and rate-limiter waits during this run (per provider: shared by its concurrent jobs) */
    retries: z.number().int().nonnegative().default(0),
    rateLimitWaits: z.number().int().nonnegative().default(0),
    /** symbols being fetched right now */
    active: z.array(z.string()).default([]),
  }),
  /** Live metrics, about once a second, while a desktop or serve host runs. */
  'metrics.live': MetricsLiveSchema,
  /** A unit of work (one symbol-year) is durable in the lake. */
  'job.unit': z.object({
    jobId: z.string(),
    symbol: z.string(),
    year: z.number().int(),
    rows: z.number().int().nonnegative(),
  }),
  // -- events: pipeline / timeline --
  /** An ingestion job ended (any status); when it succeeded with new bars, validation follows. */
  IngestionJobCompleted: IngestionJobCompletedSchema,
  /** The job's bars were validated; aggregation follows. */
  ValidationCompleted: PipelineValidationCompletedSchema,
  /** Coarser timeframes were rebuilt from the job's 1m bars. */
  AggregationCompleted: AggregationCompletedSchema,
  /** A pipeline stage failed: recorded and shown; the job's data stays as ingested. */
  PipelineStageFailed: PipelineStageFailedSchema,
  /** A stage did not run (nothing new to check, not a 1m job, pipeline off). */
  PipelineStageSkipped: PipelineStageSkippedSchema,
  // -- events: query workbench --
  // -- events: chart explorer --
  // -- events: validation page and reconcile --
  /** A validation or reconciliation run was recorded (from any trigger: page, CLI in this process, pipeline). */
  'validation.completed': ValidationCompletedSchema,
  // -- events: app quality --
  ...appEvents,
} as const;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type RequestArg<K extends RequestName> = z.output<Requests[K]['arg']>;
export type RequestArgInput<K extends RequestName> = z.input<Requests[K]['arg']>;
export type RequestResult<K extends RequestName> = z.output<Requests[K]['result']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
/** What an emitter may give: fields with defaults may be left out. */
export type EventPayloadInput<E extends EventName> = z.input<Events[E]>;

export const REQUEST_NAMES = Object.keys(requests) as RequestName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/**
 * What travels to a client for every engine event: a union discriminated by type. Everything one job causes (its
 * progress, its validation, its aggregation) shares the job's id as correlationId; causationId is the id of the event
 * that caused this one (validation is caused by IngestionJobCompleted, aggregation by ValidationCompleted).
 */
export type EventEnvelope<E extends EventName = EventName> = {
  [K in E]: {
    /** unique per event (UUID) */
    id: string;
    type: K;
    payload: EventPayload<K>;
    /** ISO 8601 UTC */
    occurredAt: string;
    correlationId: string | null;
    causationId: string | null;
    /** monotonically increasing per engine */
    seq: number;
  };
}[E];

/** Where an event comes from: the job it belongs to and the event that caused it. */
export interface EventMeta {
  correlationId?: string | null;
  causationId?: string | null;
}
