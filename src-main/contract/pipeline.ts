import { z } from 'zod';
import { JobStatusSchema, TimeframeSchema } from './schemas';

// The pipeline's domain events: one ingestion job causes a validation, which causes an aggregation. Each is recorded
// in the job's timeline (SQLite) and pushed to the renderer; their envelopes share the job id as correlationId.

export const PIPELINE_STAGES = ['fetch', 'write', 'validate', 'aggregate'] as const;
export const PipelineStageSchema = z.enum(PIPELINE_STAGES);
export type PipelineStage = z.infer<typeof PipelineStageSchema>;

const ms = z.number().int().nonnegative();

export const IngestionJobCompletedSchema = z.object({
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
  durationMs: ms,
  /** whether validation and aggregation follow (false: --no-pipeline, or the engine is closing) */
  pipeline: z.boolean(),
});

export const PipelineValidationCompletedSchema = z.object({
  jobId: z.string(),
  runId: z.string(),
  barsChecked: z.number().int().nonnegative(),
  findings: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
  infos: z.number().int().nonnegative(),
  durationMs: ms,
});

export const AggregationCompletedSchema = z.object({
  jobId: z.string(),
  timeframes: z.array(TimeframeSchema),
  partitions: z.number().int().nonnegative(),
  rowsWritten: z.number().int().nonnegative(),
  durationMs: ms,
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

export const PIPELINE_EVENT_TYPES = ['IngestionJobCompleted', 'ValidationCompleted', 'AggregationCompleted', 'PipelineStageFailed', 'PipelineStageSkipped'] as const;
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
  /** null while running or when skipped */
  durationMs: ms.nullable(),
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
