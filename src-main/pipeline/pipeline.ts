import type { EventEnvelope } from '../contract';
import type { PipelineStage } from '../contract/pipeline';
import type { AggregateTimeframe } from '../aggregate/service';
import type { Job, Timeframe } from '../contract/schemas';
import type { EventBus } from '../events/bus';
import type { IngestStages } from '../ingest/runner';
import { toErrorValue } from '../shared/errors';
import type { Logger } from '../shared/log';
import { isPipelineEvent, type TimelineStore } from './timeline';

export interface PipelineDeps {
  bus: EventBus;
  timeline: () => TimelineStore;
  /**
   * validates what the job ingested; the run's validation.completed carries `meta` (the job as correlation, the
   * ingest.completed event as cause), which is how the pipeline sees it and goes on to aggregation
   */
  validate(jobId: string, meta: { correlationId: string; causationId: string }): Promise<unknown>;
  /** rebuilds `timeframes` from the job's 1m bars */
  aggregate(job: Job, timeframes: AggregateTimeframe[], signal: AbortSignal): Promise<{ partitions: number; rows: Partial<Record<Timeframe, number>> }>;
  job(jobId: string): Job | undefined;
  /** the timeframes built after each 1m job; empty: no aggregation */
  timeframes: AggregateTimeframe[];
  log: Logger;
}

/**
 * The event-driven pipeline: ingest.completed → validation → validation.completed → aggregation →
 * aggregate.completed. Handlers are registered once (register() is idempotent); every event carries the job id as
 * correlationId and the id of its cause as causationId, and is recorded in the job's timeline. A failing handler
 * is recorded as pipeline.failed and shown; it never stops the others and is never lost.
 */
export class Pipeline {
  private registered = false;
  private readonly inflight = new Map<string, Set<Promise<void>>>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: PipelineDeps) {}

  register(): void {
    if (this.registered) return;
    this.registered = true;
    this.deps.bus.subscribe((env) => this.onEvent(env));
  }

  /** Announces the end of an ingestion job; `run` false records it but starts nothing after it. */
  jobCompleted(job: Job, stages: IngestStages, run: boolean): void {
    this.deps.bus.emit(
      'ingest.completed',
      {
        jobId: job.id,
        status: job.status,
        provider: job.provider,
        feed: job.feed,
        timeframe: job.timeframe,
        symbols: job.symbols.length,
        start: job.start,
        end: job.end,
        rowsWritten: job.rowsWritten,
        fetchMs: stages.fetchMs,
        writeMs: stages.writeMs,
        durationMs: stages.ingestMs,
        pipeline: run,
      },
      { correlationId: job.id },
    );
  }

  /** Resolves when nothing the job caused is still running. */
  async settled(jobId: string): Promise<void> {
    for (let set = this.inflight.get(jobId); set && set.size > 0; set = this.inflight.get(jobId)) await Promise.allSettled([...set]);
  }

  /** Stops what runs (aggregation is cancellable) and waits for every handler to finish. */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.inflight.values()].flatMap((s) => [...s]));
  }

  private onEvent(env: EventEnvelope): void {
    // only the pipeline's own events touch the database (a live-metrics tick must not open it)
    if (!isPipelineEvent(env)) return;
    try {
      this.deps.timeline().record(env);
    } catch (e) {
      this.deps.log.error('recording a pipeline event failed', { type: env.type, error: e instanceof Error ? e.message : String(e) });
    }
    if (this.abort.signal.aborted || !env.correlationId) return;
    if (env.type === 'ingest.completed') this.track(env.correlationId, () => this.afterIngestion(env));
    // a run the pipeline caused carries the job as correlation (a validation started elsewhere has none)
    else if (env.type === 'validation.completed' && env.payload.jobId === env.correlationId) this.track(env.correlationId, () => this.afterValidation(env));
  }

  private track(jobId: string, run: () => Promise<void>): void {
    let set = this.inflight.get(jobId);
    if (!set) this.inflight.set(jobId, (set = new Set()));
    const p: Promise<void> = Promise.resolve()
      .then(run)
      .catch((e: unknown) => this.deps.log.error('pipeline handler failed', { job: jobId, error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        set.delete(p);
        if (set.size === 0) this.inflight.delete(jobId);
      });
    set.add(p);
  }

  private skip(jobId: string, stage: PipelineStage, reason: string, causationId: string): void {
    this.deps.bus.emit('pipeline.skipped', { jobId, stage, reason }, { correlationId: jobId, causationId });
    if (stage === 'validate') this.deps.bus.emit('pipeline.skipped', { jobId, stage: 'aggregate', reason }, { correlationId: jobId, causationId });
  }

  private failed(jobId: string, stage: PipelineStage, e: unknown, t0: number, causationId: string): void {
    const err = toErrorValue(e);
    this.deps.log.error(`pipeline ${stage} failed`, { job: jobId, code: err.code, message: err.message });
    this.deps.bus.emit('pipeline.failed', { jobId, stage, code: err.code, message: err.message, durationMs: Math.round(performance.now() - t0) }, { correlationId: jobId, causationId });
  }

  private async afterIngestion(env: Extract<EventEnvelope, { type: 'ingest.completed' }>): Promise<void> {
    const p = env.payload;
    if (!p.pipeline) return this.skip(p.jobId, 'validate', 'pipeline off for this job', env.id);
    if (p.status !== 'succeeded') return this.skip(p.jobId, 'validate', `job ${p.status}`, env.id);
    if (p.rowsWritten === 0) return this.skip(p.jobId, 'validate', 'no new bars', env.id);
    const t0 = performance.now();
    try {
      await this.deps.validate(p.jobId, { correlationId: p.jobId, causationId: env.id });
    } catch (e) {
      this.failed(p.jobId, 'validate', e, t0, env.id);
      // aggregation does not depend on the findings: a validation that could not run must not leave coarser
      // timeframes stale, so it still runs (and says what caused it)
      await this.aggregate(p.jobId, env.id);
    }
  }

  private async afterValidation(env: Extract<EventEnvelope, { type: 'validation.completed' }>): Promise<void> {
    await this.aggregate(env.correlationId!, env.id);
  }

  private async aggregate(jobId: string, causationId: string): Promise<void> {
    const job = this.deps.job(jobId);
    const corr = { correlationId: jobId, causationId };
    if (!job) return;
    if (job.timeframe !== '1m') {
      this.deps.bus.emit('pipeline.skipped', { jobId, stage: 'aggregate', reason: `coarser timeframes are built from 1m bars, not ${job.timeframe}` }, corr);
      return;
    }
    if (this.deps.timeframes.length === 0) {
      this.deps.bus.emit('pipeline.skipped', { jobId, stage: 'aggregate', reason: 'no timeframes configured (MP_AGGREGATE_TIMEFRAMES)' }, corr);
      return;
    }
    const t0 = performance.now();
    try {
      const r = await this.deps.aggregate(job, this.deps.timeframes, this.abort.signal);
      const rowsWritten = Object.values(r.rows).reduce((a, b) => a + (b ?? 0), 0);
      this.deps.bus.emit(
        'aggregate.completed',
        { jobId, timeframes: this.deps.timeframes, partitions: r.partitions, rowsWritten, durationMs: Math.round(performance.now() - t0) },
        corr,
      );
    } catch (e) {
      this.failed(jobId, 'aggregate', e, t0, causationId);
    }
  }
}
