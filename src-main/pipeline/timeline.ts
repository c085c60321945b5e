import type Database from 'better-sqlite3';
import type { EventEnvelope } from '../contract';
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

  timeline(jobId: string, jobRunning: boolean): JobTimeline {
    const events = this.events(jobId);
    return { jobId, events, stages: stagesOf(events, jobRunning) };
  }
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * How long each stage took, from the events: fetch and write from ingest.completed (summed over workers),
 * validate and aggregate from what followed it. The last event about a stage wins (a resumed job ends twice).
 */
export function stagesOf(events: TimelineEvent[], jobRunning: boolean): StageTiming[] {
  const stages = new Map<PipelineStage, StageTiming>();
  const set = (stage: PipelineStage, status: StageTiming['status'], durationMs: number | null, detail: string | null) =>
    stages.set(stage, { stage, status, durationMs, detail });
  let ingested = false;
  for (const e of events) {
    const p = e.payload;
    switch (e.type) {
      case 'ingest.completed': {
        ingested = true;
        const ok = p.status === 'succeeded';
        set('fetch', ok ? 'done' : 'failed', num(p.fetchMs), ok ? null : `job ${str(p.status)}`);
        set('write', ok ? 'done' : 'failed', num(p.writeMs), `${num(p.rowsWritten).toLocaleString('en-US')} bars`);
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
  return order.map((stage) => {
    const s = stages.get(stage);
    if (s) return s;
    // not reported yet: running while the job (or the stage before) is
    return { stage, status: ingested || jobRunning ? 'running' : 'pending', durationMs: null, detail: null } satisfies StageTiming;
  });
}
