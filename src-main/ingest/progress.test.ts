import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../testing/engine';
import type { EventEnvelope, EventPayload } from '../contract';
import { RateMeter, WallClock } from './meters';

// What a running job reports: rows, percent and per-unit progress come from the same pages, so they move together.

// 20 ms a page: about 24 pages a unit, so the throttled progress events (one per 100 ms) fall between pages
const fx = useTestEngine('mp-progress-', { env: { MP_FAKE_LATENCY_MS: '20' } });

describe('ingest progress', () => {
  it('moves rows with the percent on every page, tells the days received of the units in flight, and times stages in wall time', async () => {
    const events: EventEnvelope[] = [];
    fx.engine.bus.subscribe((e) => {
      if (e.type === 'jobs.progress' || e.type === 'ingest.completed') events.push(e);
    });
    // one unit per symbol (a year), many pages each: nothing is written until a whole unit is fetched
    const job = await fx.engine.startIngest({ provider: 'fake', symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-03-28', timeframe: '1m', workers: 2, batchSize: 1000 });
    const done = await fx.engine.waitForJob(job.id);
    expect(done.status).toBe('succeeded');
    const progress = events.filter((e) => e.type === 'jobs.progress').map((e) => e.payload as EventPayload<'jobs.progress'>);
    const running = progress.slice(0, -1);
    expect(running.length).toBeGreaterThan(3);
    // the bug this guards against: 28% with 0 rows (rows counted only once a unit is durable)
    for (const p of running) if (p.progress > 0) expect(p.rowsReceived).toBeGreaterThan(0);
    expect(running.some((p) => p.progress > 0 && p.rowsWritten === 0)).toBe(true);
    for (let i = 1; i < running.length; i++) {
      expect(running[i]!.rowsReceived).toBeGreaterThanOrEqual(running[i - 1]!.rowsReceived);
      expect(running[i]!.progress).toBeGreaterThanOrEqual(running[i - 1]!.progress);
    }
    // per-unit: the days received of a unit in flight, before it is written
    const partial = running.flatMap((p) => p.units).find((u) => u.daysFetched > 0 && u.daysFetched < 61);
    expect(partial).toBeDefined();
    expect(running.some((p) => p.barsPerSecond > 0)).toBe(true);
    expect(progress.at(-1)!.rowsReceived).toBe(done.rowsWritten);

    const completed = events.find((e) => e.type === 'ingest.completed')!.payload as EventPayload<'ingest.completed'>;
    expect(completed.workers).toBe(2);
    // wall time of fetching never exceeds the job's run, while the sum over two overlapping workers does exceed the wall time
    expect(completed.fetchWallMs).toBeLessThanOrEqual(completed.durationMs);
    expect(completed.fetchMs).toBeGreaterThan(completed.fetchWallMs!);
    const tl = await fx.engine.dispatcher.dispatch('jobs.timeline', { jobId: job.id }, { transport: 'in-process' });
    if (!tl.ok) throw new Error(tl.error.message);
    const fetch = (tl.value as { stages: Array<{ stage: string; durationMs: number | null; summedMs?: number | null; workers?: number | null }> }).stages[0]!;
    expect(fetch).toMatchObject({ stage: 'fetch', durationMs: completed.fetchWallMs, summedMs: completed.fetchMs, workers: 2 });
  });
});

describe('WallClock', () => {
  it('counts overlapping intervals once', () => {
    let now = 0;
    const c = new WallClock(() => now);
    const a = c.start();
    now = 10;
    const b = c.start();
    now = 30;
    a();
    a(); // ending twice changes nothing
    now = 40;
    b();
    now = 50;
    const d = c.start();
    now = 55;
    expect(c.ms()).toBe(45);
    d();
    expect(c.ms()).toBe(45);
  });
});

describe('RateMeter', () => {
  it('smooths a burst instead of jumping to it', () => {
    const m = new RateMeter(3000);
    expect(m.sample(0, 0)).toBe(0);
    expect(m.sample(1000, 1000)).toBe(1000);
    // a burst of 10,000 in the next 100 ms: the smoothed rate moves towards it, far from 100,000/s
    const r = m.sample(1100, 11_000);
    expect(r).toBeGreaterThan(1000);
    expect(r).toBeLessThan(10_000);
  });
});
