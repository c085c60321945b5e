import type { EventEnvelope } from '../contract';
import type { PipelineStage } from '../contract/pipeline';
import type { AggregateTimeframe } from '../aggregate/service';
import type { Job, JobStage, Timeframe } from '../contract/schemas';
import type { JobStore } from '../db/jobs';
import type { EventBus } from '../events/bus';
import type { IngestStages } from '../ingest/runner';
import { MpError, toErrorValue, type ErrorValue } from '../shared/errors';
import type { Logger } from '../shared/log';
import { crashPoint } from './crashpoint';
import { isPipelineEvent, type TimelineStore } from './timeline';

export interface PipelineDeps {
  bus: EventBus;
  timeline: () => TimelineStore;
  /** the jobs table: the pipeline records each job's stage before running it, and finishes the job */
  jobs: () => JobStore;
  /** validates what the job ingested (the audit report); its validation.completed carries `meta` */
  validate(jobId: string, meta: { correlationId: string; causationId: string | null }): Promise<unknown>;
  /** rebuilds `timeframes` from the job's 1m bars */
  aggregate(job: Job, timeframes: AggregateTimeframe[], signal: AbortSignal): Promise<{ partitions: number; rows: Partial<Record<Timeframe, number>> }>;
  /** the timeframes built after each 1m job; empty: no aggregation */
  timeframes: AggregateTimeframe[];
  /** the engine is shutting down: a stage it stops is interrupted (finished at the next start), not cancelled */
  closing: () => boolean;
  log: Logger;
}

export interface StageRunOptions {
  /** false: the job asked for no pipeline (--no-pipeline); its stages are skipped and it succeeds after its fetch */
  run: boolean;
  /** the job's own cancel signal */
  signal: AbortSignal;
  /** what caused the stages (the ingest.completed event), null for a resume or a recovery */
  causationId: string | null;
}

/**
 * The pipeline: after a job's fetch (ingest.completed), its validate stage (the audit report, validation.completed),
 * then its aggregate stage (coarser timeframes, aggregate.completed); a stage that fails or does not run says so
 * (pipeline.failed, pipeline.skipped). The stages belong to the job: its row in SQLite names the stage that remains
 * before that stage runs, and the job is `succeeded` only after the last one, so a process killed anywhere leaves a
 * job that says what is left, and a resume (or the next start of a long-lived host) finishes it. Every event carries
 * the job id as correlationId and is recorded in the job's timeline.
 */
