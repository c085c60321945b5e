import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from './engine';
import { queryRows, useTestEngine } from './testing/engine';
import { inProcessClient } from './contract/dispatcher';
import type { EventEnvelope } from './contract';
import { tradingDays } from './calendar';
import { ProviderRegistry } from './providers/registry';
import { fakeProvider } from './testing/provider-harness';
import type { Provider } from './providers/types';
import { MpError } from './shared/errors';
import { fakeGateIn } from './testing/fakeGate';

const t = useTestEngine('mp-engine-');

const client = () => inProcessClient(t.engine.dispatcher);

async function ingest(arg: Parameters<ReturnType<typeof client>['request']>[1]) {
  const r = await client().request('ingest.start', arg as never);
  if (!r.ok) throw new MpError(r.error.code, r.error.message);
  return t.engine.waitForJob((r.value as { jobId: string }).jobId);
}

async function q(sql: string) {
  return queryRows(t.engine, sql);
}

describe('engine', () => {
  it('creates nothing on disk until a request needs it', async () => {
    expect(fs.existsSync(t.dataDir)).toBe(false);
    const info = await client().request('app.info', {});
    expect(info).toEqual({ ok: true, value: { version: '0.0.0', dataDir: t.dataDir, host: 'test' } });
    await client().request('providers.list', {});
    expect(fs.existsSync(t.dataDir)).toBe(false);
    await client().request('jobs.list', {});
    expect(fs.existsSync(path.join(t.dataDir, 'marketpipe.db'))).toBe(true);
  });

  it('ingests fake bars into the lake, reporting progress as events up to 100', async () => {
    const seen: EventEnvelope[] = [];
    t.engine.bus.subscribe((e) => seen.push(e));
    const job = await ingest({ provider: 'fake', symbols: ['aapl', 'MSFT'], start: '2024-01-02', end: '2024-01-05' });
    expect(job).toMatchObject({ status: 'succeeded', rowsWritten: 3120, progress: 100, symbols: ['AAPL', 'MSFT'], feed: 'sim', error: null });
    const progress = seen.filter((e) => e.type === 'jobs.progress').map((e) => (e.type === 'jobs.progress' ? e.payload.progress : -1));
    expect(progress.at(-1)).toBe(100);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress); // never goes backwards
    const statuses = seen.filter((e) => e.type === 'jobs.updated').map((e) => (e.type === 'jobs.updated' ? e.payload.status : ''));
    // running through its fetch, then its validate and aggregate stages: succeeded only after the last one
    expect(statuses).toEqual(['queued', 'running', 'running', 'succeeded']);
    expect(await q(`SELECT symbol, count(*) FROM bars WHERE timeframe = '1m' GROUP BY 1 ORDER BY 1`)).toEqual([
      ['AAPL', 1560],
      ['MSFT', 1560],
    ]);
    const jobs = await client().request('jobs.list', {});
    expect(jobs.ok && jobs.value.map((j) => j.id)).toEqual([job.id]);
  });

  it('is idempotent: the same ingest twice leaves no duplicate (symbol, timeframe, ts)', async () => {
    const arg = { provider: 'fake', symbols: ['AAPL'], start: '2023-12-28', end: '2024-01-03', workers: 2 };
    await ingest(arg);
    const second = await ingest(arg);
    expect(second.status).toBe('succeeded');
    expect(await q(`SELECT count(*), count(DISTINCT (symbol, timeframe, ts)) FROM bars WHERE timeframe = '1m'`)).toEqual([[4 * 390, 4 * 390]]); // Dec 28, 29, Jan 2, 3
    // the range spans two years: two partitions
    expect(await q(`SELECT count(DISTINCT year(ts AT TIME ZONE 'America/New_York')) FROM bars WHERE timeframe = '1m'`)).toEqual([[2]]);
  });

  it('extends a symbol without disturbing what is already there', async () => {
    await ingest({ provider: 'fake', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-03' });
    const before = await q(`SELECT sum(close) FROM bars WHERE timeframe = '1m'`);
    await ingest({ provider: 'fake', symbols: ['AAPL'], start: '2024-01-04', end: '2024-01-05' });
    expect(await q(`SELECT count(*) FROM bars WHERE timeframe = '1m'`)).toEqual([[4 * 390]]);
    expect(await q(`SELECT sum(close) FROM bars WHERE timeframe = '1m' AND ts < '2024-01-04'`)).toEqual(before);
  });

  it('refuses bad input with E_BAD_INPUT and creates no job', async () => {
    const bad = [
      { provider: 'fake', symbols: ['AAPL'], start: '2024-02-30', end: '2024-03-01' },
      { provider: 'fake', symbols: ['AAPL'], start: '2024-03-05', end: '2024-03-01' },
      { provider: 'nope', symbols: ['AAPL'], start: '2024-03-01', end: '2024-03-01' },
      { provider: 'fake', symbols: ['A$'], start: '2024-03-01', end: '2024-03-01' },
      { provider: 'fake', symbols: [], start: '2024-03-01', end: '2024-03-01' },
      { provider: 'fake', symbols: ['AAPL'], start: '2024-03-01', end: '2024-03-01', timeframe: '5m' },
    ];
    for (const arg of bad) {
      const r = await client().request('ingest.start', arg as never);
      expect(r.ok ? 'ok' : r.error.code, JSON.stringify(arg)).toBe('E_BAD_INPUT');
    }
    expect(fs.existsSync(t.dataDir)).toBe(false);
  });

  it('cancels a running job: the job ends cancelled and the lake holds only whole partitions', async () => {
    // DDD is held (MP_FAKE_GATE) until the end of the test: the job cannot finish before the cancel, however fast
    const gate = fakeGateIn(t.dir);
    gate.hold('DDD');
    await t.reopen({ env: { MP_FAKE_LATENCY_MS: '20', ...gate.env } });
    const r = await client().request('ingest.start', { provider: 'fake', symbols: ['AAA', 'BBB', 'CCC', 'DDD'], start: '2024-01-02', end: '2024-03-28', workers: 1, batchSize: 390 });
    if (!r.ok) throw new Error(r.error.message);
    // cancel as soon as the first partition is written (an event, not a sleep)
    await t.engine.bus.waitFor('jobs.progress', (p) => p.jobId === r.value.jobId && p.rowsWritten > 0);
    expect((await client().request('ingest.cancel', { jobId: r.value.jobId })).ok).toBe(true);
    const job = await t.engine.waitForJob(r.value.jobId);
    expect(job.status).toBe('cancelled');
    expect(job.error?.code).toBe('E_CANCELLED');
    const rows = (await q(`SELECT symbol, count(*) FROM bars WHERE timeframe = '1m' GROUP BY 1`)) as [string, number][];
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThan(4);
    for (const [, n] of rows) expect(n).toBe(tradingDays('2024-01-02', '2024-03-28').length * 390);
  });

  it('records a provider failure as a failed job with its error code', async () => {
    const broken: Provider = {
      ...fakeProvider,
      info: { ...fakeProvider.info, name: 'broken' },
      // eslint-disable-next-line require-yield
      async *fetchBars() {
        throw new MpError('E_PROVIDER', 'broken: upstream said no');
      },
    };
    await t.reopen({ env: {}, providers: new ProviderRegistry().register(fakeProvider).register(broken) });
    const job = await ingest({ provider: 'broken', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02' });
    expect(job).toMatchObject({ status: 'failed', error: { code: 'E_PROVIDER', message: 'broken: upstream said no' } });
  });

  it('keeps sources apart: bars shows one preferred source per symbol, bars_all shows all', async () => {
    const other: Provider = { ...fakeProvider, info: { ...fakeProvider.info, name: 'other', feeds: ['x'], defaultFeed: 'x' } };
    const providers = () => new ProviderRegistry().register(fakeProvider).register(other);
    await t.reopen({ env: {}, providers: providers() });
    await ingest({ provider: 'fake', symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-02' });
    await ingest({ provider: 'other', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-03' });
    expect(await q(`SELECT provider, feed, symbol, count(*) FROM bars_all WHERE timeframe = '1m' GROUP BY ALL ORDER BY 1, 3`)).toEqual([
      ['fake', 'sim', 'AAPL', 390],
      ['fake', 'sim', 'MSFT', 390],
      ['other', 'x', 'AAPL', 780],
    ]);
    // fake is in the default precedence, "other" is not: AAPL comes from fake alone, never a mix
    expect(await q(`SELECT provider, symbol, count(*) FROM bars WHERE timeframe = '1m' GROUP BY ALL ORDER BY 2`)).toEqual([
      ['fake', 'AAPL', 390],
      ['fake', 'MSFT', 390],
    ]);
    await t.engine.close();
    await t.reopen({ env: { MP_SOURCE_PRECEDENCE: 'other:x,fake' }, providers: providers() });
    expect(await q(`SELECT provider, symbol, count(*) FROM bars WHERE timeframe = '1m' GROUP BY ALL ORDER BY 2`)).toEqual([
      ['other', 'AAPL', 780],
      ['fake', 'MSFT', 390],
    ]);
  });

  it('answers an empty lake with an empty bars view', async () => {
    expect(await q(`SELECT count(*) FROM bars WHERE timeframe = '1m'`)).toEqual([[0]]);
    const cols = await q(`SELECT column_name FROM (DESCRIBE bars)`);
    expect(cols.flat()).toEqual(['symbol', 'timeframe', 'ts', 'open', 'high', 'low', 'close', 'volume', 'trade_count', 'vwap', 'session', 'provider', 'feed']);
  });
});

describe('engine bootstrap', () => {
  it('marks jobs of processes that died as interrupted', async () => {
    const e1 = new Engine({ dataDir: t.dataDir, host: 'test', env: {} });
    const job = await e1.startIngest({ provider: 'fake', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02', timeframe: '1m', workers: 1, force: false });
    await e1.waitForJob(job.id);
    // pretend the job was left running by a process that no longer exists
    e1.db().prepare(`UPDATE jobs SET status = 'running', pid = 999999999, finished_at = NULL WHERE id = ?`).run(job.id);
    await e1.close();
    const r = await inProcessClient(t.engine.dispatcher).request('jobs.get', { jobId: job.id });
    expect(r.ok && r.value).toMatchObject({ status: 'failed', error: { code: 'E_INTERRUPTED' } });
  });
});
