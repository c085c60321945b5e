import { z } from 'zod';
import { JobStatusSchema, TimeframeSchema } from './schemas';

// The pipeline: one ingestion job (ingest.completed) causes a validation (validation.completed), which causes an
// aggregation (aggregate.completed); a stage that fails or does not run says so (pipeline.failed, pipeline.skipped).
// Each is recorded in the job's timeline (SQLite) and pushed to the renderer; their envelopes share the job id as
// correlationId.

export const PIPELINE_STAGES = ['fetch', 'write', 'validate', 'aggregate'] as const;
export const PipelineStageSchema = z.enum(PIPELINE_STAGES);
export type PipelineStage = z.infer<typeof PipelineStageSchema>;

const ms = z.number().int().nonnegative();

export const IngestCompletedSchema = z.object({
  jobId: z.string(),
  status: JobStatusSchema,
  provider: z.string(),
  feed: z.string(),
  timeframe: TimeframeSchema,
  symbols: z.number().int().nonnegative(),
  start: z.string(),
  end: z.string(),
  rowsWritten: z.number().int().nonnegative(),
  /** time spent fetching and writing, summed over the job's workers; durationMs is the job's wall time */
  fetchMs: ms,
  writeMs: ms,
  /** wall time during which a fetch (a write) was in flight; absent in events of older builds */
  fetchWallMs: ms.optional(),
  writeWallMs: ms.optional(),
  /** the workers fetchMs and writeMs are summed over */
  workers: z.number().int().positive().optional(),
  durationMs: ms,
  /** whether validation and aggregation follow (false: --no-pipeline, or the engine is closing) */
  pipeline: z.boolean(),
});

export const PipelineStageFailedSchema = z.object({
  jobId: z.string(),
  stage: PipelineStageSchema,
  code: z.string(),
  message: z.string(),
  durationMs: ms,
});

export const PipelineStageSkippedSchema = z.object({
  jobId: z.string(),
  stage: PipelineStageSchema,
  reason: z.string(),
});

/** The events a job's timeline records (validation.completed only when a job caused it). */
export const PIPELINE_EVENT_TYPES = ['ingest.completed', 'validation.completed', 'aggregate.completed', 'pipeline.failed', 'pipeline.skipped'] as const;
export const pipelineEvents = {
  /** A pipeline stage failed: recorded and shown; the job's data stays as ingested. */
  'pipeline.failed': PipelineStageFailedSchema,
  /** A stage did not run (nothing new to check, not a 1m job, pipeline off). */
  'pipeline.skipped': PipelineStageSkippedSchema,
} as const;

export type PipelineEventType = (typeof PIPELINE_EVENT_TYPES)[number];

export const TimelineEventSchema = z.object({
  id: z.string(),
  type: z.enum(PIPELINE_EVENT_TYPES),
  occurredAt: z.string(),
  causationId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;

export const StageTimingSchema = z.object({
  stage: PipelineStageSchema,
  status: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
  /** wall time; null while running or when skipped */
  durationMs: ms.nullable(),
  /** fetch and write: the time summed over the job's workers, and how many (longer than the wall time when they overlap) */
  summedMs: ms.nullable().optional(),
  workers: z.number().int().positive().nullable().optional(),
  /** e.g. the failure's message, the skip's reason, the findings count */
  detail: z.string().nullable(),
});
export type StageTiming = z.infer<typeof StageTimingSchema>;

export const JobTimelineSchema = z.object({
  jobId: z.string(),
  stages: z.array(StageTimingSchema),
  events: z.array(TimelineEventSchema),
});
export type JobTimeline = z.infer<typeof JobTimelineSchema>;
