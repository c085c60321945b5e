import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { queryRows, useTestEngine } from '../testing/engine';
import { fakeGateIn } from '../testing/fakeGate';
import type { EventEnvelope } from '../contract';
import { PIPELINE_EVENT_TYPES } from '../contract/pipeline';
import { aggregateTimeframesFrom } from '../aggregate/service';
import { Engine } from '../engine';

const fx = useTestEngine('mp-pipeline-');
let seen: EventEnvelope[];
beforeEach(() => {
  seen = [];
  fx.engine.bus.subscribe((e) => {
    if ((PIPELINE_EVENT_TYPES as readonly string[]).includes(e.type)) seen.push(e);
  });
});

const ARG = { provider: 'fake', symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-05', timeframe: '1m' as const, workers: 2 };

async function ingest(e: Engine, extra: Record<string, unknown> = {}) {
  const job = await e.startIngest({ ...ARG, ...extra });
  return e.waitForJob(job.id);
}

async function count(e: Engine, where = 'true'): Promise<Record<string, number>> {
  const rows = await queryRows(e, `SELECT timeframe, count(*) FROM bars WHERE ${where} GROUP BY 1 ORDER BY 1`, 100);
  return Object.fromEntries(rows.map((row) => [String(row[0]), Number(row[1])]));
}

describe('the pipeline', () => {
  it('chains ingestion → validation → aggregation by events that share the job id and name their cause', async () => {
    const job = await ingest(fx.engine);
    expect(job.status).toBe('succeeded');
    expect(seen.map((e) => e.type)).toEqual(['ingest.completed', 'validation.completed', 'aggregate.completed']);
    expect(seen.every((e) => e.correlationId === job.id)).toBe(true);
    const [ingested, validated, aggregated] = seen;
    expect(ingested!.causationId).toBeNull();
    expect(validated!.causationId).toBe(ingested!.id);
    expect(aggregated!.causationId).toBe(validated!.id);
    // the validation judged this job's bars; the aggregation built every coarser timeframe from them
    const run = fx.engine.validationRuns({ jobId: job.id });
    expect(run).toHaveLength(1);
    expect(validated!.type === 'validation.completed' && validated!.payload.runId).toBe(run[0]!.id);
    expect(await count(fx.engine)).toEqual({ '15m': 208, '1d': 8, '1h': 56, '1m': 3120, '30m': 104, '5m': 624 });
  });

  it('records the timeline in SQLite, where a later process reads it with the stage durations', async () => {
    const job = await ingest(fx.engine);
    await fx.reopen();
    const r = await fx.engine.dispatcher.dispatch('jobs.timeline', { jobId: job.id }, { transport: 'in-process' });
    if (!r.ok) throw new Error(r.error.message);
    const tl = r.value as { stages: Array<{ stage: string; status: string; durationMs: number | null }>; events: Array<{ id: string; type: string }> };
    expect(tl.events.map((e) => e.type)).toEqual(['ingest.completed', 'validation.completed', 'aggregate.completed']);
    expect(tl.events.map((e) => e.id)).toEqual(seen.map((e) => e.id));
    expect(tl.stages.map((s) => [s.stage, s.status])).toEqual([
      ['fetch', 'done'],
      ['write', 'done'],
      ['validate', 'done'],
      ['aggregate', 'done'],
    ]);
    for (const s of tl.stages) expect(s.durationMs).toBeGreaterThanOrEqual(0);
    const bad = await fx.engine.dispatcher.dispatch('jobs.timeline', { jobId: 'nope' }, { transport: 'in-process' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
  });

  it('records a failed stage, still runs the next one, and the job fails at that stage', async () => {
    // the reports folder cannot be created: validation fails with an I/O error
    fs.mkdirSync(path.join(fx.dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(fx.dir, 'data', 'reports'), 'not a folder');
    const job = await ingest(fx.engine);
    // no audit report: the job is not succeeded, and says which stage remains
    expect(job).toMatchObject({ status: 'failed', stage: 'validate', error: { message: expect.stringMatching(/^validate stage failed: /) } });
    expect(seen.map((e) => e.type)).toEqual(['ingest.completed', 'pipeline.failed', 'aggregate.completed']);
    const failed = seen[1]!;
    expect(failed.type === 'pipeline.failed' && failed.payload).toMatchObject({ jobId: job.id, stage: 'validate' });
    expect(failed.causationId).toBe(seen[0]!.id);
    const t = await fx.engine.dispatcher.dispatch('jobs.timeline', { jobId: job.id }, { transport: 'in-process' });
    expect(t.ok && (t.value as { stages: Array<{ stage: string; status: string }> }).stages.find((s) => s.stage === 'validate')?.status).toBe('failed');
    expect((await count(fx.engine))['5m']).toBe(624);
  });

  it('skips validation and aggregation with --no-pipeline, and when nothing new was written', async () => {
    const job = await ingest(fx.engine, { pipeline: false });
    expect(seen.map((e) => e.type)).toEqual(['ingest.completed', 'pipeline.skipped', 'pipeline.skipped']);
    expect(await count(fx.engine)).toEqual({ '1m': 3120 });
    expect(fx.engine.validationRuns({ jobId: job.id })).toHaveLength(0);
    seen = [];
    const again = await ingest(fx.engine); // everything is in the lake already: no new bars
    expect(again.rowsWritten).toBe(0);
    expect(seen.map((e) => (e.type === 'pipeline.skipped' ? `${e.payload.stage}: ${e.payload.reason}` : e.type))).toEqual([
      'ingest.completed',
      'validate: no new bars',
      'aggregate: no new bars',
    ]);
  });

  it('builds only the timeframes MP_AGGREGATE_TIMEFRAMES names', async () => {
    await fx.reopen({ env: { MP_AGGREGATE_TIMEFRAMES: '1h,1d' } });
    await ingest(fx.engine);
    expect(await count(fx.engine)).toEqual({ '1d': 8, '1h': 56, '1m': 3120 });
    expect(aggregateTimeframesFrom('none')).toEqual([]);
    expect(aggregateTimeframesFrom(' 5m, 5m ,1d')).toEqual(['5m', '1d']);
    expect(() => aggregateTimeframesFrom('2m')).toThrow(/MP_AGGREGATE_TIMEFRAMES: unknown timeframe 2m/);
  });

  it('records how a job the shutdown cancelled ended, and starts nothing after it', async () => {
    // DDD is held (MP_FAKE_GATE): the job is surely still fetching when the shutdown comes, however fast the machine
    const gate = fakeGateIn(fx.dir);
    gate.hold('DDD');
    await fx.reopen({ env: { MP_FAKE_LATENCY_MS: '30', ...gate.env } });
    const job = await fx.engine.startIngest({ ...ARG, symbols: ['AAA', 'BBB', 'CCC', 'DDD'], start: '2023-01-03', end: '2024-06-28', workers: 1 });
    await fx.engine.bus.waitFor('jobs.unit', (u) => u.jobId === job.id);
    await fx.reopen();
    const r = await fx.engine.dispatcher.dispatch('jobs.timeline', { jobId: job.id }, { transport: 'in-process' });
    if (!r.ok) throw new Error(r.error.message);
    const tl = r.value as { events: Array<{ type: string; payload: Record<string, unknown> }>; stages: Array<{ stage: string; status: string }> };
    expect(tl.events.map((e) => e.type)).toEqual(['ingest.completed', 'pipeline.skipped', 'pipeline.skipped']);
    expect(tl.events[0]!.payload).toMatchObject({ status: 'cancelled', pipeline: false });
    expect(tl.stages.map((s) => s.status)).toEqual(['failed', 'failed', 'skipped', 'skipped']);
    // two engine starts and a cancelled ingest: past the 60 s default at load 26
  }, 180_000);

  it('at the next start, finishes the stages of jobs a dead process left and lists its interrupted fetches', async () => {
    // a file where the 5m partitions' folder belongs: the aggregate stage fails, and the job stays at that stage
    fs.mkdirSync(path.join(fx.dir, 'data', 'lake', 'bars'), { recursive: true });
    fs.writeFileSync(path.join(fx.dir, 'data', 'lake', 'bars', 'timeframe=5m'), '');
    const job = await ingest(fx.engine);
    expect(job).toMatchObject({ status: 'failed', stage: 'aggregate', error: { message: expect.stringMatching(/^aggregate stage failed: /) } });
    fs.rmSync(path.join(fx.dir, 'data', 'lake', 'bars', 'timeframe=5m'));
    // as a kill would leave them: one job at its aggregate stage, one in its fetch, their process gone
    fx.engine.db().prepare(`UPDATE jobs SET status = 'running', error_code = NULL, pid = 999999999 WHERE id = ?`).run(job.id);
    const other = fx.engine.services.jobs().create({ id: 'fetching', provider: 'fake', feed: 'sim', timeframe: '1m', symbols: ['IBM'], start: '2024-01-02', end: '2024-01-03', params: { workers: 1, force: false, adjustment: 'raw', pipeline: true }, host: 'cli' });
    fx.engine.db().prepare(`UPDATE jobs SET status = 'running', pid = 999999999 WHERE id = ?`).run(other.id);
    await fx.reopen();
    const r = fx.engine.recoverJobs();
    expect(r).toEqual({ finishing: [job.id], resumable: ['fetching'] });
    expect(await fx.engine.waitForJob(job.id)).toMatchObject({ status: 'succeeded', stage: 'done' });
    expect(await count(fx.engine)).toEqual({ '15m': 208, '1d': 8, '1h': 56, '1m': 3120, '30m': 104, '5m': 624 });
    expect(fx.engine.services.jobs().get('fetching')).toMatchObject({ status: 'failed', stage: 'fetch', error: { code: 'E_INTERRUPTED' } });
  });

  it('registers its handlers once, however often the bootstrap runs', async () => {
    fx.engine.pipeline.register();
    fx.engine.pipeline.register();
    await ingest(fx.engine);
    expect(seen.map((e) => e.type)).toEqual(['ingest.completed', 'validation.completed', 'aggregate.completed']);
  });
});
