import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { queryRows, useTestEngine } from '../testing/engine';
import { fakeGateIn } from '../testing/fakeGate';
import { Engine } from '../engine';
import { fakeProvider } from '../testing/provider-harness';
import { ProviderRegistry } from '../providers/registry';
import type { FetchBarsRequest, Provider } from '../providers/types';
import { MpError } from '../shared/errors';
import { planIngest, rowsBySession } from './plan';
import { emptyBatch } from '../providers/batch';

// Incremental ingest, checkpoints and resume, through the fx.engine with real SQLite, DuckDB and files.

let calls: FetchBarsRequest[] = [];

/** The fake provider, recording what is asked of it. */
function counting(): ProviderRegistry {
  const p: Provider = {
    ...fakeProvider,
    fetchBars(req, ctx) {
      calls.push(req);
      return fakeProvider.fetchBars(req, ctx);
    },
  };
  return new ProviderRegistry().register(p);
}

beforeEach(() => {
  calls = [];
});
const fx = useTestEngine('mp-incr-', () => ({ providers: counting() }));

async function run(arg: { symbols: string[]; start: string; end: string; force?: boolean; workers?: number; batchSize?: number }) {
  const job = await fx.engine.startIngest({ provider: 'fake', workers: 2, force: false, ...arg });
  return fx.engine.waitForJob(job.id);
}

async function digest(e: Engine = fx.engine): Promise<unknown> {
  return queryRows(e, `SELECT symbol, count(*) AS n, sum(hash(ts, open, high, low, close, volume, trade_count, vwap))::VARCHAR AS h, count(DISTINCT ts) AS d FROM bars WHERE timeframe = '1m' GROUP BY 1 ORDER BY 1`, 100);
}

