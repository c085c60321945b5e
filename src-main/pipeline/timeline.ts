import type Database from 'better-sqlite3';
import type { EventEnvelope } from '../contract';
import type { Job } from '../contract/schemas';
import { PIPELINE_EVENT_TYPES, type JobTimeline, type PipelineEventType, type PipelineStage, type StageTiming, type TimelineEvent } from '../contract/pipeline';

const TYPES = new Set<string>(PIPELINE_EVENT_TYPES);

export function isPipelineEvent(env: EventEnvelope): env is Extract<EventEnvelope, { type: PipelineEventType }> {
  return TYPES.has(env.type);
}

interface Row {
  id: string;
  type: PipelineEventType;
  occurred_at: string;
  causation_id: string | null;
  payload: string;
}

/** The job timelines in SQLite (migration 0006): every pipeline event one job caused, in order. */
export class TimelineStore {
  private readonly insert: Database.Statement;
  private readonly byJob: Database.Statement<[string], Row>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO job_events (id, job_id, seq, type, occurred_at, causation_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byJob = db.prepare(`SELECT id, type, occurred_at, causation_id, payload FROM job_events WHERE job_id = ? ORDER BY occurred_at, seq`);
  }

  record(env: EventEnvelope): void {
    if (!isPipelineEvent(env) || !env.correlationId) return;
    this.insert.run(env.id, env.correlationId, env.seq, env.type, env.occurredAt, env.causationId, JSON.stringify(env.payload));
  }

  events(jobId: string): TimelineEvent[] {
    return this.byJob.all(jobId).map((r) => ({
      id: r.id,
      type: r.type,
      occurredAt: r.occurred_at,
      causationId: r.causation_id,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
    }));
  }

  /** `job`: its stage, when it is running (in this process or another), says which stage runs now */
  timeline(jobId: string, job: Pick<Job, 'status' | 'stage'> | null): JobTimeline {
    const events = this.events(jobId);
    const now = job && (job.status === 'running' || job.status === 'queued') ? job.stage : null;
    return { jobId, events, stages: stagesOf(events, now) };
  }
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * How long each stage took, from the events: fetch and write from ingest.completed (wall time, with the time summed
 * over the workers beside it; events of older builds have only the sums), validate and aggregate from what followed
 * it. The last event about a stage wins (a resumed job ends twice). A stage not reported yet is running when it is
 * the job's current stage (`now`; fetch and write run together, one unit at a time each), else pending.
 */
export function stagesOf(events: TimelineEvent[], now: Job['stage'] | null): StageTiming[] {
  const stages = new Map<PipelineStage, StageTiming>();
  const set = (stage: PipelineStage, status: StageTiming['status'], durationMs: number | null, detail: string | null, summed?: { ms: number; workers: number | null }) =>
    stages.set(stage, { stage, status, durationMs, detail, ...(summed ? { summedMs: summed.ms, workers: summed.workers } : {}) });
  for (const e of events) {
    const p = e.payload;
    switch (e.type) {
      case 'ingest.completed': {
        const ok = p.status === 'succeeded';
        const workers = typeof p.workers === 'number' ? p.workers : null;
        // events of older builds have only the sums: no wall time to show
        const wall = (key: string) => (typeof p[key] === 'number' ? (p[key] as number) : null);
        set('fetch', ok ? 'done' : 'failed', wall('fetchWallMs'), ok ? null : `job ${str(p.status)}`, { ms: num(p.fetchMs), workers });
        set('write', ok ? 'done' : 'failed', wall('writeWallMs'), `${num(p.rowsWritten).toLocaleString('en-US')} bars`, { ms: num(p.writeMs), workers });
        // a new run of the job makes what followed the previous one stale
        stages.delete('validate');
        stages.delete('aggregate');
        break;
      }
      case 'validation.completed':
        set('validate', 'done', num(p.durationMs), `${num(p.findings)} finding(s): ${num(p.errors)} error(s), ${num(p.warnings)} warning(s), ${num(p.infos)} info`);
        break;
      case 'aggregate.completed':
        set('aggregate', 'done', num(p.durationMs), `${(Array.isArray(p.timeframes) ? p.timeframes : []).join(', ')}: ${num(p.rowsWritten).toLocaleString('en-US')} bars`);
        break;
      case 'pipeline.failed':
        set(p.stage as PipelineStage, 'failed', num(p.durationMs), `${str(p.code)}: ${str(p.message)}`);
        break;
      case 'pipeline.skipped':
        set(p.stage as PipelineStage, 'skipped', null, str(p.reason));
        break;
    }
  }
  const order: PipelineStage[] = ['fetch', 'write', 'validate', 'aggregate'];
  const current: PipelineStage[] = now === 'fetch' ? ['fetch', 'write'] : now === 'validate' || now === 'aggregate' ? [now] : [];
  return order.map((stage) => {
    const s = stages.get(stage);
    if (s) return s;
    return { stage, status: current.includes(stage) ? 'running' : 'pending', durationMs: null, detail: null } satisfies StageTiming;
  });
}
