import { z } from 'zod';
import { JobSchema, JobTaskSchema } from './schemas';
import { JobRefSchema } from './ingest';
import { JobTimelineSchema } from './pipeline';

// The jobs domain: ingestion jobs as recorded, their units of work and their timelines. Its events keep the
// singular `job.` prefix: each one is about one job.

export const jobsRequests = {
  'jobs.list': {
    arg: z.object({ limit: z.number().int().min(1).max(1000).default(50) }).strict(),
    result: z.array(JobSchema),
  },
  'jobs.get': { arg: JobRefSchema, result: JobSchema },
  /** A job's units of work (symbol x year) and their state: per-symbol status. */
  'jobs.tasks': { arg: JobRefSchema, result: z.array(JobTaskSchema) },
  /** What one job caused, in order, and how long each stage (fetch, write, validate, aggregate) took. */
  'jobs.timeline': { arg: JobRefSchema, result: JobTimelineSchema },
} as const;

export const jobsEvents = {
  /** A job was created, started, progressed or finished: the full job as it stands. */
  'jobs.updated': JobSchema,
  /** Fine-grained progress of a running job (throttled to ~10 per second per job). */
  'jobs.progress': z.object({
    jobId: z.string(),
    progress: z.number().min(0).max(100),
    /** bars durable in the lake (grows a whole unit at a time) */
    rowsWritten: z.number().int().nonnegative(),
    /**
     * bars received so far (earlier runs' written bars included): moves with every page, with `progress` and with
     * `units`, so the numbers a user sees agree; the job's final count is its rowsWritten
     */
    rowsReceived: z.number().int().nonnegative().default(0),
    message: z.string(),
    /** bars received per second, smoothed (exponential moving average over a few seconds) */
    barsPerSecond: z.number().nonnegative().default(0),
    /** estimated seconds to go; null until it can be told */
    etaSeconds: z.number().nonnegative().nullable().default(null),
    /** provider requests retried and rate-limiter waits during this run (per provider: shared by its concurrent jobs) */
    retries: z.number().int().nonnegative().default(0),
    rateLimitWaits: z.number().int().nonnegative().default(0),
    /** symbols being fetched right now */
    active: z.array(z.string()).default([]),
    /** the units in flight, the trading days and bars received of each: per-symbol progress between units */
    units: z
      .array(z.object({ symbol: z.string(), year: z.number().int(), daysFetched: z.number().int().nonnegative(), rows: z.number().int().nonnegative().default(0) }))
      .default([]),
  }),
  /** A unit of work (one symbol-year) is durable in the lake. */
  'jobs.unit': z.object({
    jobId: z.string(),
    symbol: z.string(),
    year: z.number().int(),
    rows: z.number().int().nonnegative(),
  }),
} as const;