describe('incremental ingest', () => {
  it('fetches only the sessions not yet in the lake', async () => {
    await run({ symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-10' });
    expect(calls).toHaveLength(2);
    calls = [];
    const again = await run({ symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-10' });
    expect(again.status).toBe('succeeded');
    expect(calls).toHaveLength(0);
    // a wider range fetches only the new days, and a new symbol all of its days
    await run({ symbols: ['AAPL', 'NVDA'], start: '2024-01-02', end: '2024-01-12' });
    expect(calls.map((c) => [c.symbol, c.start, c.end]).sort()).toEqual([
      ['AAPL', '2024-01-11', '2024-01-12'],
      ['NVDA', '2024-01-02', '2024-01-12'],
    ]);
    expect(await digest()).toEqual([
      ['AAPL', 9 * 390, expect.any(String), 9 * 390],
      ['MSFT', 7 * 390, expect.any(String), 7 * 390],
      ['NVDA', 9 * 390, expect.any(String), 9 * 390],
    ]);
  });

  it('--force fetches everything again', async () => {
    await run({ symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-05' });
    calls = [];
    await run({ symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-05', force: true });
    expect(calls).toHaveLength(1);
    expect(await digest()).toEqual([['AAPL', 4 * 390, expect.any(String), 4 * 390]]);
  });

  it('fills a hole in the middle by fetching the missing span', async () => {
    await run({ symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-03' });
    await run({ symbols: ['AAPL'], start: '2024-01-09', end: '2024-01-10' });
    calls = [];
    await run({ symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-10' });
    expect(calls.map((c) => [c.start, c.end])).toEqual([['2024-01-04', '2024-01-08']]);
    expect(await digest()).toEqual([['AAPL', 7 * 390, expect.any(String), 7 * 390]]);
  });
});

describe('checkpoints and resume', () => {
  it('a cancelled job resumes its pending units and ends equal to a clean run', async () => {
    // EEE is held (MP_FAKE_GATE) until the resume: the cancel surely lands before the job's end, however fast
    const gate = fakeGateIn(fx.dir);
    gate.hold('EEE');
    await fx.reopen({ env: { MP_FAKE_LATENCY_MS: '30', ...gate.env }, providers: counting() });
    const symbols = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];
    const job = await fx.engine.startIngest({ provider: 'fake', symbols, start: '2023-12-01', end: '2024-02-29', workers: 1, batchSize: 2000, force: false });
    await fx.engine.bus.waitFor('jobs.progress', (p) => p.jobId === job.id && p.rowsWritten > 0);
    fx.engine.cancelJob(job.id);
    const cancelled = await fx.engine.waitForJob(job.id);
    expect(cancelled.status).toBe('cancelled');
    const tasks = (await fx.engine.dispatcher.dispatch('jobs.tasks', { jobId: job.id }, { transport: 'in-process' })) as { ok: true; value: { status: string }[] };
    const done = tasks.value.filter((t) => t.status === 'done').length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(10); // 5 symbols x 2 years

    calls = [];
    gate.release('EEE');
    await fx.engine.resumeIngest(job.id);
    const resumed = await fx.engine.waitForJob(job.id);
    expect(resumed).toMatchObject({ status: 'succeeded', progress: 100, error: null });
    expect(calls).toHaveLength(10 - done);
    const after = await digest();

    // a clean run of the same request in another data dir gives the same lake, bar for bar
    const clean = new Engine({ dataDir: path.join(fx.dir, 'clean'), host: 'test', env: {}, providers: counting() });
    const cj = await clean.startIngest({ provider: 'fake', symbols, start: '2023-12-01', end: '2024-02-29', workers: 3, force: false });
    await clean.waitForJob(cj.id);
    expect(await digest(clean)).toEqual(after);
    await clean.close();
    // two ingests and a clean run in another data dir: 54 s alone at load 23, past the 60 s default beside other files
  }, 180_000);

  it('refuses to resume a finished job, and a job that does not exist', async () => {
    const j = await run({ symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02' });
    await expect(fx.engine.resumeIngest(j.id)).rejects.toMatchObject({ code: 'E_CONFLICT' });
    await expect(fx.engine.resumeIngest('nope')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('does not record a session that is not over as covered', () => {
    const [t] = planIngest(['AAPL'], '2024-01-02', '2024-01-03');
    const b = emptyBatch('AAPL', 2);
    b.ts[0] = Date.UTC(2024, 0, 2, 15, 0);
    b.ts[1] = Date.UTC(2024, 0, 3, 15, 0);
    b.length = 2;
    // "now" is during Jan 3's session: Jan 2 is over and covered with 1 bar, Jan 3 is not recorded yet
    expect([...rowsBySession(t!, b, Date.UTC(2024, 0, 3, 16, 0))]).toEqual([['2024-01-02', 1]]);
    expect([...rowsBySession(t!, b, Date.UTC(2024, 0, 5))]).toEqual([
      ['2024-01-02', 1],
      ['2024-01-03', 1],
    ]);
  });

  it('a failed unit leaves the units done before it checkpointed', async () => {
    let n = 0;
    const flaky: Provider = {
      ...fakeProvider,
      fetchBars(req, ctx) {
        if (++n === 2) throw new MpError('E_PROVIDER', 'fake: upstream broke');
        return fakeProvider.fetchBars(req, ctx);
      },
    };
    await fx.reopen({ providers: new ProviderRegistry().register(flaky) });
    const job = await fx.engine.startIngest({ provider: 'fake', symbols: ['AAA', 'BBB', 'CCC'], start: '2024-01-02', end: '2024-01-05', workers: 1, force: false });
    const failed = await fx.engine.waitForJob(job.id);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'E_PROVIDER' } });
    const r = (await fx.engine.dispatcher.dispatch('jobs.tasks', { jobId: job.id }, { transport: 'in-process' })) as { ok: true; value: { symbol: string; status: string }[] };
    expect(r.value.map((t) => [t.symbol, t.status])).toEqual([
      ['AAA', 'done'],
      ['BBB', 'pending'],
      ['CCC', 'pending'],
    ]);
    // resume: the provider works again
    await fx.engine.resumeIngest(job.id);
    expect((await fx.engine.waitForJob(job.id)).status).toBe('succeeded');
    expect(await digest()).toEqual(['AAA', 'BBB', 'CCC'].map((s) => [s, 4 * 390, expect.any(String), 4 * 390]));
  });
});
