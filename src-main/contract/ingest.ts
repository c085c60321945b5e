import { z } from 'zod';
import { IngestArgSchema } from './schemas';
import { IngestCompletedSchema } from './pipeline';

// The ingest domain: starting, cancelling and resuming ingestion jobs (the jobs themselves are the jobs domain).

export const JobRefSchema = z.object({ jobId: z.string().min(1).max(100) }).strict();

export const ingestRequests = {
  'ingest.start': { arg: IngestArgSchema, result: z.object({ jobId: z.string() }) },
  'ingest.cancel': { arg: JobRefSchema, result: z.object({ cancelled: z.boolean() }) },
  /** Runs the pending units of a failed, cancelled or interrupted job again, under the same job id. */
  'ingest.resume': { arg: JobRefSchema, result: z.object({ jobId: z.string() }) },
} as const;

export const ingestEvents = {
  /** An ingestion job's run ended (any status), with its stage timings; when it succeeded with new bars, validation follows. */
  'ingest.completed': IngestCompletedSchema,
} as const;
