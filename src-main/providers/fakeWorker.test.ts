import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../engine';
import { silentLogger } from '../shared/log';
import { fakeGateIn } from '../testing/fakeGate';
import { makeTmpDir } from '../testing/tmp';
import { createFakeProvider, fakeWorkers } from './fake';
import { fakeProvider } from '../testing/provider-harness';
import { offline } from './http/offline';
import { ProviderRegistry } from './registry';
import { BAR_COLUMNS, type Provider } from './types';

// The fake provider in worker threads (the engine's default) against the same provider on the calling thread: the
// same bytes in the same pages, a broken worker is a failed job rather than a hung one, and the engine's close ends
// the threads.

async function pages(p: Provider, symbol: string, start: string, end: string, pageSize: number): Promise<{ lengths: number[]; digest: string }> {
  const h = createHash('sha256');
  const lengths: number[] = [];
  const ctx = { signal: new AbortController().signal, env: {}, log: silentLogger, http: offline('fake') };
  for await (const page of p.fetchBars({ symbol, timeframe: '1m', start, end, feed: 'sim', pageSize }, ctx)) {
    lengths.push(page.length);
    for (const c of BAR_COLUMNS) h.update(Buffer.from(page[c].buffer, page[c].byteOffset, page.length * 8));
  }
  return { lengths, digest: h.digest('hex') };
}

const threaded = createFakeProvider({ workers: fakeWorkers({ size: 2 }) });
afterAll(() => threaded.close?.());

describe('fake provider in worker threads', () => {
  it.each([
    ['AAPL', '2024-01-02', '2024-06-28', 10_000],
    ['MSFT', '2024-03-01', '2024-03-29', 777],
    ['BRK.B', '2024-11-25', '2024-12-03', 100], // Thanksgiving, its early close and a month's turn
    ['NVDA', '2024-07-03', '2024-07-08', 390],
    ['SPY', '2024-01-06', '2024-01-07', 10_000], // a weekend: no bars
    ['QQQ', '2024-11-29', '2024-11-29', 1], // an early close, a bar a page
    ['IWM', '2024-01-02', '2024-01-05', 780], // pages that end exactly at the range's end
  ])('gives the same bytes in the same pages as the calling thread (%s %s..%s, pages of %i)', async (symbol, start, end, pageSize) => {
    const here = await pages(fakeProvider, symbol, start, end, pageSize);
    const there = await pages(threaded, symbol, start, end, pageSize);
    expect(there).toEqual(here);
    if (start !== '2024-01-06') expect(here.lengths.length).toBeGreaterThan(1);
    expect(here.lengths.slice(0, -1).every((n) => n === pageSize)).toBe(true);
  });

  it('fails the job with an error value, not a hang, when its worker breaks', async () => {
    const tmp = makeTmpDir('mp-fake-worker-');
    try {
      // a worker script that dies on its first task, as a crash in generation would
      const script = path.join(tmp.dir, 'dies.js');
      fs.writeFileSync(script, "require('node:worker_threads').parentPort.on('message', () => { throw new Error('generator crashed'); });\n");
      const workers = fakeWorkers({ size: 1, script: () => Promise.resolve(script) });
      const engine = new Engine({ dataDir: path.join(tmp.dir, 'data'), host: 'test', env: {}, providers: new ProviderRegistry().register(createFakeProvider({ workers })) });
      try {
        const job = await engine.startIngest({ provider: 'fake', symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-31', workers: 2, force: false, pipeline: false });
        const done = await engine.waitForJob(job.id);
        expect(done.status).toBe('failed');
        expect(done.error).toMatchObject({ code: 'E_INTERNAL', message: expect.stringContaining('fake worker failed: generator crashed') });
      } finally {
        await engine.close();
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('ends its idle threads when a fetch ends, and every thread when the engine closes mid-job', async () => {
    const tmp = makeTmpDir('mp-fake-worker-');
    try {
      const workers = fakeWorkers({ size: 2 });
      const gate = fakeGateIn(tmp.dir);
      const engine = new Engine({ dataDir: path.join(tmp.dir, 'data'), host: 'test', env: { ...gate.env }, providers: new ProviderRegistry().register(createFakeProvider({ workers })) });
      try {
        const job = await engine.startIngest({ provider: 'fake', symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-31', workers: 2, force: false, pipeline: false });
        expect(await engine.waitForJob(job.id)).toMatchObject({ status: 'succeeded', rowsWritten: 2 * 21 * 390 });
        // the generator threads (a V8 heap each) are not kept between jobs
        expect(workers.threads).toBe(0);
        // a job held after its first page asked for: its threads are up when the engine closes
        gate.hold();
        await engine.startIngest({ provider: 'fake', symbols: ['AAPL', 'MSFT'], start: '2024-02-01', end: '2024-02-29', workers: 2, force: false, pipeline: false });
        await vi.waitFor(() => expect(workers.threads).toBeGreaterThan(0), { timeout: 30_000 });
      } finally {
        await engine.close();
      }
      expect(workers.threads).toBe(0);
      await expect(workers.run('fake.page', { symbol: 'AAPL', days: ['2024-01-02'], skip: 0, take: 390 })).rejects.toMatchObject({ code: 'E_CANCELLED' });
    } finally {
      tmp.cleanup();
    }
  });
});