export class Pipeline {
  private registered = false;
  private readonly inflight = new Map<string, Set<Promise<unknown>>>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: PipelineDeps) {}

  register(): void {
    if (this.registered) return;
    this.registered = true;
    this.deps.bus.subscribe((env) => this.onEvent(env));
  }

  /**
   * The end of a job's fetch: announces it (ingest.completed) and, when the fetch succeeded, runs the job's
   * remaining stages. Resolves with the job as it ends: succeeded only once every stage is committed.
   */
  jobCompleted(job: Job, stages: IngestStages, opts: StageRunOptions & { closing: boolean }): Promise<Job> {
    const fetchOk = job.status === 'running' && job.stage === 'validate';
    const env = this.deps.bus.emit(
      'ingest.completed',
      {
        jobId: job.id,
        status: fetchOk ? 'succeeded' : job.status,
        provider: job.provider,
        feed: job.feed,
        timeframe: job.timeframe,
        symbols: job.symbols.length,
        start: job.start,
        end: job.end,
        rowsWritten: job.rowsWritten,
        fetchMs: stages.fetchMs,
        writeMs: stages.writeMs,
        ...(stages.fetchWallMs !== undefined ? { fetchWallMs: stages.fetchWallMs } : {}),
        ...(stages.writeWallMs !== undefined ? { writeWallMs: stages.writeWallMs } : {}),
        ...(stages.workers !== undefined ? { workers: stages.workers } : {}),
        durationMs: stages.ingestMs,
        pipeline: opts.run && !opts.closing,
      },
      { correlationId: job.id },
    );
    if (!fetchOk) {
      // the fetch did not finish: the stages after it do not run (the job's stage stays fetch)
      for (const stage of ['validate', 'aggregate'] as const) this.deps.bus.emit('pipeline.skipped', { jobId: job.id, stage, reason: `job ${job.status}` }, { correlationId: job.id, causationId: env.id });
      return Promise.resolve(job);
    }
    if (opts.closing && opts.run) {
      // the host is stopping: the stages are left for the next start (or a resume), as a kill would leave them
      const left = this.deps.jobs().finish(job.id, 'failed', job.progress, job.rowsWritten, { code: 'E_INTERRUPTED', message: 'interrupted: the engine closed before the validate stage' });
      this.deps.bus.emit('jobs.updated', left, { correlationId: job.id });
      return Promise.resolve(left);
    }
    return this.runStages(job, 'validate', { ...opts, causationId: env.id });
  }

  /** Runs a job's stages from `from` to the end and finishes the job (see the class comment). */
  runStages(job: Job, from: Exclude<JobStage, 'fetch' | 'done'>, opts: StageRunOptions): Promise<Job> {
    let set = this.inflight.get(job.id);
    if (!set) this.inflight.set(job.id, (set = new Set()));
    const p = this.stages(job, from, opts).finally(() => {
      set.delete(p);
      if (set.size === 0) this.inflight.delete(job.id);
    });
    set.add(p);
    return p;
  }

  /** Resolves when nothing the job caused is still running. */
  async settled(jobId: string): Promise<void> {
    for (let set = this.inflight.get(jobId); set && set.size > 0; set = this.inflight.get(jobId)) await Promise.allSettled([...set]);
  }

  /** Stops what runs (aggregation is cancellable) and waits for every stage to finish. */
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
  }

  private async stages(job: Job, from: 'validate' | 'aggregate', opts: StageRunOptions): Promise<Job> {
    const store = this.deps.jobs();
    const id = job.id;
    const corr: { correlationId: string; causationId: string | null } = { correlationId: id, causationId: opts.causationId };
    const skip = (stage: PipelineStage, reason: string) => this.deps.bus.emit('pipeline.skipped', { jobId: id, stage, reason }, corr);
    let failure: { stage: 'validate' | 'aggregate'; error: ErrorValue } | undefined;
    let cancelled = false;
    try {
      if (!opts.run || job.rowsWritten === 0) {
        // nothing for the stages to do: the job is complete with its fetch
        const reason = !opts.run ? 'pipeline off for this job' : 'no new bars';
        skip('validate', reason);
        skip('aggregate', reason);
      } else {
        if (from === 'validate') {
          store.setStage(id, 'validate');
          crashPoint('validate.start');
          this.deps.log.info('stage started', { job: id, stage: 'validate' });
          const t0 = performance.now();
          // the aggregation is caused by the validation: its event's id, once it is emitted
          const off = this.deps.bus.subscribe((e) => {
            if (e.type === 'validation.completed' && e.correlationId === id) corr.causationId = e.id;
          });
          try {
            await this.deps.validate(id, { correlationId: id, causationId: opts.causationId });
            crashPoint('validate.done');
            store.setStage(id, 'aggregate');
          } catch (e) {
            failure = { stage: 'validate', error: this.failed(id, 'validate', e, t0, opts.causationId) };
            // aggregation does not depend on the findings: coarser timeframes must not stay stale because the
            // report could not be written (the job still fails at its validate stage, and a resume redoes both)
          } finally {
            off();
          }
        }
        if (job.timeframe !== '1m') skip('aggregate', `coarser timeframes are built from 1m bars, not ${job.timeframe}`);
        else if (this.deps.timeframes.length === 0) skip('aggregate', 'no timeframes configured (MP_AGGREGATE_TIMEFRAMES)');
        else {
          if (from === 'aggregate') store.setStage(id, 'aggregate');
          crashPoint('aggregate.start');
          this.deps.log.info('stage started', { job: id, stage: 'aggregate' });
          const t0 = performance.now();
          try {
            const r = await this.deps.aggregate(job, this.deps.timeframes, AbortSignal.any([this.abort.signal, opts.signal]));
            crashPoint('aggregate.done');
            const rowsWritten = Object.values(r.rows).reduce((a, b) => a + (b ?? 0), 0);
            this.deps.bus.emit('aggregate.completed', { jobId: id, timeframes: this.deps.timeframes, partitions: r.partitions, rowsWritten, durationMs: Math.round(performance.now() - t0) }, corr);
          } catch (e) {
            cancelled = opts.signal.aborted || this.abort.signal.aborted;
            const error = this.failed(id, 'aggregate', e, t0, corr.causationId);
            failure ??= { stage: 'aggregate', error };
          }
        }
      }
    } catch (e) {
      // the job's own bookkeeping failed (e.g. the database): the job must still end, at the stage it was in
      failure = { stage: store.get(id)?.stage === 'aggregate' ? 'aggregate' : 'validate', error: toErrorValue(e) };
    }
    let finished: Job;
    if (!failure) {
      finished = store.finish(id, 'succeeded', 100, job.rowsWritten, null);
      this.deps.log.info('job succeeded', { job: id });
    } else if (cancelled && this.deps.closing()) {
      finished = store.finish(id, 'failed', 100, job.rowsWritten, { code: 'E_INTERRUPTED', message: `interrupted: the engine closed during the ${failure.stage} stage` });
    } else if (cancelled) {
      finished = store.finish(id, 'cancelled', 100, job.rowsWritten, new MpError('E_CANCELLED', `cancelled during the ${failure.stage} stage`).toValue());
    } else {
      finished = store.finish(id, 'failed', 100, job.rowsWritten, { code: failure.error.code, message: `${failure.stage} stage failed: ${failure.error.message}` });
    }
    this.deps.bus.emit('jobs.updated', finished, { correlationId: id });
    return finished;
  }

  private failed(jobId: string, stage: PipelineStage, e: unknown, t0: number, causationId: string | null): ErrorValue {
    const err = toErrorValue(e);
    this.deps.log.error(`pipeline ${stage} failed`, { job: jobId, code: err.code, message: err.message });
    this.deps.bus.emit('pipeline.failed', { jobId, stage, code: err.code, message: err.message, durationMs: Math.round(performance.now() - t0) }, { correlationId: jobId, causationId });
    return err;
  }
}
